"""Tencent COS request signatures (`q-sign-algorithm=sha1`), verified the way COS verifies them:
the form the official SDK signs (cos-python-sdk-v5 `cos_auth.CosS3Auth`; COS's "Request
Signature" document), rebuilt from the request as it arrived.

    Authorization: q-sign-algorithm=sha1&q-ak=<SecretId>&q-sign-time=<t0>;<t1>&q-key-time=<t0>;<t1>
                   &q-header-list=<h1;h2>&q-url-param-list=<p1;p2>&q-signature=<hex>

    SignKey      = hex HMAC-SHA1(SecretKey, q-key-time)
    HttpString   = lower(method) "\n" path (decoded: /photos/id 1.jpg) "\n"
                   params "\n" headers "\n"
                   each of params and headers: the listed names (lower-case, sorted), "k=v" joined
                   by "&", both sides quote(safe="-_.~") (a space is %20)
    StringToSign = "sha1\n" q-sign-time "\n" hex SHA-1(HttpString) "\n"
    q-signature  = hex HMAC-SHA1(SignKey, StringToSign)

What the verifier has to know about the official SDK (../shared/notes/vendor-facts.md B2):
  * the signed `host` is the URL's host name without the port (`Domain="127.0.0.1:8081"`
    signs `127.0.0.1` while the wire says `127.0.0.1:8081`): both spellings are accepted;
  * query values arrive form-encoded (`requests` sends a space in Config as `+`): they are
    decoded as a form is, then re-encoded with %20;
  * it signs only a whitelist of headers (content-*, host, range, x-cos-*, ...); which ones
    is its business: the list in q-header-list is what is checked.
The signature is valid while the server's clock is inside q-sign-time (start; end): after the
end it has expired (403 AccessDenied "Request has expired"), and a start more than
MAX_SKEW_SECONDS ahead of the server's clock is 403 RequestTimeTooSkewed. Keys and signatures
are never logged nor put in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

from cardocr.auth import consteq, signing_account
from cardocr.errors import AccessKeyUnknown, RequestExpired, SignatureExpired, SignatureMalformed, SignatureMismatch
from cardocr.settings import Account

ALGORITHM = "sha1"
MAX_SKEW_SECONDS = 15 * 60  # a sign-time that starts this far in the future: the client's clock is off
MAX_AUTHORIZATION_LENGTH = 8192
MISSING = "Access Denied."  # COS's message for a request without a signature
MALFORMED = "Access Denied. The Authorization header is malformed."
_FIELDS = ("q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
           "q-signature")
_TIME = re.compile(r"^(\d{1,12});(\d{1,12})$")
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_NAME_LIST = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]*(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$")


@dataclass(frozen=True)
class CosAuthorization:
    access_key: str
    sign_time: str
    start: int
    end: int
    key_time: str
    headers: tuple[str, ...]
    params: tuple[str, ...]
    signature: str  # lower-case hex


@dataclass(frozen=True)
class CosRequest:
    """A request as it arrived: the path as on the wire (percent-encoded), the raw query, the
    header names lower-case (values as sent)."""

    method: str
    raw_path: str
    raw_query: str
    headers: Mapping[str, str]


def parse_authorization(value: str | None) -> CosAuthorization:
    if value is None or not value.strip():
        raise SignatureMalformed(MISSING)
    if len(value) > MAX_AUTHORIZATION_LENGTH:
        raise SignatureMalformed(MALFORMED)
    fields: dict[str, str] = {}
    for part in value.strip().split("&"):
        name, eq, val = part.partition("=")
        if not eq or name in fields:
            raise SignatureMalformed(MALFORMED)
        fields[name] = val
    if set(fields) != set(_FIELDS) or fields["q-sign-algorithm"] != ALGORITHM or not fields["q-ak"]:
        raise SignatureMalformed(MALFORMED)
    sign_time, key_time = fields["q-sign-time"], fields["q-key-time"]
    m, k = _TIME.match(sign_time), _TIME.match(key_time)
    if m is None or k is None or not _HEX40.match(fields["q-signature"]):
        raise SignatureMalformed(MALFORMED)
    start, end = int(m[1]), int(m[2])
    if start > end or not int(k[1]) <= start <= end <= int(k[2]):  # the key must cover the signature
        raise SignatureMalformed(MALFORMED)
    lists = []
    for name in ("q-header-list", "q-url-param-list"):
        listed = fields[name].lower()
        if not _NAME_LIST.match(listed):
            raise SignatureMalformed(MALFORMED)
        lists.append(tuple(x for x in listed.split(";") if x))
    return CosAuthorization(fields["q-ak"], sign_time, start, end, key_time, lists[0], lists[1],
                            fields["q-signature"].lower())


def presigned_authorization(raw_query: str) -> str | None:
    """A pre-signed URL's signature (the SDK's get_presigned_url puts the Authorization fields
    in the query) as an Authorization value, or None when the query holds none."""
    fields = {name: value for name, value in query_pairs(raw_query) if name in _FIELDS}
    if "q-sign-algorithm" not in fields:
        return None
    return "&".join(f"{name}={fields[name]}" for name in _FIELDS if name in fields)


def _encode(s: str) -> str:
    return quote(s, safe="-_.~")


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """The query as a form is decoded (`+` is a space): names lower-case, as COS signs them."""
    pairs = []
    for piece in raw_query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((unquote_plus(name).lower(), unquote_plus(value)))
    return pairs


def _joined(pairs: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def host_without_port(host: str) -> str:
    if host.startswith("["):  # [::1]:8081
        return host[: host.find("]") + 1] if "]" in host else host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def http_strings(req: CosRequest, auth: CosAuthorization) -> list[str]:
    """The HttpString for the request: one with the Host header as sent and, when it carries a
    port, one without it (what the official SDK signs)."""
    values = dict(query_pairs(req.raw_query))
    params = _joined([(name, values.get(name, "")) for name in auth.params])
    hosts = [req.headers.get("host", "")]
    if "host" in auth.headers and host_without_port(hosts[0]) != hosts[0]:
        hosts.append(host_without_port(hosts[0]))
    out = []
    for host in hosts:
        headers = _joined([(name, host if name == "host" else req.headers.get(name, "")) for name in auth.headers])
        out.append(f"{req.method.lower()}\n{unquote(req.raw_path)}\n{params}\n{headers}\n")
    return out


def sign(secret_key: str, key_time: str, sign_time: str, http_string: str) -> str:
    sign_key = hmac.new(secret_key.encode("utf-8"), key_time.encode("utf-8"), hashlib.sha1).hexdigest()
    to_sign = f"{ALGORITHM}\n{sign_time}\n{hashlib.sha1(http_string.encode('utf-8')).hexdigest()}\n"
    return hmac.new(sign_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1).hexdigest()


class CosSignatureVerifier:
    """Which account signed a request. Accounts without both keys take no signatures."""

    def __init__(self, accounts: Sequence[Account], clock: Callable[[], float]) -> None:
        self.accounts = [a for a in accounts if a.access_key and a.secret_key]
        self.clock = clock

    def account_for(self, access_key: str) -> Account:
        found = signing_account(self.accounts, access_key)
        if found is None:
            raise AccessKeyUnknown("The access key Id format you provided is invalid.")
        return found

    def verify(self, req: CosRequest) -> Account:
        auth = parse_authorization(req.headers.get("authorization"))
        now = self.clock()
        if now > auth.end:
            raise RequestExpired()
        if auth.start > now + MAX_SKEW_SECONDS:
            raise SignatureExpired("The difference between the request time and the server's time is too large.")
        account = self.account_for(auth.access_key)
        matched = False
        for http_string in http_strings(req, auth):
            matched |= consteq(sign(account.secret_key, auth.key_time, auth.sign_time, http_string), auth.signature)
        if not matched:
            raise SignatureMismatch("The Signature you specified is invalid.")
        return account
