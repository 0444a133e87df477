"""Seeded fuzzing of the COS endpoint (hypothesis), as tests/test_fuzz.py does the Huawei API:
every answer must be documented (tests/fuzzkit.py classify_cos: a success, or COS's XML
`<Error>` with a code the error tree gives, with x-cos-request-id); never a 5xx, never a hang.

Families: forged and mangled signatures (fields dropped, repeated, re-spelled, times outside
the window, other keys, other hosts); bad Config and CardSide values under a good signature;
hostile object keys (`..`, empty segments, percent-encoded bytes that are not UTF-8, control
bytes, very long keys) under a good signature, PUT then GET; random Host headers and Range
headers; raw HTTP against the real server (truncated and over-long bodies, bad Content-MD5 and
Content-Length values).

`make test` runs a fast slice (derandomized); `make fuzz` the long one (CARDOCR_FUZZ=long).
"""

from __future__ import annotations

import json
import socket
import string
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from apihelpers import FakePipeline, make_image
from cardocr.cos.app import create_cos_app
from cardocr.settings import DEV_ACCESS_KEY, DEV_BUCKET, DEV_SECRET_KEY, Settings
from cosserver import REGION, authorization, live_cos
from fuzzkit import LONG, SEED, examples, record_cos
from liveserver import read_answer

HOST = f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com"
PHOTO = make_image(120, 160)
DENIED = {"403 AccessDenied", "403 SignatureDoesNotMatch", "403 InvalidAccessKeyId", "403 RequestTimeTooSkewed"}


def fuzz(fast: int, long: int):
    def wrap(fn):
        fn = settings(max_examples=examples(fast, long), deadline=None, derandomize=not LONG, database=None,
                      suppress_health_check=list(HealthCheck))(fn)
        return seed(SEED)(fn) if LONG else fn
    return wrap


@pytest.fixture(scope="module")
def cos(tmp_path_factory):
    app = create_cos_app(Settings(data_dir=tmp_path_factory.mktemp("cos")),
                         FakePipeline({"name": "李明", "number": "440524198701010014"}))
    client = TestClient(app, raise_server_exceptions=False)
    with client:
        _send(client, "PUT", "card.jpg", body=PHOTO, family="setup")
        yield client


def _send(client: TestClient, method: str, key: str, *, params: dict[str, str] | None = None, body: bytes = b"",
          headers: dict[str, str] | None = None, auth: str | None = None, raw_path: str | None = None,
          family: str, allowed: set[str] | None = None) -> str:
    """A request signed as the SDK signs it (or with `auth` as given), its answer recorded."""
    params = params or {}
    headers = {"Host": HOST, **(headers or {})}
    if auth is None:
        auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, method, key, params, headers)
    path = raw_path if raw_path is not None else "/" + quote(key, safe="/-_.~")
    # as bytes: a forged value may hold what httpx would refuse to send as text
    r = client.request(method, path, params=params, content=body,
                       headers={**headers, "Authorization": auth.encode("utf-8")})
    return record_cos(family, r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()},
                      allowed=allowed)


# --- signatures ---------------------------------------------------------------------------------------------

FIELDS = ["q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
          "q-signature"]
SIG_CHARS = string.ascii_letters + string.digits + "-_;=&%+ .:\x7f\u00e9"


@st.composite
def forged_authorizations(draw) -> tuple[str, str]:
    """(a mangled Authorization, the good one it came from)."""
    now = int(time.time())
    start = draw(st.sampled_from([now - 60, now - 100000, now + 100000, 0, 2**40]))
    good = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", "card.jpg", {}, {"Host": HOST},
                         start=start, expire=draw(st.sampled_from([600, 0, 10**9])))
    parts = [p.split("=", 1) for p in good.split("&")]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["drop", "repeat", "value", "name", "case", "junk", "other key", "hex"]))
        i = draw(st.integers(0, len(parts) - 1))
        if op == "drop" and len(parts) > 1:
            del parts[i]
        elif op == "repeat":
            parts.insert(i, list(parts[i]))
        elif op == "value":
            parts[i][-1] = draw(st.text(alphabet=SIG_CHARS, max_size=40))
        elif op == "name":
            parts[i][0] = draw(st.sampled_from(FIELDS + ["q-x", "", "Q-AK"]))
        elif op == "case":
            parts[i][-1] = parts[i][-1].upper()
        elif op == "other key":
            parts[1] = ["q-ak", draw(st.sampled_from(["AKIDNOBODY", "", DEV_ACCESS_KEY.lower(), DEV_SECRET_KEY]))]
        elif op == "hex":
            parts[-1] = ["q-signature", draw(st.text(alphabet="0123456789abcdef", min_size=38, max_size=42))]
    return "&".join("=".join(p) for p in parts), good


@fuzz(100, 3000)
@given(forged=st.one_of(forged_authorizations(), st.text(alphabet=SIG_CHARS, max_size=120).map(lambda t: (t, ""))))
def test_fuzz_signatures(cos, forged):
    auth, good = forged
    cls = _send(cos, "GET", "card.jpg", auth=auth, family="signatures", allowed=DENIED | {"200"})
    if cls == "200":  # only a re-spelling of a good signature (hex and names in another case) passes
        assert auth.lower() == good.lower() and good, auth


# --- Config and CardSide --------------------------------------------------------------------------------------

CONFIG_KEYS = ["CropIdCard", "CropPortrait", "CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn",
               "TempIdWarn", "InvalidDateWarn", "Quality", "MultiCardDetect", "x", ""]
