"""Shared helpers for the API / intake / fetch tests: tiny images, fake pipeline, local server."""

from __future__ import annotations

import base64
import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator

import cv2
import numpy as np
from fastapi.testclient import TestClient

from cardocr.api.app import create_app
from cardocr.settings import DEV_DOMAIN, DEV_PASSWORD, DEV_PROJECT_ID, DEV_USER, Settings
from cardocr.types import CardResult, Field, Reading

OCR_PATH = f"/v2/{DEV_PROJECT_ID}/ocr/id-card"


def make_image(h: int = 40, w: int = 60, ext: str = ".jpg") -> bytes:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, : w // 2] = (255, 128, 0)
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class FakePipeline:
    """Stands in for pipeline.read: records each call as (document name, image shape, dtype,
    ReadRequest) and answers one card per side asked for, whose fields hold `values` (read
    with confidence 0.9, located at the card's top-left corner) and whose portrait sits at
    PORTRAIT. The card's pixels are the photo's (identity homography)."""

    PORTRAIT = np.float32([[10, 10], [30, 10], [30, 30], [10, 30]])

    def __init__(self, values: dict | None = None, exc: BaseException | None = None) -> None:
        self.values = values if values is not None else {"name": "测试", "number": "x"}
        self.exc = exc
        self.calls: list[tuple] = []
        self.threads: list[str] = []

    def __call__(self, doc, image, request):
        self.calls.append((doc.name, image.shape, image.dtype, request))
        self.threads.append(threading.current_thread().name)
        if self.exc is not None:
            raise self.exc
        if request.side == "double_side":
            sides = doc.sides
        else:
            sides = (request.side if request.side in doc.sides else doc.sides[0],)
        quad = np.float32([[0, 0], [4, 0], [4, 4], [0, 4]])
        return [CardResult(Reading(doc.name, side, {k: Field(v, 0.9, quad) for k, v in self.values.items()}),
                           card_image=image, to_photo=np.eye(3), portrait=self.PORTRAIT)
                for side in sides]


def password_body(user=DEV_USER, password=DEV_PASSWORD, domain=DEV_DOMAIN, scope=None) -> dict:
    body: dict = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "password": password, "domain": {"name": domain}}
                },
            }
        }
    }
    if scope is not None:
        body["auth"]["scope"] = {"project": scope}
    return body


def make_client(
    settings: Settings | None = None, pipeline: Callable | None = None, **kw
) -> tuple[TestClient, FakePipeline | Callable]:
    pipe = pipeline if pipeline is not None else FakePipeline()
    app = create_app(settings or Settings(), pipe, **kw)
    return TestClient(app, raise_server_exceptions=False), pipe


def get_token(client: TestClient, **kw) -> str:
    r = client.post("/v3/auth/tokens", json=password_body(**kw))
    assert r.status_code == 201, r.text
    return r.headers["X-Subject-Token"]


def assert_error(r, status: int, code: str) -> None:
    assert r.status_code != 500 or code == "ModelArts.4505"  # 500 only for a bug, never bad input
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert body["error_code"] == code, body
    assert isinstance(body["error_msg"], str) and body["error_msg"]
    assert r.headers.get("X-Request-Id")


# --- a tiny local HTTP server ---------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route(self)


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Callable] = {}
        self.seen_hosts: list[str] = []
        handler = type("H", (_Handler,), {"routes": self.routes})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def body(self, path: str, data: bytes, ctype: str = "image/png") -> None:
        def route(h):
            self.seen_hosts.append(h.headers.get("Host", ""))
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)

        self.routes[path] = route

    def redirect(self, path: str, location: str, code: int = 302) -> None:
        def route(h):
            h.send_response(code)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = route

    def stream(self, path: str, chunk: bytes, count: int, delay: float = 0.0) -> None:
        """Body without Content-Length (connection close delimits it)."""

        def route(h):
            h.send_response(200)
            h.send_header("Content-Type", "image/png")
            h.send_header("Connection", "close")
            h.end_headers()
            try:
                for _ in range(count):
                    h.wfile.write(chunk)
                    h.wfile.flush()
                    if delay:
                        time.sleep(delay)
            except OSError:
                pass
            h.close_connection = True

        self.routes[path] = route

    def status(self, path: str, code: int) -> None:
        def route(h):
            h.send_response(code)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = route


@contextlib.contextmanager
def local_server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
