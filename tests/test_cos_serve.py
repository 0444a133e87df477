"""The COS endpoint's settings (defaults, environment, TOML `[[cos.buckets]]`), its signature
check on its own (cardocr.cos.signing), and `cardocr serve` answering on both ports from one
command, stopped by one SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError

from cardocr.cos.signing import CosRequest, CosSignatureVerifier, host_without_port
from cardocr.errors import AccessKeyUnknown, RequestExpired, SignatureExpired, SignatureMalformed, SignatureMismatch
from cardocr.settings import DEV_ACCESS_KEY, DEV_BUCKET, DEV_SECRET_KEY, DEV_USER, Settings
from cosserver import REGION, authorization

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_environment(monkeypatch, tmp_path):
    s = Settings()
    assert (s.port, s.cos_port, s.data_dir) == (8080, 8081, Path("./data"))
    assert [(b.name, b.owner) for b in s.cos.buckets] == [(DEV_BUCKET, DEV_USER)] and s.cos.storage == "filesystem"
    monkeypatch.setenv("CARDOCR_COS_PORT", "9181")
    monkeypatch.setenv("CARDOCR_DATA_DIR", str(tmp_path))
    s = Settings()
    assert (s.cos_port, s.data_dir) == (9181, tmp_path)


def test_toml_buckets(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("""
        [[accounts]]
        user = "alice"
        password = "pw"
        domain = "acme"
        project_id = "0123456789abcdef0123456789abcdef"
        access_key = "ALICEKEY"
        secret_key = "alice-secret"

        [[cos.buckets]]
        name = "ids-1250000001"
        owner = "alice"
        domains = ["OCR.Acme.example"]

        [[cos.buckets]]
        name = "more-1250000001"
        owner = "alice"
    """)
    s = Settings(config=config)
    assert [b.name for b in s.cos.buckets] == ["ids-1250000001", "more-1250000001"]
    assert s.cos.buckets[0].domains == ["ocr.acme.example"]
    text = config.read_text()
    config.write_text(text.replace('owner = "alice"\n        domains', 'owner = "mallory"\n        domains'))
    with pytest.raises(ValidationError, match="not an account"):
        Settings(config=config)
    config.write_text(config.read_text().replace("ids-1250000001", "Bad_Name"))
    with pytest.raises(ValidationError):
        Settings(config=config)


NOW = 1_800_000_000.0
HOST = f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com"


def _request(auth: str, host: str = HOST, query: str = "") -> CosRequest:
    return CosRequest("GET", "/photos/id%201.jpg", query, {"host": host, "authorization": auth})


@pytest.mark.parametrize("wire_host,signed_host", [(HOST, HOST), ("127.0.0.1:8081", "127.0.0.1"),
                                                   ("127.0.0.1:8081", "127.0.0.1:8081")])
def test_signature_host_with_or_without_port(wire_host, signed_host):
    verifier = CosSignatureVerifier(Settings().accounts, lambda: NOW)
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", "photos/id 1.jpg", {}, {"Host": signed_host},
                         start=int(NOW) - 60)
    assert verifier.verify(_request(auth, wire_host)).user == DEV_USER
    with pytest.raises(SignatureMismatch):
        verifier.verify(_request(auth, "other.example:8081"))


def test_signature_params_as_requests_sends_them():
    """Config's spaces arrive as `+` (a form), are signed as %20; an unsigned extra param is fine."""
    verifier = CosSignatureVerifier(Settings().accounts, lambda: NOW)
    params = {"ci-process": "IDCardOCR", "Config": '{"CropIdCard": true}'}
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", "photos/id 1.jpg", params, {"Host": HOST},
                         start=int(NOW) - 60)
    query = "ci-process=IDCardOCR&Config=%7B%22CropIdCard%22%3A+true%7D&extra=1"
    assert verifier.verify(_request(auth, query=query)).user == DEV_USER
    with pytest.raises(SignatureMismatch):
        verifier.verify(_request(auth, query=query.replace("true", "false")))


