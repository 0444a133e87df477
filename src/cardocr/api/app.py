"""App factory: routers, error mapping, request ids, metrics, health, the inference front.

Error policy
  * on a wire format's routes, its router renders errors in its own body (ErrorRendering):
    CardOcrError as its status and code, validation errors as InvalidParameter, anything
    else as InternalError (a bug: logged with its traceback, counted, never a stack trace
    in the answer)
  * elsewhere (unknown route / method, a failure outside any route) the Huawei JSON body:
    404 / 405 APIGW.0101 is what Huawei's API gateway answers
Every response carries X-Request-Id (a sane incoming one is echoed, else a new uuid4); every
503 carries Retry-After (limits.retry_after_seconds).

Readings go through `state.inference` (cardocr.serving.inference: a bounded queue, a deadline,
N workers). create_app builds one on threads of this process unless it is given one (`cardocr
serve` gives it worker processes, shared by every app it serves).

Operator endpoints: GET /health (the process answers), GET /ready (every worker has its models:
200, else 503), GET /metrics (Prometheus text), GET /docs and /openapi.json.
"""

from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardocr import __version__
from cardocr.aksk import SignatureVerifier
from cardocr.api import docs, huawei_auth, huawei_iam, huawei_ocr
from cardocr.api.common import Reader, log_access, log_error, log_path
from cardocr.auth import Authenticator, Clock
from cardocr.console import router as console_router
from cardocr.documents import DocumentType
from cardocr.errors import (
    ApiNotFound,
    CardOcrError,
    InternalError,
    InvalidParameter,
    MethodNotAllowed,
    TokenInvalid,
    TokenMissing,
)
from cardocr.intake.fetch import Allowlist
from cardocr.ocr.engine import OcrEngine
from cardocr.render.huawei import error_body, error_code
from cardocr.serving.inference import Inference, ThreadBackend
from cardocr.serving.metrics import Metrics
from cardocr.settings import Settings
from cardocr.telemetry import report_internal_error
from cardocr.types import CardResult, ReadRequest

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class EngineReader:
    """pipeline.read with an engine built from Settings on first use (the models load once;
    an app whose reader is replaced in tests never loads them)."""

    def __init__(self, threads: int, engine: OcrEngine | None = None) -> None:
        self.threads = threads
        self._engine = engine
        self._timed: OcrEngine | None = None

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            from cardocr.ocr.engine import get_engine  # onnxruntime sessions: loaded on demand

            self._engine = get_engine(self.threads)
        return self._engine

    def __call__(self, doc: DocumentType, image: np.ndarray, request: ReadRequest) -> list[CardResult]:
        from cardocr.pipeline import read
        from cardocr.stages import TimedEngine

        if self._timed is None:
            self._timed = TimedEngine(self.engine)  # its model runs counted per stage (/metrics)
        return read(doc, image, request, self._timed)


class RequestIdMiddleware:
    """Pure ASGI: stamps X-Request-Id on every response, writes the access line (common.
    log_access), answers `Connection: close` when the body was left unread, turns stray
    exceptions into 500 ModelArts.4505 (logged, counted; it sits inside Starlette's
    ServerErrorMiddleware, so nothing reaches that) and logs a client that went away mid-request
    (ClientDisconnect) as a refusal at INFO: not the service's error. `header` and
    `internal_error` are another wire format's (the COS endpoint: x-cos-request-id, XML)."""

    def __init__(self, app: ASGIApp, header: str = REQUEST_ID_HEADER,
                 internal_error: Callable[[Scope, str], Response] | None = None,
                 metrics: Metrics | None = None, retry_after: int = 1) -> None:
        self.app = app
        self.header = header.lower().encode("latin-1")
        self.internal_error = internal_error or _internal_error_json
        self.metrics = metrics
        self.retry_after = str(retry_after).encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        has_body = False
        for k, v in scope.get("headers", []):
            if k == self.header and not incoming:
                incoming = v.decode("latin-1")
            elif (k == b"content-length" and v.strip() not in (b"", b"0")) or k == b"transfer-encoding":
                has_body = True
        rid = incoming if _SANE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = rid
        started = False
        status = 0
        body_read = not has_body
        began = time.perf_counter()

        async def receive_tracked() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_read = True
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != self.header and (body_read or k.lower() != b"connection")]
                headers.append((self.header, rid.encode("latin-1")))
                if status == 503 and not any(k.lower() == b"retry-after" for k, _ in headers):
                    headers.append((b"retry-after", self.retry_after))
                if not body_read:  # answered before the body was read: the connection is not reused
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive_tracked, send_with_id)
        except ClientDisconnect:  # the client went away mid-request: its doing, not an error
            status = status or 499
            log_error(scope, ClientDisconnect())
        except Exception as exc:  # noqa: BLE001 - the whole point
            report_internal_error(exc, log_path(scope), rid)
            if not started:
                await self.internal_error(scope, rid)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - began
            log_access(str(scope.get("method", "-")), log_path(scope), status or 499, seconds, rid)
            if self.metrics is not None:
                route = scope.get("route")
                state = scope["state"]
                self.metrics.observe_request(getattr(route, "path", "unmatched"), str(state.get("document", "-")),
                                             status or 499, str(state.get("answer_code", "-")), seconds)


