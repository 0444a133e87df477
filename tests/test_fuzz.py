"""Seeded fuzzing of everything a client controls (hypothesis). Every answer must be documented
(tests/fuzzkit.py): a success, or an error the error tree gives, in Huawei's JSON with an
X-Request-Id; never a 5xx, never a hang. The tally of answer classes is printed at the end.

Families: truncated / bit-flipped / spliced images of every accepted format; bad base64 and
arbitrary JSON bodies; forged and re-spelled tokens; SSRF URLs (loopback in many spellings,
names that resolve to it, redirects to it: a canary server on loopback must never be reached);
raw HTTP against the real uvicorn server on a free loopback port (control bytes, bad framing,
conflicting lengths, odd versions, huge heads, truncated heads and bodies).

`make test` runs a fast slice (derandomized: the same examples every run, a few seconds);
`make fuzz` runs the long one (CARDOCR_FUZZ=long, seed CARDOCR_FUZZ_SEED, default 20).
"""

from __future__ import annotations

import asyncio
import base64
import http.server
import io
import json
import re
import string
import threading

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PIL import Image

from apihelpers import FakePipeline, b64, get_token, local_server, make_client, make_image
from cardocr.errors import UrlFetchFailed, UrlRefused
from cardocr.intake.fetch import fetch_image
from cardocr.settings import DEV_PROJECT_ID, Settings
from fuzzkit import LONG, SEED, examples, record
from liveserver import live_server, request

PATHS = {doc: f"/v2/{DEV_PROJECT_ID}/ocr/{doc}" for doc in ("id-card", "hk-id-card", "driver-license")}
IMAGE_ANSWERS = {"200", "400 AIS.0102", "400 AIS.0103"}


def fuzz(fast: int, long: int):
    """Hypothesis settings: derandomized in the fast slice, seeded in the long run."""
    def wrap(fn):
        fn = settings(max_examples=examples(fast, long), deadline=None, derandomize=not LONG, database=None,
                      suppress_health_check=list(HealthCheck))(fn)
        return seed(SEED)(fn) if LONG else fn
    return wrap


@pytest.fixture(scope="module")
def api():
    client, pipe = make_client(pipeline=FakePipeline())
    return client, get_token(client)


def _post(api, path, *, body=None, content=None, token=None, family):
    client, good = api
    headers = {"Content-Type": "application/json", "X-Auth-Token": good if token is None else token}
    if content is None:
        content = json.dumps(body).encode()
    r = client.post(path, content=content, headers=headers)
    return r, record(family, r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()})


# --- images: truncated, bit-flipped, spliced ------------------------------------------------------


def _seed_images() -> list[bytes]:
    out = [make_image(120, 160, ext) for ext in (".jpg", ".png", ".bmp", ".tiff")]
    for mode, fmt, kw in (("L", "PNG", {}), ("RGBA", "PNG", {}), ("P", "PNG", {}), ("CMYK", "JPEG", {}),
                          ("RGB", "JPEG", {"progressive": True}), ("RGB", "TIFF", {"compression": "tiff_lzw"})):
        bio = io.BytesIO()
        Image.new(mode, (160, 120), 90).save(bio, fmt, **kw)
        out.append(bio.getvalue())
    return out


SEED_IMAGES = _seed_images()


@st.composite
def mutated_images(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_IMAGES)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["truncate", "flip", "byte", "splice", "head"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            del data[i:]
        elif op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[i] = draw(st.integers(0, 255))
        elif op == "splice":
            data[i:i + draw(st.integers(0, 64))] = draw(st.binary(max_size=64))
        else:  # the header, where the sizes and the format live
            j = draw(st.integers(0, min(40, len(data) - 1)))
            data[j] = draw(st.integers(0, 255))
    return bytes(data)


@fuzz(60, 3000)
@given(image=mutated_images(), doc=st.sampled_from(sorted(PATHS)))
def test_fuzz_images(api, image, doc):
    _, cls = _post(api, PATHS[doc], body={"image": b64(image)}, family="images")
    assert cls in IMAGE_ANSWERS or (not image and cls == "400 AIS.0101")  # "" is no image at all


# --- base64 and JSON -----------------------------------------------------------------------------------

B64_JUNK = string.ascii_letters + string.digits + "+/=-_ \r\n\t.%:;,\\\x00é"
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                         st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
KEYS = ["image", "side", "return_verification", "return_text_location", "return_portrait_location",
        "return_portrait_image", "return_adjusted_image", "return_issuing_authority", "detect_copy", "x"]


@st.composite
def base64_strings(draw) -> str:
    good = b64(draw(st.sampled_from(SEED_IMAGES)))
    kind = draw(st.sampled_from(["junk", "insert", "pad", "cut", "prefix"]))
    if kind == "junk":
        return draw(st.text(alphabet=B64_JUNK, max_size=200))
    i = draw(st.integers(0, len(good)))
    if kind == "insert":
        return good[:i] + draw(st.text(alphabet=B64_JUNK, min_size=1, max_size=5)) + good[i:]
    if kind == "pad":
        return good.rstrip("=") + "=" * draw(st.integers(0, 5))
    if kind == "cut":
        return good[:i]
    return draw(st.sampled_from(["data:image/jpeg;base64,", "base64,", " ", "\n", "\ufeff"])) + good


@fuzz(60, 3000)
@given(image=base64_strings(), doc=st.sampled_from(sorted(PATHS)))
def test_fuzz_base64(api, image, doc):
    _post(api, PATHS[doc], body={"image": image}, family="base64")


@fuzz(60, 3000)
@given(body=st.one_of(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6), json_values),
       doc=st.sampled_from(sorted(PATHS)))
