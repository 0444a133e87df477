"""Huawei Cloud AK/SK request signatures (`SDK-HMAC-SHA256`), verified as Huawei's API gateway
verifies them: the form the official SDK's signer produces (huaweicloudsdkcore
signer/signer.py, `Signer`), rebuilt here from the request as it arrived.

    Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>
    X-Sdk-Date:    20260509T073525Z          (UTC, within 15 minutes of the server's clock)

    CanonicalRequest = METHOD "\n"
                       path: each segment percent-decoded, then quote(safe="~"), and always a
                             trailing "/" (/v2/p/ocr/id-card on the wire is signed as
                             /v2/p/ocr/id-card/) "\n"
                       query: (key, value) pairs decoded and sorted, each side quote(safe="~"),
                              "k=v" joined by "&" "\n"
                       "name:value\n" per signed header (lower-case name, trimmed value) "\n"
                       the signed header names joined by ";" "\n"
                       hex SHA-256 of the body (of b"" when there is none), or UNSIGNED-PAYLOAD
                       where the SDK sends `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (a body
                       neither JSON nor BSON; a JSON body is always covered by its hash)
    StringToSign     = "SDK-HMAC-SHA256\n" X-Sdk-Date "\n" hex SHA-256(CanonicalRequest)
    Signature        = hex HMAC-SHA256(secret key, StringToSign)

The signed headers must include `host` (as sent: with its port) and `x-sdk-date`; the SDK
also signs content-type, user-agent, x-project-id and whatever else it sends. Keys, signatures
and bodies are never logged and never put in an error message. Other algorithms the SDK can be
told to use (SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3, the derived V11-HMAC-SHA256)
are refused as malformed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from cardocr.auth import consteq, signing_account
from cardocr.errors import AccessKeyUnknown, SignatureExpired, SignatureMalformed, SignatureMismatch
from cardocr.settings import Account

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW_SECONDS = 15 * 60  # "x-sdk-date must be within 15 minutes of the current time" (API signing guide)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
REQUIRED_SIGNED = ("host", "x-sdk-date")
MAX_AUTHORIZATION_LENGTH = 4096

_DATE = re.compile(r"^\d{8}T\d{6}Z$")
_HEADER_NAME = re.compile(r"^[a-z0-9!#$%&'*+.^`|~-]+$")  # an HTTP token, lower-case
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Authorization:
    access: str
    signed_headers: tuple[str, ...]
    signature: str  # lower-case hex


@dataclass(frozen=True)
class SignedRequest:
    """A request as it arrived: the path and query as on the wire (percent-encoded), header
    names lower-case (repeated headers joined by ","), values decoded as UTF-8 (the SDK sends
    each value's UTF-8 bytes)."""

    method: str
    raw_path: str
    raw_query: str
    headers: Mapping[str, str]
    body: bytes


def parse_authorization(value: str | None) -> Authorization:
    """`SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` (parameters in any order)."""
    if not value or len(value) > MAX_AUTHORIZATION_LENGTH:
        raise SignatureMalformed()
    scheme, _, rest = value.strip().partition(" ")
    if scheme != ALGORITHM:
        raise SignatureMalformed(f"{SignatureMalformed.default_message} Only {ALGORITHM} signatures are supported.")
    params: dict[str, str] = {}
    for part in rest.split(","):
        key, eq, val = part.strip().partition("=")
        if not eq or key in params:
            raise SignatureMalformed()
        params[key] = val.strip()
    if set(params) != {"Access", "SignedHeaders", "Signature"}:
        raise SignatureMalformed()
    signed = tuple(params["SignedHeaders"].split(";"))
    if not params["Access"] or not all(_HEADER_NAME.match(h) for h in signed) or len(set(signed)) != len(signed):
        raise SignatureMalformed()
    if not _HEX64.match(params["Signature"]):
        raise SignatureMalformed()
    if any(h not in signed for h in REQUIRED_SIGNED):
        raise SignatureMalformed(f"{SignatureMalformed.default_message} Host and X-Sdk-Date must be signed.")
    return Authorization(params["Access"], signed, params["Signature"].lower())


def parse_sdk_date(value: str | None) -> float:
    """X-Sdk-Date (`20260509T073525Z`, UTC) as a POSIX timestamp."""
    if value is None or not _DATE.match(value):
        raise SignatureMalformed(f"{SignatureMalformed.default_message} X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ.")
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise SignatureMalformed() from None


def _encode(s: str) -> str:
    return quote(s, safe="~")


def canonical_uri(raw_path: str) -> str:
    """Each segment decoded and re-encoded, always ending in "/" (the SDK's form)."""
    path = "/".join(_encode(segment) for segment in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(raw_query: str) -> str:
    """Pairs decoded (a "+" is a plus, as the SDK sends a space as %20), sorted, re-encoded."""
    pairs = []
    for piece in raw_query.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def payload_hash(headers: Mapping[str, str], body: bytes) -> str:
    if not body:
        return EMPTY_SHA256
    content_type = headers.get("content-type", "")
    if (headers.get("x-sdk-content-sha256") == UNSIGNED_PAYLOAD
            and not content_type.startswith(("application/json", "application/bson"))):
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest()


def canonical_request(req: SignedRequest, signed_headers: Sequence[str]) -> str:
    headers = "".join(f"{name}:{req.headers[name].strip()}\n" for name in signed_headers)
    return "\n".join((req.method.upper(), canonical_uri(req.raw_path), canonical_query(req.raw_query),
                      headers, ";".join(signed_headers), payload_hash(req.headers, req.body)))


def string_to_sign(canonical: str, sdk_date: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(DATE_FORMAT)


class SignatureVerifier:
    """Which account signed a request. Accounts without both keys take no signatures."""

    def __init__(self, accounts: Sequence[Account], clock: Callable[[], float]) -> None:
        self.accounts = [a for a in accounts if a.access_key and a.secret_key]
        self.clock = clock

    def account_for(self, access_key: str) -> Account:
        found = signing_account(self.accounts, access_key)
        if found is None:
            raise AccessKeyUnknown()
        return found

    def verify(self, req: SignedRequest) -> Account:
        auth = parse_authorization(req.headers.get("authorization"))
        sdk_date = req.headers.get("x-sdk-date")
        signed_at = parse_sdk_date(sdk_date)
        assert sdk_date is not None  # parse_sdk_date refuses a missing one
        now = self.clock()
        if abs(now - signed_at) > MAX_SKEW_SECONDS:
            raise SignatureExpired(f"{SignatureExpired.default_message}, signature time:{sdk_date},"
                                   f"server time:{_stamp(now)}")
        if any(name not in req.headers for name in auth.signed_headers):
            raise SignatureMalformed(f"{SignatureMalformed.default_message} A signed header is missing.")
        account = self.account_for(auth.access)
        expected = signature(account.secret_key, string_to_sign(canonical_request(req, auth.signed_headers), sdk_date))
        if not consteq(expected, auth.signature):
            raise SignatureMismatch()
        return account
