"""Shared HTTP plumbing: capped body reading, JSON parsing, the intake pool (decoding and
rendering off the event loop; readings go to state.inference, cardocr.serving), and the
per-router error rendering (each wire format answers errors in its own body)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect
from starlette.types import Scope

from cardocr.documents import DocumentType
from cardocr.errors import (
    BodyTooLarge,
    CardOcrError,
    InternalError,
    InvalidParameter,
    MalformedBody,
    RequestTimeout,
)
from cardocr.telemetry import report_internal_error
from cardocr.types import CardResult, ReadRequest

log = logging.getLogger("cardocr.api")

# What reads a decoded image (pipeline.read with the app's engine, or a fake in tests): run by
# the app's inference front (cardocr.serving.inference), in this process or a worker's.
Reader = Callable[[DocumentType, np.ndarray, ReadRequest], list[CardResult]]

T = TypeVar("T")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with BodyTooLarge as soon as it is known to exceed `limit`, and
    with RequestTimeout when it has not all arrived within the settings' body_timeout_seconds
    (a client that declares 1,000 bytes, sends 17 and waits is not waited on for ever)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            too_large = int(declared) > limit
        except ValueError:
            raise MalformedBody("The Content-Length header is invalid.") from None
        if too_large:
            _refused(request, "body_too_large")
            raise BodyTooLarge()
    buf = bytearray()
    try:
        async with asyncio.timeout(request.app.state.settings.limits.body_timeout_seconds):
            async for chunk in request.stream():
                buf.extend(chunk)
                if len(buf) > limit:
                    _refused(request, "body_too_large")
                    raise BodyTooLarge()
    except TimeoutError:
        _refused(request, "body_timeout")
        raise RequestTimeout() from None
    return bytes(buf)


def _refused(request: Request, reason: str) -> None:
    """Count a body refused by its limits in /metrics (cardocr_http_refused), where the app
    has an inference front."""
    inference = getattr(request.app.state, "inference", None)
    metrics = getattr(inference, "metrics", None)
    if metrics is not None:
        metrics.refuse(reason)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """JSON object or MalformedBody (syntax errors, bad UTF-8, absurd nesting, non-objects)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedBody() from None
    if not isinstance(data, dict):
        raise MalformedBody("The request body must be a JSON object.")
    return data


async def read_json_object(request: Request, limit: int) -> dict[str, Any]:
    return parse_json_object(await read_body(request, limit))


async def run_in_pool(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (decoding, rendering) on the app's intake threads, never on the event
    loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        request.app.state.executor, functools.partial(fn, *args)
    )


def log_path(scope: Scope) -> str:
    """The path a log line names: the request's, or what the app put in its place (the COS
    endpoint's paths are object keys, which may name a person: it logs their digest)."""
    return str((scope.get("state") or {}).get("log_path") or scope.get("path", "-"))


def request_id(scope: Scope) -> str:
    return str((scope.get("state") or {}).get("request_id", "-"))


def log_error(scope: Scope, exc: BaseException, level: int = logging.INFO) -> None:
    """One structured line per refused request: id, path, error class as record fields (the
    path and id come from the request: cardocr.logs writes them escaped), never values."""
    log.log(level, "refused %s", type(exc).__name__,
            extra={"request_id": request_id(scope), "path": log_path(scope),
                   "error": type(exc).__name__})


access_log = logging.getLogger("cardocr.access")


def log_access(method: str, path: str, status: int, seconds: float, rid: str) -> None:
    """The access line (uvicorn's own is off: it writes the query string, where a refused
    `?X-Auth-Token=` lands): method, path without the query, status (499: the client went
    away first), duration and request id, as fields."""
    access_log.info("answered %d", status,
                    extra={"request_id": rid, "method": method, "path": path, "status": status,
                           "duration_ms": round(seconds * 1000, 1)})


ErrorRenderer = Callable[[CardOcrError], Response]


class ErrorRendering:
    """Routes whose errors are answered by one renderer: CardOcrError as its wire body, a
    validation error as InvalidParameter, anything else as InternalError (logged with its
    traceback and counted: a bug is not a bad photo)."""

    @staticmethod
    def route_class(render: ErrorRenderer,
                    code_of: Callable[[CardOcrError], str] | None = None) -> type[APIRoute]:
        """`code_of`: the wire format's code for an error, the answer_code /metrics counts
        (default: the error's class name)."""

        def answered(request: Request, exc: CardOcrError) -> Response:
            request.state.answer_code = code_of(exc) if code_of else type(exc).__name__
            return render(exc)

        class Route(APIRoute):
            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                handler = super().get_route_handler()

                async def rendered(request: Request) -> Response:
                    try:
                        return await handler(request)
                    except CardOcrError as exc:
                        log_error(request.scope, exc)
                        return answered(request, exc)
                    except RequestValidationError as exc:
                        log_error(request.scope, exc)
                        return answered(request, InvalidParameter())
                    except ClientDisconnect:
                        raise  # the client went away: not an error (app.RequestIdMiddleware)
                    except Exception as exc:  # noqa: BLE001 - a bug: logged, counted, answered
                        report_internal_error(exc, log_path(request.scope), request_id(request.scope))
                        return answered(request, InternalError())

                return rendered

        return Route