def test_fuzz_json_bodies(api, body, doc):
    _, cls = _post(api, PATHS[doc], content=json.dumps(body).encode(), family="json")
    assert cls in {"200", "400 AIS.0101", "400 AIS.0102", "400 AIS.0103", "400 ModelArts.4105"}


@fuzz(40, 2000)
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_fuzz_raw_bodies(api, content):
    _post(api, PATHS["id-card"], content=content, family="json")


# --- tokens ----------------------------------------------------------------------------------------------

TOKEN_CHARS = string.ascii_letters + string.digits + "-_=.+/ "


@st.composite
def forged_tokens(draw, good: str) -> str:
    kind = draw(st.sampled_from(["char", "insert", "delete", "pad", "swap", "random", "claims"]))
    i = draw(st.integers(0, len(good) - 1))
    if kind == "char":
        return good[:i] + draw(st.sampled_from(TOKEN_CHARS.strip())) + good[i + 1:]
    if kind == "insert":
        return good[:i] + draw(st.text(alphabet=TOKEN_CHARS.strip(), min_size=1, max_size=3)) + good[i:]
    if kind == "delete":
        return good[:i] + good[i + 1:]
    if kind == "pad":
        body, sig = good.split(".")
        return f"{body}{'=' * draw(st.integers(0, 2))}.{sig}{'=' * draw(st.integers(1, 3))}"
    if kind == "swap":
        body, sig = good.split(".")
        return f"{sig}.{body}"
    if kind == "claims":  # a payload of someone's choosing, with the real signature
        claims = {"v": 1, "u": "cardocr", "d": "cardocr", "p": DEV_PROJECT_ID, "iat": 0,
                  "exp": draw(st.integers(0, 2**40))}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{body}.{good.split('.')[1]}"
    return draw(st.text(alphabet=TOKEN_CHARS, max_size=120))


@fuzz(80, 4000)
@given(data=st.data())
def test_fuzz_tokens(api, data):
    good = api[1]
    token = data.draw(forged_tokens(good))
    _, cls = _post(api, PATHS["id-card"], body={"image": b64(SEED_IMAGES[0])}, token=token, family="tokens")
    if token.strip() == good:
        assert cls == "200"
    else:
        assert cls in {"401 ModelArts.4101", "401 ModelArts.4102"}, (token, cls)


# --- SSRF ---------------------------------------------------------------------------------------------------

LOOPBACK_LITERALS = ["127.0.0.1", "127.1", "127.0.1", "127.255.255.254", "0177.0.0.1", "0x7f.0.0.1",
                     "0x7f000001", "2130706433", "017700000001", "0", "0.0.0.0", "[::1]", "[::]",
                     "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",
                     "[::127.0.0.1]", "[64:ff9b::127.0.0.1]", "[2002:7f00:1::]", "[::1%25lo]", "127.000.000.001"]
NAMES = ["localhost", "LOCALHOST.", "a.localhost", "metadata.google.internal", "images.example.com",
         "xn--n3h.example", "127.0.0.1.nip.io", "例子.测试", "0x7f.example"]
RESOLVED = ["127.0.0.1", "::1", "127.9.9.9", "0.0.0.0", "::ffff:127.0.0.1", "::"]


