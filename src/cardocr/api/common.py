"""Shared HTTP plumbing: capped body reading, JSON parsing, worker-pool execution."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from cardocr.errors import BodyTooLarge, MalformedBody

T = TypeVar("T")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with BodyTooLarge as soon as it is known to exceed `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise BodyTooLarge()
        except ValueError:
            raise MalformedBody("The Content-Length header is invalid.") from None
    buf = bytearray()
    async for chunk in request.stream():
        buf.extend(chunk)
        if len(buf) > limit:
            raise BodyTooLarge()
    return bytes(buf)


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
    """Run blocking work on the app's bounded inference pool, never on the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        request.app.state.executor, functools.partial(fn, *args)
    )
