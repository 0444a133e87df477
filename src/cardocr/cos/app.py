"""The Tencent COS endpoint (its own port, settings.cos_port): a COS-compatible object store
for the configured buckets, and `?ci-process=IDCardOCR` on its objects (cardocr.cos.ci).

    PUT    /<key>                         store (Content-MD5 checked when sent; ETag = quoted MD5)
    PUT    /<key>?ci-process=IDCardOCR    store, then recognise: the answer is the XML
    GET    /<key>                         the object (Range: one byte range -> 206)
    GET    /<key>?ci-process=IDCardOCR    recognise the stored object
    HEAD   /<key>                         its headers
    DELETE /<key>                         204, whether or not it existed

Each request: the bucket from the Host header (cos.buckets), the signature (cos.signing) by a
key of the bucket's owner, then the operation. Errors are COS's XML `<Error>` with its status
(403 for any refused signature); every answer carries x-cos-request-id, a CI answer also
x-ci-request-id.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardocr import __version__
from cardocr.api.app import EngineReader, RequestIdMiddleware
from cardocr.api.common import ErrorRendering, Reader, log_error, read_body, request_id, run_in_pool
from cardocr.auth import Clock
from cardocr.cos import ci
from cardocr.cos.buckets import Buckets
from cardocr.cos.objects import META_PREFIX, byte_range, check_content_md5, object_headers, object_key
from cardocr.cos.signing import CosRequest, CosSignatureVerifier, presigned_authorization
from cardocr.cos.storage import FilesystemStore, ObjectInfo, ObjectMissing, Store, StoreError
from cardocr.errors import (
    ApiNotFound,
    CardOcrError,
    ImageSizeError,
    InternalError,
    InvalidParameter,
    MethodNotAllowed,
    NoSuchKey,
    Overloaded,
    ProjectForbidden,
)
from cardocr.ocr.engine import OcrEngine
from cardocr.render import tencent
from cardocr.render.tencent import TencentOptions
from cardocr.server import WireErrors
from cardocr.serving.inference import Inference
from cardocr.settings import CosBucket, Settings

log = logging.getLogger("cardocr.cos")

REQUEST_ID_HEADER = "x-cos-request-id"
CI_REQUEST_ID_HEADER = "x-ci-request-id"
DEFAULT_CONTENT_TYPE = "application/octet-stream"


# -- errors: COS's XML body ----------------------------------------------------------------------


def _resource(scope: Scope) -> str:
    host = ""
    for k, v in scope.get("headers", []):
        if k == b"host":
            host = v.decode("latin-1")
            break
    raw_path = scope.get("raw_path") or str(scope.get("path", "/")).encode("utf-8")
    return f"{host}{raw_path.decode('latin-1')}"  # the path as sent: percent-encoded


def xml_error(exc: CardOcrError, scope: Scope) -> Response:
    body = tencent.error_body(exc, _resource(scope), request_id(scope))
    return Response(body, status_code=tencent.error_status(exc), media_type=tencent.CONTENT_TYPE)


# what the HTTP layer (cardocr.server) answers on this port: COS's XML
HTTP_ERRORS = WireErrors(lambda err, rid: tencent.error_body(err, "/", rid), tencent.CONTENT_TYPE.encode(),
                         REQUEST_ID_HEADER.encode())


def _internal_error(scope: Scope, _rid: str) -> Response:
    return xml_error(InternalError(), scope)


# the request's scope, for the route's error renderer (ErrorRendering hands it the error only):
# set per request by CosHeadersMiddleware, read in the same task
_SCOPE: ContextVar[Scope] = ContextVar("cos_scope")


def _route_error(exc: CardOcrError) -> Response:
    return xml_error(exc, _SCOPE.get({}))


def _cased(name: bytes) -> bytes:
    """`Content-Type`, `ETag`, ... as COS spells them: the official SDK looks `Content-Type` up
    in a plain dict of the answer's headers (ci_process), so the spelling matters; x-cos-* and
    x-ci-* stay lower-case, as COS sends them."""
    if name.startswith((b"x-cos-", b"x-ci-")):
        return name
    if name == b"etag":
        return b"ETag"
    return b"-".join(part.capitalize() for part in name.split(b"-"))


class CosHeadersMiddleware:
    """Header names spelled as COS spells them (_cased); x-ci-request-id (the request id) on
    every answer to a `ci-process` request; the scope kept where the route's error renderer
    finds it; and the path the log lines name replaced by a digest of the one sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _SCOPE.set(scope)
        # the logs name the object by its key's digest: a key may be a person's name
        raw_path = scope.get("raw_path") or str(scope.get("path", "/")).encode("utf-8")
        scope.setdefault("state", {})["log_path"] = f"/sha256:{hashlib.sha256(raw_path).hexdigest()[:16]}"
        ci_request = b"ci-process" in scope.get("query_string", b"")

        async def send_with_ci(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(_cased(k), v) for k, v in message.get("headers", [])]
                if ci_request:
                    headers.append((CI_REQUEST_ID_HEADER.encode(), request_id(scope).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_ci)


# -- requests ------------------------------------------------------------------------------------


async def authorize(request: Request) -> CosBucket:
    """The bucket the Host names, if a key of its owner signed the request. A refused request's
    body is read (up to max_body_bytes) before the answer: closing a connection with unread
    bytes in it resets it, and a client still sending would lose the answer (COS's 403)."""
    try:
        return _authorize(request)
    except CardOcrError:
        with contextlib.suppress(CardOcrError):
            await read_body(request, request.app.state.settings.limits.max_body_bytes)
        raise


def _authorize(request: Request) -> CosBucket:
    state = request.app.state
    bucket: CosBucket = state.buckets.for_host(request.headers.get("host", ""))
    raw_path = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    query = request.scope.get("query_string", b"").decode("latin-1")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.scope["headers"]}
    if "authorization" not in headers:  # a pre-signed URL
        headers["authorization"] = presigned_authorization(query) or ""
    account = state.signatures.verify(CosRequest(request.method, raw_path.decode("latin-1"), query, headers))
    if account.user != bucket.owner:
        raise ProjectForbidden("Access Denied.")
    return bucket


