"""App factory: routers, error mapping, request ids, the engine, the bounded inference pool.

Error policy
  * on a wire format's routes, its router renders errors in its own body (ErrorRendering):
    CardOcrError as its status and code, validation errors as InvalidParameter, anything
    else as InternalError (a bug: logged with its traceback, counted, never a stack trace
    in the answer)
  * elsewhere (unknown route / method, a failure outside any route) the Huawei JSON body:
    404 / 405 APIGW.0101 is what Huawei's API gateway answers
Every response carries X-Request-Id (a sane incoming one is echoed, else a new uuid4).
"""

from __future__ import annotations

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
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardocr import __version__
from cardocr.aksk import SignatureVerifier
from cardocr.api import huawei_auth, huawei_iam, huawei_ocr
from cardocr.api.common import Reader, log_access, log_error, log_path
from cardocr.auth import Authenticator, Clock
from cardocr.console import router as console_router
from cardocr.documents import DocumentType
from cardocr.errors import ApiNotFound, CardOcrError, InternalError, InvalidParameter, MethodNotAllowed
from cardocr.intake.fetch import Allowlist
from cardocr.ocr.engine import OcrEngine
from cardocr.render.huawei import error_body
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

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            from cardocr.ocr.engine import get_engine  # onnxruntime sessions: loaded on demand

            self._engine = get_engine(self.threads)
        return self._engine

    def __call__(self, doc: DocumentType, image: np.ndarray, request: ReadRequest) -> list[CardResult]:
        from cardocr.pipeline import read

        return read(doc, image, request, self.engine)


class RequestIdMiddleware:
    """Pure ASGI: stamps X-Request-Id on every response, writes the access line (common.
    log_access), answers `Connection: close` when the body was left unread, turns stray
    exceptions into 500 ModelArts.4505 (logged, counted; it sits inside Starlette's
    ServerErrorMiddleware, so nothing reaches that) and logs a client that went away mid-request
    (ClientDisconnect) as a refusal at INFO: not the service's error. `header` and
    `internal_error` are another wire format's (the COS endpoint: x-cos-request-id, XML)."""

    def __init__(self, app: ASGIApp, header: str = REQUEST_ID_HEADER,
                 internal_error: Callable[[Scope, str], Response] | None = None) -> None:
        self.app = app
        self.header = header.lower().encode("latin-1")
        self.internal_error = internal_error or _internal_error_json

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
            log_access(str(scope.get("method", "-")), log_path(scope), status or 499,
                       time.perf_counter() - began, rid)


def _internal_error_json(_scope: Scope, _rid: str) -> Response:
    err = InternalError()
    return JSONResponse(error_body(err), status_code=err.status)


def _error_response(exc: CardOcrError) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=exc.status)


def create_app(
    settings: Settings | None = None,
    reader: Reader | None = None,
    *,
    clock: Clock | None = None,
    engine: OcrEngine | None = None,
) -> FastAPI:
    """`reader`: replaces the pipeline (tests); `engine`: replaces the models the default
    reader builds from `settings` (engine_threads)."""
    settings = settings or Settings()
    default_reader = EngineReader(settings.engine_threads, engine)
    executor = ThreadPoolExecutor(
        max_workers=settings.workers, thread_name_prefix="cardocr-worker"
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if reader is None:
            _ = default_reader.engine  # load the models before the first request, not during it
        try:
            yield
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="cardocr",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # /v2/.../id-card/ is an unknown path (404 APIGW.0101), as at the vendor: no 307 whose
        # Location echoes the request's Host header
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.executor = executor
    app.state.reader = reader or default_reader
    app.state.auth = Authenticator(settings, clock) if clock else Authenticator(settings)
    app.state.signatures = SignatureVerifier(settings.accounts, app.state.auth.clock)
    app.state.allowlist = Allowlist(settings.url_allowlist)

    @app.exception_handler(CardOcrError)
    async def _cardocr_error(request: Request, exc: CardOcrError) -> JSONResponse:
        log_error(request.scope, exc)
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        log_error(request.scope, exc)
        return _error_response(InvalidParameter())

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err: CardOcrError = ApiNotFound()
        elif exc.status_code == 405:
            err = MethodNotAllowed()
        else:
            err = InvalidParameter()
            err.status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return _error_response(err)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(huawei_auth.router)
    app.include_router(huawei_iam.router)
    app.include_router(huawei_ocr.router)
    app.include_router(console_router)  # the web console at /: a client of the routes above
    app.add_middleware(RequestIdMiddleware)
    return app
