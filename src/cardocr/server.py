"""The HTTP layer: uvicorn (its h11 protocol) configured from Settings, answering what it
answers itself in Huawei's JSON error body with an X-Request-Id, like every other answer.

What the server answers before (or instead of) the app (README, "HTTP-layer limits"):
  * a request h11 cannot parse (control bytes or bad syntax in a header, bad or conflicting
    Content-Length, bad chunking, a Transfer-Encoding other than chunked, HTTP/1.1 without
    Host, ...): 400 APIGW.0201 "API request error." (uvicorn's own answer is plain text);
  * a request line and headers over limits.max_header_bytes: 494 APIGW.0201 (the API
    gateway's status for "Request headers too large.");
  * a request head not complete within limits.header_timeout_seconds of the connection opening
    or of the previous answer: 408 APIGW.0201 when part of it came, a plain close when nothing
    did (an idle keep-alive connection is closed after limits.keep_alive_seconds);
  * more than limits.max_connections connections open, or requests in flight: 503
    ModelArts.4401 "Max concurrency error." and the connection is closed (uvicorn's own
    answer is plain text);
  * the body's time limit (limits.body_timeout_seconds) is the app's: api.common.read_body.
Each of these answers closes the connection and writes an access line. The COS port answers
them in COS's XML instead (`wire`: cardocr.cos.app.HTTP_ERRORS); serve_all runs both ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from cardocr.api.common import log_access
from cardocr.errors import BadHttpRequest, CardOcrError, HeadersTooLarge, Overloaded, RequestTimeout
from cardocr.render.huawei import error_body
from cardocr.serving.inference import Inference
from cardocr.serving.metrics import Metrics
from cardocr.settings import Limits, Settings

_REASONS = {400: "Bad Request", 408: "Request Timeout", 494: "Request Header Or Cookie Too Large",
            503: "Service Unavailable"}


def _error_bytes(err: CardOcrError) -> bytes:
    return json.dumps(error_body(err), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class WireErrors:
    """How a port answers what the HTTP layer refuses: body (error, request id), its type, and
    the request-id header."""

    body: Callable[[CardOcrError, str], bytes]
    content_type: bytes
    request_id_header: bytes


HUAWEI = WireErrors(lambda err, _rid: _error_bytes(err), b"application/json", b"x-request-id")


class _Connection(h11.Connection):
    """h11's server connection that tells the protocol when a request's head is complete and
    keeps the last protocol error (its status hint says "headers too large")."""

    def __init__(self, max_head_bytes: int, on_head: Any) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_head_bytes)
        self.max_head_bytes = max_head_bytes
        self.on_head = on_head
        self.error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            event = super().next_event()
            if isinstance(event, h11.Request):
                # h11 bounds a head that is still arriving; one that came whole in a single
                # read is measured here
                size = len(event.method) + len(event.target) + 12 + sum(
                    len(name) + len(value) + 4 for name, value in event.headers.raw_items())
                if size > self.max_head_bytes:
                    raise h11.RemoteProtocolError("Request headers too large", error_status_hint=431)
                self.on_head()
        except h11.RemoteProtocolError as exc:
            self.error = exc
            raise
        return event


class CardOcrH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the answers above. `limits` is set per server
    (uvicorn_config makes a subclass)."""

    limits: ClassVar[Limits] = Limits()
    wire: ClassVar[WireErrors] = HUAWEI
    metrics: ClassVar[Metrics | None] = None  # refusals are counted there (cardocr_http_refused)

    def __init__(self, config: uvicorn.Config, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _Connection(self.limits.max_header_bytes, self._head_arrived)
        self._head_timer: asyncio.TimerHandle | None = None
        # the concurrency limit is checked by _guarded (a JSON answer), not by uvicorn
        self.max_concurrency = self.limit_concurrency
        self.limit_concurrency = None
        self._inner_app = self.app
        self.app = self._guarded

    # -- the request head's time limit ----------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._arm_head_timer()  # first: the base class may parse a pipelined head at once
        super().on_response_complete()

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout_seconds, self._head_timeout)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_arrived(self) -> None:
        self._disarm_head_timer()

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being served: its body has its own limit
        if self.conn.trailing_data[0]:  # part of a head came
            self._answer_and_close(RequestTimeout(), "head_timeout")
        else:
            self.transport.close()

    # -- what h11 cannot parse ------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        error = self.conn.error if isinstance(self.conn, _Connection) else None
        too_large = error is not None and error.error_status_hint == 431
        self._answer_and_close(HeadersTooLarge() if too_large else BadHttpRequest(),
                               "headers_too_large" if too_large else "bad_request")

    def _count(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.refuse(reason)

    def _answer_and_close(self, err: CardOcrError, reason: str) -> None:
        """A whole answer written straight to the socket, then the connection closed (h11's
        state no longer matters). Not when an answer to this connection's request has begun:
        a second one would be read as the answer to the next request."""
        self._disarm_head_timer()
        self._count(reason)
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()
            return
        rid = str(uuid.uuid4())
        body = self.wire.body(err, rid)
        head = [f"HTTP/1.1 {err.status} {_REASONS.get(err.status, '')}".encode("ascii"),
                *(name + b": " + value for name, value in self.server_state.default_headers),
                b"content-type: " + self.wire.content_type,
                b"content-length: " + str(len(body)).encode("ascii"),
                b"connection: close",
                self.wire.request_id_header + b": " + rid.encode("ascii")]
        if not self.transport.is_closing():
            self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
            self.transport.close()
        log_access("-", "-", err.status, 0.0, rid)

    # -- the concurrency limit ------------------------------------------------------------------

    async def _guarded(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.max_concurrency
        if limit is not None and (len(self.connections) > limit or len(self.tasks) > limit):
            began = time.perf_counter()
            self._count("too_many_connections")
            rid = str(uuid.uuid4())
            err = Overloaded()
            body = self.wire.body(err, rid)
            await send({"type": "http.response.start", "status": err.status, "headers": [
                (b"content-type", self.wire.content_type), (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"), (b"retry-after", str(self.limits.retry_after_seconds).encode("ascii")),
                (self.wire.request_id_header, rid.encode("ascii"))]})
            await send({"type": "http.response.body", "body": body, "more_body": False})
            log_access(str(scope.get("method", "-")), str(scope.get("path", "-")), err.status,
                       time.perf_counter() - began, rid)
            return
        await self._inner_app(scope, receive, send)


def protocol_for(limits: Limits, wire: WireErrors = HUAWEI,
                 metrics: Metrics | None = None) -> type[CardOcrH11Protocol]:
    return type("CardOcrH11ProtocolWithLimits", (CardOcrH11Protocol,),
                {"limits": limits, "wire": wire, "metrics": metrics})


def uvicorn_config(app: Any, settings: Settings, *, log_level: str = "info", port: int | None = None,
                   wire: WireErrors = HUAWEI, metrics: Metrics | None = None) -> uvicorn.Config:
    """What `cardocr serve` runs: the app on settings.host:port under settings.limits, uvicorn's
    access log off (the app writes its own, without the query string), logging left as
    cardocr.logs.configure_logging set it. `metrics`: where refusals are counted (default: the
    app's inference front's, app.state.inference)."""
    limits = settings.limits
    if metrics is None:
        inference = getattr(getattr(app, "state", None), "inference", None)
        metrics = inference.metrics if isinstance(inference, Inference) else None
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port if port is None else port,
        http=protocol_for(limits, wire, metrics),
        log_config=None,
        log_level=log_level,
        access_log=False,
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=limits.keep_alive_seconds,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        timeout_graceful_shutdown=int(limits.shutdown_timeout_seconds) or None,
    )


class _Server(uvicorn.Server):
    """A uvicorn server whose signals the group handles (uvicorn installs its own handlers per
    server, so of two servers in one process only the last would hear SIGTERM)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve_all(configs: list[uvicorn.Config], inference: Inference | None = None) -> None:
    """Serve every listener (an app on its port: the Huawei API, the COS endpoint) in one event
    loop over one inference pool: the pool starts first (its workers load their models while
    the sockets open; /ready says when they are done) and closes last. SIGTERM or SIGINT: every
    listener stops accepting, requests in flight finish (up to limits.shutdown_timeout_seconds),
    then the workers stop."""
    servers = [_Server(c) for c in configs]
    if inference is not None:
        inference.start()

    async def run() -> None:
        def stop(sig: int) -> None:
            for srv in servers:
                srv.handle_exit(sig, None)

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop, sig)
        await asyncio.gather(*(srv.serve() for srv in servers))

    try:
        asyncio.run(run())
    finally:
        if inference is not None:
            inference.close(timeout=inference.limits.shutdown_timeout_seconds)