@st.composite
def ssrf_urls(draw, port: int) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "hTtP", "ftp", "file", "gopher", "dict", ""]))
    host = draw(st.sampled_from(LOOPBACK_LITERALS + NAMES))
    userinfo = draw(st.sampled_from(["", "", "user@", "user:pw@", "images.example.com@", "a%40b@"]))
    port_part = draw(st.sampled_from([f":{port}", f":{port}", "", ":80", ":0", ":65536", ":-1", ":http"]))
    path = draw(st.sampled_from(["/img.png", "/", "/%2e%2e/img.png", "//img.png", "/img.png?x=1#f", ""]))
    sep = draw(st.sampled_from(["://", "://", ":/", ":\\\\", ":///"]))
    return f"{scheme}{sep}{userinfo}{host}{port_part}{path}"


class _Canary(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _hit(self):
        self.server.hits.append(self.requestline)
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"GIF")

    do_GET = do_POST = do_HEAD = _hit


@pytest.fixture(scope="module")
def canary():
    """A loopback server nobody may reach: every SSRF URL points at it one way or another. It
    counts every request it gets, whatever its path or method."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    srv.daemon_threads = True
    srv.hits = []
    srv.port = srv.server_address[1]
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def hop():
    with local_server() as srv:
        yield srv


def _fetch_answer(url: str, resolved: list[str], allow=()) -> str:
    async def resolver(host, port):
        return resolved

    try:
        asyncio.run(fetch_image(url, resolver=resolver, timeout=2, allowlist=allow))
    except UrlRefused:
        return "400 ModelArts.4601"
    except UrlFetchFailed:
        return "400 ModelArts.4603"
    return "fetched"


@fuzz(60, 2000)
@given(data=st.data())
def test_fuzz_ssrf_urls(canary, data):
    url = data.draw(ssrf_urls(canary.port))
    resolved = data.draw(st.lists(st.sampled_from(RESOLVED), min_size=1, max_size=3))
    before = len(canary.hits)
    cls = _fetch_answer(url, resolved)
    from fuzzkit import ANSWERS

    ANSWERS[f"ssrf: {cls}"] += 1
    ANSWERS["total: requests"] += 1
    assert cls in {"400 ModelArts.4601", "400 ModelArts.4603"}, url
    assert len(canary.hits) == before, url


@fuzz(25, 800)
@given(data=st.data())
def test_fuzz_ssrf_redirects(canary, hop, data):
    """An allow-listed image host redirects to the canary: every hop is checked again."""
    target = data.draw(ssrf_urls(canary.port))
    hop.redirect("/start", target, data.draw(st.sampled_from([301, 302, 303, 307, 308])))
    before = len(canary.hits)
    cls = _fetch_answer(hop.url("/start"), ["127.0.0.1"], allow=[f"127.0.0.1:{hop.port}"])
    from fuzzkit import ANSWERS

    ANSWERS[f"ssrf redirect: {cls}"] += 1
    ANSWERS["total: requests"] += 1
    assert cls in {"400 ModelArts.4601", "400 ModelArts.4603"}, target
    assert len(canary.hits) == before, target


def test_ssrf_urls_through_the_api(api, canary):
    for host in ("127.0.0.1", "[::1]", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "0"):
        url = f"http://{host}:{canary.port}/img.png"
        _, cls = _post(api, PATHS["id-card"], body={"url": url}, family="ssrf")
        assert cls in {"400 ModelArts.4601", "400 ModelArts.4603"}
    assert canary.hits == []


# --- raw HTTP against the real server -------------------------------------------------------------------

FAST = {"header_timeout_seconds": 0.25, "body_timeout_seconds": 0.25, "keep_alive_seconds": 1,
        "max_header_bytes": 8192, "max_connections": 16}


@pytest.fixture(scope="module")
def live():
    with live_server(Settings(limits=FAST)) as server:
        raw = request("POST", "/v3/auth/tokens",
                      json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
                          "name": "cardocr", "password": "cardocr-dev", "domain": {"name": "cardocr"}}}}}}).encode(),
                      {"Content-Type": "application/json"})
        server.token = server.send(raw).headers["x-subject-token"]
        server.templates = [
            raw,
            request("POST", PATHS["id-card"], json.dumps({"image": b64(make_image())}).encode(),
                    {"Content-Type": "application/json", "X-Auth-Token": server.token}),
            request("GET", "/health"),
            request("POST", "/v2/p/ocr/passport", b"{}"),
        ]
        yield server


CONTROL = [bytes([c]) for c in [*range(0, 32), 127]]


@st.composite
def raw_requests(draw, templates: list[bytes]) -> bytes:
    data = draw(st.sampled_from(templates))
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["control", "dup_cl", "cl", "te", "host", "version", "huge", "method",
                                   "path", "junk", "fold", "truncate"]))
        if op == "control":
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + draw(st.sampled_from(CONTROL)) + lines[i][j:]
        elif op == "dup_cl":
            lines.append(b"Content-Length: " + str(draw(st.integers(0, 2 * len(body) + 2))).encode())
        elif op == "cl":
            lines = [x for x in lines if not x.lower().startswith(b"content-length")]
            lines.append(b"Content-Length: " + draw(st.sampled_from(
                [b"-1", b"1e3", b"0x10", b" 5", b"99999999999999999999", b"", b"+5",
                 str(len(body) + draw(st.integers(1, 50))).encode(), str(max(0, len(body) - 3)).encode()])))
        elif op == "te":
            lines.append(b"Transfer-Encoding: " + draw(st.sampled_from(
                [b"chunked", b"gzip, chunked", b"chunked, chunked", b"identity", b"chunked;x", b"CHUNKED"])))
            if draw(st.booleans()):
                body = draw(st.sampled_from([b"5\r\nhello\r\n0\r\n\r\n", b"zz\r\nx\r\n0\r\n\r\n", b"5\r\nhel",
                                             b"-1\r\n\r\n", b"0\r\n\r\n", hex(len(body)).encode()[2:] + b"\r\n"
                                             + body + b"\r\n0\r\n\r\n"]))
        elif op == "host":
            lines = [x for x in lines if not x.lower().startswith(b"host")]
            if draw(st.booleans()):
                lines.append(b"Host: " + draw(st.sampled_from([b"a b", b"", b"x" * 300, b"[::1", b"h\x7f"])))
        elif op == "version":
            parts = lines[0].split(b" ")
            parts[-1] = draw(st.sampled_from([b"HTTP/1.0", b"HTTP/2.0", b"HTTP/0.9", b"HTTP/1.2", b"http/1.1",
                                              b"HTTP/1", b"", b"HTTP/1.1 x"]))
            lines[0] = b" ".join(parts)
        elif op == "huge":
            n = draw(st.sampled_from([FAST["max_header_bytes"] - 200, FAST["max_header_bytes"] + 10,
                                      3 * FAST["max_header_bytes"]]))
            lines.append(b"X-Pad: " + b"a" * n)
        elif op == "method":
            parts = lines[0].split(b" ", 1)
            lines[0] = draw(st.sampled_from([b"GET", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"TRACE",
                                             b"CONNECT", b"G\xc3\xa9T", b"", b"post", b"X" * 40])) + b" " + parts[-1]
        elif op == "path":
            parts = lines[0].split(b" ")
            if len(parts) >= 2:
                parts[1] = parts[1] + draw(st.sampled_from(
                    [b"/", b"%00", b"%0a", b"/..", b"//", b"?X-Auth-Token=t", b"#f", b"%", b"%zz", b"\xff"]))
                lines[0] = b" ".join(parts)
        elif op == "junk":
            lines.insert(draw(st.integers(1, len(lines))), draw(st.binary(min_size=1, max_size=30)))
        elif op == "fold":
            lines.append(b" folded-continuation")
        else:  # truncate the whole request somewhere: the head or the body stops coming
            whole = b"\r\n".join(lines) + b"\r\n\r\n" + body
            return whole[:draw(st.integers(1, len(whole) - 1))]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@fuzz(60, 1500)
@given(data=st.data())
def test_fuzz_raw_http(live, data):
    raw = data.draw(raw_requests(live.templates))
    a = live.send(raw, wait=4.0)
    record("raw http", a.status, a.body, a.headers, hang=a.hang)


@pytest.mark.parametrize("path,status", [("/health", 405), (PATHS["id-card"], 405), ("/nowhere", 404)])
def test_head_requests(live, path, status):
    a = live.send(request("HEAD", path), head_only=True)
    assert a.status == status and a.headers["x-request-id"] and a.body == b""


def test_pipelined_requests_are_answered_in_order(live):
    s = live.connect()
    data = b""
    try:
        s.sendall(live.templates[2] * 3)
        s.settimeout(3)
        # until the third body: an answer's head and body may arrive in separate reads
        while data.count(b'{"status":"ok"}') < 3:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3 and data.count(b'{"status":"ok"}') == 3
    assert len(set(re.findall(rb"x-request-id: (\S+)", data))) == 3
