"""Structured logs: one JSON object per line, so no value from a request can forge a line.

Every record becomes {"time", "level", "logger", "message", ...its `extra` fields}; json.dumps
escapes newlines, NUL and every other control or non-ASCII character, so a project id of
`p\\n2099-01-01 ... ERROR forged` stays inside its own string. Values that come from a request
(a path, a request id) are passed as `extra` fields, never formatted into the message.

An exception attached to a record is written as its class and its traceback's frames only:
an exception's message can carry request data, so it is never logged.

`cardocr serve` calls configure_logging(); uvicorn's own access log is off (it writes the URL
with its query, where a refused `?X-Auth-Token=` would land): cardocr.api.app writes one
access line per request (method, path without the query, status, duration, request id).
httpx and httpcore are held at WARNING: at INFO they log each fetched URL, query included
(a pre-signed image URL carries its signature there).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import IO, Any

# the attributes every LogRecord has: anything else on a record came in through `extra`
# (and uvicorn's `color_message`: the message again, with terminal colour codes)
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime",
                                                                               "color_message"}

MAX_FIELD_CHARS = 512  # a longer string field (a 16 KB path) is cut, marked with "…"

# loggers that write request values (URLs with their query) at INFO
QUIET = ("httpx", "httpcore")


def _field(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
        return value[:MAX_FIELD_CHARS] + "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_field(v) for v in value]
    return _field(str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": _field(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = _field(value)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            out.setdefault("error", type(exc).__name__)
            out["frames"] = [line.rstrip() for line in traceback.format_tb(exc.__traceback__)]
        return json.dumps(out, ensure_ascii=True, separators=(",", ":"))


def configure_logging(level: str | int = "info", stream: IO[str] | None = None) -> logging.Handler:
    """JSON lines on `stream` (stderr) for every logger; returns the handler it installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error"):  # through the root handler, not their own
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