T = TypeVar("T")


async def _stored(fn: Callable[..., T], *args: Any) -> T:
    """A store call on the thread pool; a store that fails is not the client's fault: 503."""
    try:
        return await run_in_threadpool(fn, *args)
    except StoreError as exc:
        log.warning("object store failed: %s", exc)
        raise Overloaded("The object store is unavailable.") from None


async def _recognize(request: Request, photo: bytes, options: TencentOptions, headers: dict[str, str]) -> Response:
    state = request.app.state
    xml = await run_in_pool(request, ci.recognize, state.reader, photo, options, state.settings.limits)
    return Response(xml, media_type=tencent.CONTENT_TYPE, headers=headers)


# -- the routes ----------------------------------------------------------------------------------

class _AnyPath(Convertor[str]):
    """Every path, line breaks too (Starlette's `path` is `.*`, which stops at one): the key
    itself comes from the raw path (object_key)."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("cos_key", _AnyPath())
router = APIRouter(route_class=ErrorRendering.route_class(_route_error))


@router.put("/{path:cos_key}")
async def put_object(request: Request) -> Response:
    bucket = await authorize(request)
    data = await read_body(request, request.app.state.settings.limits.max_body_bytes)  # first: see authorize
    key = object_key(request)
    query = request.query_params
    options = ci.options_from(query) if "ci-process" in query else None  # a bad Config stores nothing
    check_content_md5(request.headers.get("content-md5"), data)
    meta = {k[len(META_PREFIX):]: v for k, v in request.headers.items() if k.startswith(META_PREFIX)}
    content_type = request.headers.get("content-type") or DEFAULT_CONTENT_TYPE
    store: Store = request.app.state.store
    info = await _stored(store.put, bucket.name, key, data, content_type, meta)
    if options is not None:
        return await _recognize(request, data, options, {"ETag": info.etag})
    return Response(headers={"ETag": info.etag})


async def _head(request: Request, bucket: CosBucket, key: str) -> ObjectInfo:
    try:
        return await _stored(request.app.state.store.head, bucket.name, key)
    except ObjectMissing:
        raise NoSuchKey() from None


@router.get("/{path:cos_key}")
async def get_object(request: Request) -> Response:
    bucket = await authorize(request)
    key = object_key(request)
    store: Store = request.app.state.store
    query = request.query_params
    if "ci-process" in query:
        options = ci.options_from(query)
        info = await _head(request, bucket, key)
        if ci.base64_size(info.size) > ci.MAX_BASE64_BYTES:
            raise ImageSizeError()
        try:
            _info, photo = await _stored(store.get, bucket.name, key)
        except ObjectMissing:
            raise NoSuchKey() from None
        return await _recognize(request, photo, options, {})
    info = await _head(request, bucket, key)
    span = byte_range(request.headers.get("range"), info.size)
    try:
        info, data = await _stored(store.get, bucket.name, key, *(span or (0, None)))
    except ObjectMissing:
        raise NoSuchKey() from None
    headers = object_headers(info)
    if span is None:
        return Response(data, media_type=info.content_type, headers=headers)
    headers["Content-Range"] = f"bytes {span[0]}-{span[0] + len(data) - 1}/{info.size}"
    return Response(data, status_code=206, media_type=info.content_type, headers=headers)


@router.head("/{path:cos_key}")
async def head_object(request: Request) -> Response:
    bucket = await authorize(request)
    info = await _head(request, bucket, object_key(request))
    headers = {**object_headers(info), "Content-Length": str(info.size), "Content-Type": info.content_type}
    return Response(headers=headers)


@router.delete("/{path:cos_key}")
async def delete_object(request: Request) -> Response:
    bucket = await authorize(request)
    await _stored(request.app.state.store.delete, bucket.name, object_key(request))
    return Response(status_code=204)


# -- the app -------------------------------------------------------------------------------------


def make_store(settings: Settings) -> Store:
    if settings.cos.storage == "s3":
        from cardocr.cos.s3store import S3Store  # boto3 is imported only when it is used

        return S3Store(settings.cos.s3)
    return FilesystemStore(settings.data_dir)


def create_cos_app(
    settings: Settings | None = None,
    reader: Reader | None = None,
    *,
    clock: Clock | None = None,
    engine: OcrEngine | None = None,
    store: Store | None = None,
    inference: Inference | None = None,
) -> FastAPI:
    """`reader`: replaces the pipeline (tests); `engine`: the models of the default reader;
    `store`: replaces the one the settings name; `inference`: readings go to its worker
    processes (`cardocr serve` shares one pool between the Huawei and the COS ports; its
    owner starts and closes it), through its queue, shedding and deadline."""
    settings = settings or Settings()
    default_reader = EngineReader(settings.engine_threads_in_process, engine)
    # a request waits on this pool while the inference front queues it: enough threads for
    # every worker and every queue place, so the front's queue, not this pool's, decides
    queue = settings.limits.queue_for(settings.workers)
    threads = settings.workers + queue if inference is not None else settings.workers
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cardocr-cos-worker")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if isinstance(app.state.store, FilesystemStore):  # what killed writes left behind
            swept = app.state.store.sweep(app.state.buckets.names, settings.cos.leftover_grace_seconds)
            if swept:
                log.info("removed %d leftovers of interrupted writes", swept, extra={"removed": swept})
        if reader is None and inference is None:
            _ = default_reader.engine  # the models load before the first request
        try:
            yield
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="cardocr COS", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    app.state.settings = settings
    app.state.executor = executor
    app.state.inference = inference  # its metrics count the body refusals (api.common.read_body)
    app.state.reader = reader or (inference.blocking_reader() if inference is not None else default_reader)
    app.state.store = store or make_store(settings)
    app.state.buckets = Buckets(settings.cos.buckets, settings.host)
    app.state.signatures = CosSignatureVerifier(settings.accounts, clock or time.time)

    @app.exception_handler(CardOcrError)
    async def _cardocr_error(request: Request, exc: CardOcrError) -> Response:
        log_error(request.scope, exc)
        return xml_error(exc, request.scope)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        log_error(request.scope, exc)
        return xml_error(InvalidParameter(), request.scope)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        err: CardOcrError = MethodNotAllowed() if exc.status_code == 405 else ApiNotFound()
        return xml_error(err, request.scope)

    app.include_router(router)
    app.add_middleware(CosHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware, header=REQUEST_ID_HEADER, internal_error=_internal_error)
    return app