def test_signature_refusals():
    verifier = CosSignatureVerifier(Settings().accounts, lambda: NOW)

    def auth(**kw):
        return authorization(kw.pop("ak", DEV_ACCESS_KEY), DEV_SECRET_KEY, "GET", "photos/id 1.jpg", {},
                             {"Host": HOST}, **kw)

    cases = [(auth(start=int(NOW) - 7200, expire=600), RequestExpired),
             (auth(start=int(NOW) + 3600), SignatureExpired),
             (auth(start=int(NOW), ak="NOBODY"), AccessKeyUnknown),
             (auth(start=int(NOW)).replace("sha1", "sha256", 1), SignatureMalformed),
             (auth(start=int(NOW)) + "&q-ak=again", SignatureMalformed),
             ("", SignatureMalformed)]
    for value, error in cases:
        with pytest.raises(error):
            verifier.verify(_request(value))
    assert host_without_port("[::1]:8081") == "[::1]" and host_without_port("a.b") == "a.b"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cardocr_serve_answers_on_both_ports(tmp_path):
    port, cos_port = _free_port(), _free_port()
    env = {**os.environ, "CARDOCR_PORT": str(port), "CARDOCR_COS_PORT": str(cos_port),
           "CARDOCR_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "cardocr", "serve", "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # the models load before the ports answer
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                cos = requests.get(f"http://127.0.0.1:{cos_port}/x.jpg", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, "cardocr serve did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        assert cos.status_code == 403 and "<Code>AccessDenied</Code>" in cos.text and cos.headers["x-cos-request-id"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0  # both servers stop on one signal
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_byte_ranges():
    from cardocr.cos.objects import byte_range as _byte_range
    from cardocr.errors import RangeNotSatisfiable

    assert _byte_range(None, 10) is None
    assert _byte_range("bytes=2-4", 10) == (2, 4) and _byte_range("bytes=7-", 10) == (7, 9)
    assert _byte_range("bytes=-3", 10) == (7, 9) and _byte_range("bytes=-30", 10) == (0, 9)
    assert _byte_range("bytes=5-99", 10) == (5, 9)
    for ignored in ("bytes=0-1,3-4", "items=0-1", "bytes=4-2", "bytes=-", "junk"):
        assert _byte_range(ignored, 10) is None  # the whole object, as RFC 9110 allows
    for unsatisfiable, size in (("bytes=10-", 10), ("bytes=-0", 10), ("bytes=0-0", 0), ("bytes=-1", 0)):
        with pytest.raises(RangeNotSatisfiable):
            _byte_range(unsatisfiable, size)


def test_multicard_detect_on_a_photo_of_one_card():
    """MultiCardDetect asks the pipeline for a front and a back; a photo of one card (no second
    card found) is still answered, with that card's side."""
    from apihelpers import FakePipeline, make_image
    from cardocr.cos import ci
    from cardocr.errors import NoCardFound
    from cardocr.render.tencent import TencentOptions
    from cardocr.types import BOTH_SIDES

    fake = FakePipeline({"authority": "北京市公安局", "valid_from": "2010-07-21", "valid_to": "长期"})

    def one_back(doc, image, request):
        if request.side == BOTH_SIDES:
            raise NoCardFound()
        return fake(doc, image, type(request)(side="back", signals=request.signals))

    xml = ci.recognize(one_back, make_image(300, 480), TencentOptions(config=frozenset({"MultiCardDetect"})),
                       Settings().limits)
    assert xml.decode() == ("<Response><IdInfo><Authority>北京市公安局</Authority>"
                            "<ValidDate>2010.07.21-长期</ValidDate></IdInfo></Response>")


def test_logs_name_objects_by_digest(tmp_path):
    """An object key may be a person's name: the access and refusal lines carry its digest."""
    from apihelpers import FakePipeline
    from cosserver import live_cos
    from liveserver import log_lines, serve_logging

    key = "张三 身份证.jpg"
    headers = {"Host": HOST}
    with serve_logging() as buf, live_cos(Settings(data_dir=tmp_path), FakePipeline()) as live:
        auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "PUT", key, {}, headers)
        url = f"http://{live.address}/{requests.utils.quote(key)}"
        assert requests.put(url, data=b"x", headers={**headers, "Authorization": auth}, timeout=10).status_code == 200
        assert requests.get(url, headers=headers, timeout=10).status_code == 403  # refused: logged too
    lines = log_lines(buf)
    paths = [line["path"] for line in lines if "path" in line]
    assert len(paths) >= 3 and all(p.startswith("/sha256:") for p in paths), paths
    assert "张三" not in buf.getvalue() and "%E5%BC%A0" not in buf.getvalue()
