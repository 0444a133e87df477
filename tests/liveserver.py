"""The service as `cardocr serve` runs it (cardocr.server.uvicorn_config, cardocr.logs), on a
free loopback port in a thread, with a fake pipeline; raw-socket requests against it."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn

from apihelpers import FakePipeline
from cardocr.api.app import create_app
from cardocr.logs import configure_logging
from cardocr.server import uvicorn_config
from cardocr.settings import Settings

_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore")


@contextlib.contextmanager
def serve_logging() -> Iterator[io.StringIO]:
    """cardocr.logs.configure_logging (what `cardocr serve` does) into a buffer; the logging
    set-up it replaced is restored afterwards."""
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate, lg.disabled)
             for lg in (logging.getLogger(n) for n in _LOGGERS)]
    buf = io.StringIO()
    configure_logging("info", stream=buf)
    try:
        yield buf
    finally:
        for lg, handlers, level, propagate, disabled in saved:
            lg.handlers = handlers
            lg.setLevel(level)
            lg.propagate = propagate
            lg.disabled = disabled


def log_lines(buf: io.StringIO) -> list[dict]:
    """Every line of the buffer as a JSON object (fails on any line that is not one)."""
    out = []
    for line in buf.getvalue().splitlines():
        record = json.loads(line)
        assert isinstance(record, dict), line
        out.append(record)
    return out


@dataclass
class Answer:
    status: int | None  # None: no answer (closed, or nothing within the wait)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    closed: bool = False  # the server closed the connection
    hang: bool = False  # nothing conclusive within the wait
    seconds: float = 0.0

    def json(self):
        return json.loads(self.body)


@dataclass
class Live:
    port: int
    settings: Settings
    server: uvicorn.Server
    pipeline: FakePipeline

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def send(self, raw: bytes, *, wait: float = 5.0, sock: socket.socket | None = None,
             head_only: bool = False) -> Answer:
        """Send raw bytes on a new connection (or `sock`) and read one answer: until the
        server closes, or a whole response (by its Content-Length; its head alone with
        `head_only`, the answer to a HEAD request) has come."""
        s = sock or self.connect()
        began = time.monotonic()
        try:
            if raw:
                s.sendall(raw)
            return read_answer(s, wait, began, head_only=head_only)
        finally:
            if sock is None:
                s.close()


def read_answer(s: socket.socket, wait: float, began: float | None = None, *, head_only: bool = False) -> Answer:
    began = time.monotonic() if began is None else began
    data = b""
    deadline = began + wait
    closed = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            break
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
        answer = _parse(data)
        if answer is not None and (head_only or len(answer.body) >= int(answer.headers.get("content-length", "-1"))):
            answer.seconds = time.monotonic() - began
            if answer.headers.get("connection", "").lower() == "close":  # see that it is closed
                answer.closed = _closes(s, min(1.0, max(0.05, deadline - time.monotonic())))
            return answer
    answer = _parse(data) if data else None
    if answer is None:
        return Answer(None, closed=closed, hang=not closed, seconds=time.monotonic() - began)
    answer.closed, answer.seconds = closed, time.monotonic() - began
    return answer


def _closes(s: socket.socket, wait: float) -> bool:
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def _parse(data: bytes) -> Answer | None:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(parts[1]), headers, body)


@contextlib.contextmanager
def live_server(settings: Settings | None = None, pipeline: FakePipeline | None = None) -> Iterator[Live]:
    settings = settings or Settings()
    pipeline = pipeline or FakePipeline()
    server = uvicorn.Server(uvicorn_config(create_app(settings, pipeline), settings, log_level="info"))
    with serving(server) as port:
        yield Live(port, settings, server, pipeline)


@contextlib.contextmanager
def serving(server: uvicorn.Server) -> Iterator[int]:
    """Run a uvicorn server in a thread on a free loopback port (yielded) until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
            version: str = "HTTP/1.1") -> bytes:
    """A well-formed request's bytes (Host and Content-Length added)."""
    h = {"Host": "127.0.0.1", **(headers or {})}
    if body and "Content-Length" not in h and "Transfer-Encoding" not in h:
        h["Content-Length"] = str(len(body))
    lines = [f"{method} {path} {version}", *(f"{k}: {v}" for k, v in h.items())]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body
