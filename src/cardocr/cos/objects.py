"""What COS's HTTP says about an object, apart from storing it: the key a request names, the
headers an answer carries, one byte range, and the Content-MD5 check of an upload."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from email.utils import formatdate
from urllib.parse import unquote

from fastapi import Request

from cardocr.cos.storage import ObjectInfo
from cardocr.errors import DigestMismatch, InvalidParameter, MethodNotAllowed, RangeNotSatisfiable

MAX_KEY_BYTES = 850  # COS: an object key is at most 850 bytes of UTF-8
META_PREFIX = "x-cos-meta-"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def object_key(request: Request) -> str:
    """The key from the path as sent (percent-decoded once, UTF-8): what the SDK put there."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    try:
        key = unquote(raw.decode("ascii").split("?", 1)[0], errors="strict")[1:]
    except UnicodeError:
        raise InvalidParameter("The object key is not UTF-8.") from None
    if not key:
        raise MethodNotAllowed("Bucket operations are not supported; name an object.")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES or _CONTROL.search(key):
        raise InvalidParameter("The object key is invalid.")
    return key


def object_headers(info: ObjectInfo) -> dict[str, str]:
    return {"ETag": info.etag, "Last-Modified": formatdate(info.modified, usegmt=True), "Accept-Ranges": "bytes",
            **{META_PREFIX + k: v for k, v in info.meta.items()}}


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One `bytes=` range as (first, last), None for the whole object (no Range, or one this
    server ignores as RFC 9110 lets it: several ranges, other units, bad syntax)."""
    m = _RANGE.match(header.strip()) if header else None
    if m is None or (not m[1] and not m[2]):
        return None
    if not m[1]:  # the last n bytes
        n = int(m[2])
        if n == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - n), size - 1
    first = int(m[1])
    last = min(int(m[2]), size - 1) if m[2] else size - 1
    if m[2] and int(m[2]) < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable()
    return first, last


def check_content_md5(header: str | None, data: bytes) -> None:
    if header is None:
        return
    try:
        want = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise DigestMismatch("The Content-MD5 you specified is not valid.") from None
    if len(want) != 16:
        raise DigestMismatch("The Content-MD5 you specified is not valid.")
    if want != hashlib.md5(data).digest():
        raise DigestMismatch()
