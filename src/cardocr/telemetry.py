"""Internal errors: a bug is logged with its traceback and counted, never passed off as a bad photo.

The log line holds where it happened, the exception's class and the traceback's frames (file,
line, code), but not the exception's message or any local value: those can carry request data.
Where it happened (a request path) and the request id are record fields, not message text
(cardocr.logs writes them escaped, as JSON).
"""

from __future__ import annotations

import logging
import threading
import traceback

log = logging.getLogger("cardocr.internal")

_lock = threading.Lock()
_internal_errors = 0


def report_internal_error(exc: BaseException, where: str, request_id: str = "-") -> None:
    global _internal_errors
    with _lock:
        _internal_errors += 1
    frames = [line.rstrip() for line in traceback.format_tb(exc.__traceback__)]
    # `where` and the request id come from the request: fields, never the message (the JSON
    # formatter escapes them; the message holds only the class and the code's own frames)
    log.error("internal error %s\n%s", type(exc).__name__, "\n".join(frames),
              extra={"request_id": request_id, "where": where, "error": type(exc).__name__})


def internal_error_count() -> int:
    """How many internal errors this process has reported (tests fail when it moves)."""
    with _lock:
        return _internal_errors