config_values = st.one_of(st.booleans(), st.integers(), st.none(), st.text(max_size=4))
json_like = st.one_of(
    st.dictionaries(st.sampled_from(CONFIG_KEYS), config_values, max_size=5).map(json.dumps),
    st.text(alphabet='{}[]":,truefalsn 0123+%\\', max_size=60),
    st.text(max_size=40))


@fuzz(100, 3000)
@given(config=json_like, side=st.one_of(st.none(), st.sampled_from(["FRONT", "BACK", "front", "", "BOTH"]),
                                        st.text(max_size=8)),
       method=st.sampled_from(["GET", "PUT"]))
def test_fuzz_config(cos, config, side, method):
    params = {"ci-process": "IDCardOCR", "Config": config, **({"CardSide": side} if side is not None else {})}
    _send(cos, method, "card.jpg", params=params, body=PHOTO if method == "PUT" else b"", family="config",
          allowed={"200", "400 InvalidParameter.ConfigFormatError",
                   "400 InvalidParameterValue.InvalidParameterValueLimit"})


# --- raw HTTP: bodies that lie about themselves ------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("cos-live"))
    settings.limits.body_timeout_seconds = 1.0
    with live_cos(settings, FakePipeline()) as server:
        yield server


# --- keys, hosts, ranges --------------------------------------------------------------------------------------

KEY_PARTS = st.sampled_from(["..", ".", "", "a", "证件", "a b", "+", "%", "%2F", "%00", "~", "\\", "?", "#"])


def _raw(live, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """One request as exactly these bytes (no client library normalising the path) on the
    live server; its answer."""
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {len(body)}"]
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as s:
        s.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
        return read_answer(s, 5.0, head_only=method == "HEAD")


@fuzz(100, 3000)
@given(segments=st.lists(st.one_of(KEY_PARTS, st.text(max_size=12)), min_size=1, max_size=6),
       raw=st.one_of(st.none(), st.sampled_from(["/%FF%FE", "/a/%C3", "/%00", "/" + "k" * 900, "//", "/./..",
                                                 "/a%2F..%2F..%2Fb", "/%E8%AF%81", "/a/../../../etc/passwd"])))
def test_fuzz_keys(live, segments, raw):
    """Keys as the SDK sends them (quote(key, "/-_.~"): `..` and empty segments kept), PUT then
    GET: the same bytes back, or a refusal; and paths that no key encodes to."""
    key = "/".join(segments)
    allowed = {"200", "400 InvalidParameterValue.InvalidParameterValueLimit", "405 MethodNotAllowed",
               "403 SignatureDoesNotMatch"}
    data = key.encode("utf-8", "surrogatepass")
    path = raw if raw is not None else "/" + quote(data, safe="/-_.~")
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "PUT", key, {}, {"Host": HOST})
    answer = _raw(live, "PUT", path, {"Host": HOST, "Authorization": auth}, data)
    cls = record_cos("keys", answer.status, answer.body, answer.headers, hang=answer.hang, allowed=allowed)
    if raw is None and cls == "200":
        auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", key, {}, {"Host": HOST})
        got = _raw(live, "GET", path, {"Host": HOST, "Authorization": auth})
        assert got.status == 200 and got.body == data, key


@fuzz(60, 2000)
@given(host=st.one_of(st.sampled_from(["127.0.0.1", "localhost:1", "[::1]:8081", "x.cos.ap-beijing.myqcloud.com",
                                       f"{DEV_BUCKET}.cos.x.myqcloud.com:99", "", ":", "[", "a..b"]),
                      st.text(alphabet=string.printable.strip(), max_size=40)),
       rng=st.one_of(st.none(), st.sampled_from(["bytes=0-0", "bytes=-1", "bytes=5-", "bytes=99999-", "bytes=3-1",
                                                 "bytes=-0", "bytes=0-1,3-4", "items=0-1", "bytes=", "bytes=-"]),
                     st.text(alphabet="bytes=-0123456789, ", max_size=20)))
def test_fuzz_hosts_and_ranges(cos, host, rng):
    headers = {"Host": host, **({"Range": rng} if rng is not None else {})}
    _send(cos, "GET", "card.jpg", headers=headers, family="hosts", allowed={
        "200", "206", "404 NoSuchBucket", "416 InvalidRange", "403 SignatureDoesNotMatch"})


@fuzz(40, 1500)
@given(size=st.integers(0, 3000), sent=st.integers(0, 3000), md5=st.one_of(st.none(), st.text(
    alphabet=string.ascii_letters + "=+/", max_size=30)), declared=st.one_of(st.none(), st.sampled_from(
        ["-1", "abc", "1e3", " 5", "99999999999999999999"])), ci=st.booleans())
def test_fuzz_raw_bodies(live, size, sent, md5, declared, ci):
    body = bytes(range(256)) * (size // 256 + 1)
    body = body[:size]
    headers = {"Host": HOST, "Content-Length": declared if declared is not None else str(size)}
    if md5 is not None:
        headers["Content-MD5"] = md5
    params = {"ci-process": "IDCardOCR"} if ci else {}
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "PUT", "raw.jpg", params, {"Host": HOST})
    query = "?ci-process=IDCardOCR" if ci else ""
    head = "\r\n".join([f"PUT /raw.jpg{query} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
                        f"Authorization: {auth}"]).encode() + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as s:
        s.sendall(head + body[:sent])
        if sent < size:
            s.shutdown(socket.SHUT_WR)  # the body ends early: the client is gone, or said too much
        answer = read_answer(s, 5.0)
    if answer.status is None:  # closed without an answer: only when the body was cut short
        assert answer.closed and sent < size and not answer.hang
        return
    record_cos("raw", answer.status, answer.body, answer.headers)
