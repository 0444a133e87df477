"""Two `cardocr serve` instances sharing one config, as replicas behind a load balancer: a
token issued by one is accepted by the other (the shared token_secret), and an instance told to
stop (SIGTERM) finishes the reading in flight, refuses new connections and exits cleanly. Real
processes, real worker processes, real models (one worker each)."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import httpx
import pytest

from apihelpers import OCR_PATH, assert_error, password_body
from cardocr.api.app import create_app
from cardocr.settings import Settings
from tools.cardgen import make_sample

ROOT = Path(__file__).resolve().parents[1]
SECRET = "replicas-share-this-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(config: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARDOCR_")}
    # each replica also serves the COS port, and its buckets' objects: on ports and folders of its own
    env["CARDOCR_COS_PORT"] = str(_free_port())
    env["CARDOCR_DATA_DIR"] = str(log.parent / f"data-{port}")
    return subprocess.Popen([sys.executable, "-m", "cardocr", "serve", "--config", str(config), "--port", str(port),
                             "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))


def _wait(url: str, path: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url}{path} not answering 200 after {seconds} s")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    config = tmp / "cardocr.toml"
    config.write_text(f'token_secret = "{SECRET}"\n\n[limits]\nshutdown_timeout_seconds = 30\n')
    ports = [_free_port(), _free_port()]
    procs = [_start(config, port, tmp / f"{i}.log") for i, port in enumerate(ports)]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url in urls:
            _wait(url, "/health", 60)
        yield urls, procs, [tmp / "0.log", tmp / "1.log"]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)


def _token(url: str) -> str:
    r = httpx.post(url + "/v3/auth/tokens", json=password_body(), timeout=10)
    assert r.status_code == 201
    return r.headers["X-Subject-Token"]


def test_a_token_from_one_replica_is_accepted_by_the_other(replicas):
    (a, b), _, _ = replicas
    for issuer, other in ((a, b), (b, a)):
        r = httpx.get(other + "/v3/projects", headers={"X-Auth-Token": _token(issuer)}, timeout=10)
        assert r.status_code == 200, r.text
        assert [p["id"] for p in r.json()["projects"]] == ["0000000000000000000000000000dev0"]
    # the secret makes it so, not the luck of one process: another secret refuses it
    other = create_app(Settings(token_secret="a-different-secret-0123456789"))
    from fastapi.testclient import TestClient

    assert_error(TestClient(other).get("/v3/projects", headers={"X-Auth-Token": _token(a)}), 401, "ModelArts.4102")


def test_sigterm_finishes_the_reading_in_flight_and_refuses_new_connections(replicas):
    (a, b), (proc_a, _), (log_a, _) = replicas
    _wait(a, "/ready", 120)
    photo, person, _ = make_sample(5, "front", "photo")
    image = base64.b64encode(cv2.imencode(".jpg", photo)[1].tobytes()).decode()
    answer: dict = {}

    def post() -> None:  # the token comes from the other replica
        answer["r"] = httpx.post(a + OCR_PATH, json={"image": image}, headers={"X-Auth-Token": _token(b)},
                                 timeout=60)

    t = threading.Thread(target=post)
    t.start()
    deadline = time.monotonic() + 30
    while "cardocr_inference_in_flight 1.0" not in httpx.get(a + "/metrics", timeout=5).text:
        assert time.monotonic() < deadline and t.is_alive(), "the reading never started"
        time.sleep(0.01)
    proc_a.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(httpx.ConnectError):  # the listener is closed at once
        httpx.get(a + "/health", timeout=5)
    t.join(60)
    r = answer["r"]
    # the reading in flight was finished: the card's number (the field its check character
    # verifies; the name on this photo is read unsure, either way by a pixel of JPEG)
    assert r.status_code == 200 and r.json()["result"]["number"] == person.number
    assert proc_a.wait(30) == 0
    assert httpx.get(b + "/health", timeout=5).status_code == 200  # the other replica serves on
    # its log: JSON lines; the reading's access line carries its request id, the worker's lines too
    lines = [json.loads(line) for line in log_a.read_text().splitlines()]
    rid = r.headers["X-Request-Id"]
    assert any(x.get("logger") == "cardocr.access" and x.get("request_id") == rid and x.get("status") == 200
               for x in lines)
    assert any(x.get("message") == "inference worker 0 ready" for x in lines)
    assert person.name not in log_a.read_text()
