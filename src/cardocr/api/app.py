"""App factory: routers, error mapping, request ids, the bounded inference pool.

Error policy
  * CardOcrError            -> its HTTP status + {"error_code", "error_msg"}
  * FastAPI validation      -> 400 AIS.0101
  * unknown route / method  -> 404 / 405 APIGW.0101 (what Huawei's API gateway answers)
  * anything else           -> 400 AIS.0105, never a 500 or a stack trace; the log line holds
                               request id, path and exception class only (no body, no values).
Every response carries X-Request-Id (a sane incoming one is echoed, else a new uuid4).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardocr import __version__
from cardocr.api import huawei_auth, huawei_ocr
from cardocr.auth import Authenticator, Clock
from cardocr.errors import (
    ApiNotFound,
    CardOcrError,
    InvalidParameter,
    MethodNotAllowed,
    RecognitionFailed,
)
from cardocr.intake.fetch import Allowlist
from cardocr.settings import Settings

log = logging.getLogger("cardocr.api")

Pipeline = Callable[[str, np.ndarray, object], dict]

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _default_pipeline(doc_type: str, image: np.ndarray, options: object) -> dict:
    from cardocr.pipeline import recognize  # imported on first use: models load lazily

    return recognize(doc_type, image, options)  # type: ignore[arg-type]


def _request_id(scope: Scope) -> str:
    return (scope.get("state") or {}).get("request_id", "-")


def _log_error(scope: Scope, exc: BaseException, level: int = logging.WARNING) -> None:
    log.log(level, "request_id=%s path=%s error=%s",
            _request_id(scope), scope.get("path", "-"), type(exc).__name__)


class RequestIdMiddleware:
    """Pure ASGI: stamps X-Request-Id on every response and turns stray exceptions into
    400 AIS.0105 (it sits inside Starlette's ServerErrorMiddleware, so nothing reaches it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for k, v in scope.get("headers", []):
            if k == b"x-request-id":
                incoming = v.decode("latin-1")
                break
        rid = incoming if _SANE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the whole point
            _log_error(scope, exc, logging.ERROR)
            if started:
                return  # headers already sent; nothing sane left to do
            err = RecognitionFailed()
            response = JSONResponse(err.huawei_body(), status_code=err.status)
            await response(scope, receive, send_with_id)


def _error_response(exc: CardOcrError) -> JSONResponse:
    return JSONResponse(exc.huawei_body(), status_code=exc.status)


def create_app(
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
    *,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or Settings()
    executor = ThreadPoolExecutor(
        max_workers=settings.workers, thread_name_prefix="cardocr-worker"
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
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
    )
    app.state.settings = settings
    app.state.executor = executor
    app.state.pipeline = pipeline or _default_pipeline
    app.state.auth = Authenticator(settings, clock) if clock else Authenticator(settings)
    app.state.allowlist = Allowlist(settings.url_allowlist)

    @app.exception_handler(CardOcrError)
    async def _cardocr_error(request: Request, exc: CardOcrError) -> JSONResponse:
        _log_error(request.scope, exc, logging.INFO)
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        _log_error(request.scope, exc, logging.INFO)
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
    app.include_router(huawei_ocr.router)
    app.add_middleware(RequestIdMiddleware)
    return app