def _check_metrics_token(request: Request, settings: Settings) -> None:
    """TokenMissing / TokenInvalid unless /metrics is open or the bearer token is the setting's
    (compared in constant time)."""
    if settings.metrics_token is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise TokenMissing("GET /metrics needs Authorization: Bearer <metrics_token>.")
    want = settings.metrics_token.get_secret_value().encode("utf-8")
    if not hmac.compare_digest(given.strip().encode("utf-8"), want):
        raise TokenInvalid("The metrics token is not valid.")


def _internal_error_json(_scope: Scope, _rid: str) -> Response:
    err = InternalError()
    return JSONResponse(error_body(err), status_code=err.status)


def _error_response(exc: CardOcrError, request: Request | None = None) -> JSONResponse:
    if request is not None:
        request.state.answer_code = error_code(exc)
    return JSONResponse(error_body(exc), status_code=exc.status)


def create_app(
    settings: Settings | None = None,
    reader: Reader | None = None,
    *,
    clock: Clock | None = None,
    engine: OcrEngine | None = None,
    inference: Inference | None = None,
) -> FastAPI:
    """`reader`: replaces the pipeline (tests); `engine`: replaces the models the default
    reader builds from `settings` (engine_threads); `inference`: readings go there (worker
    processes, possibly shared with other apps; its owner starts and closes it) instead of
    to `settings.workers` threads of this process running `reader`."""
    settings = settings or Settings()
    default_reader = EngineReader(settings.engine_threads_in_process, engine)
    owned = inference is None
    if inference is None:
        inference = Inference(ThreadBackend(reader or default_reader, settings.workers), settings.limits)
    executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="cardocr-intake")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if owned:
            if reader is None:
                _ = default_reader.engine  # load the models before the first request, not during it
            inference.start()
        try:
            yield
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
            if owned:
                inference.close(timeout=settings.limits.shutdown_timeout_seconds)

    app = FastAPI(
        title="cardocr",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        # /v2/.../id-card/ is an unknown path (404 APIGW.0101), as at the vendor: no 307 whose
        # Location echoes the request's Host header
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.executor = executor
    app.state.inference = inference
    app.state.auth = Authenticator(settings, clock) if clock else Authenticator(settings)
    app.state.signatures = SignatureVerifier(settings.accounts, app.state.auth.clock)
    app.state.allowlist = Allowlist(settings.url_allowlist)

    @app.exception_handler(CardOcrError)
    async def _cardocr_error(request: Request, exc: CardOcrError) -> JSONResponse:
        log_error(request.scope, exc)
        return _error_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        log_error(request.scope, exc)
        return _error_response(InvalidParameter(), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err: CardOcrError = ApiNotFound()
        elif exc.status_code == 405:
            err = MethodNotAllowed()
        else:
            err = InvalidParameter()
            err.status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return _error_response(err, request)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """The process is alive and answering."""
        return {"status": "ok"}

    @app.get("/ready", tags=["operations"], responses={503: {"description": "not ready"}})
    async def ready() -> JSONResponse:
        """Every inference worker has its models loaded and the service is not shutting down."""
        backend = inference.backend
        body = {"status": "ready" if inference.ready() else "not ready",
                "workers": backend.size, "workers_ready": backend.ready_slots()}
        return JSONResponse(body, status_code=200 if inference.ready() else 503)

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={401: {"description": "metrics_token is set and the request's bearer token is not it"}})
    async def metrics(request: Request) -> Response:
        """Prometheus text format (cardocr.serving.metrics). With the `metrics_token` setting,
        only for "Authorization: Bearer <metrics_token>"."""
        _check_metrics_token(request, settings)
        return Response(generate_latest(inference.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(huawei_auth.router)
    app.include_router(huawei_iam.router)
    app.include_router(huawei_ocr.router)
    app.include_router(console_router)  # the web console at /: a client of the routes above
    docs.install(app)
    app.add_middleware(RequestIdMiddleware, metrics=inference.metrics,
                       retry_after=settings.limits.retry_after_seconds)
    return app
