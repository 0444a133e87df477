"""Internal errors: a bug is logged with its traceback and counted, never passed off as a bad photo.

The log line holds where it happened, the exception's class and the traceback's frames (file,
line, code), but not the exception's message or any local value: those can carry request data.
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
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("internal error request_id=%s where=%s error=%s\n%s", request_id, where,
              type(exc).__name__, frames.rstrip())


def internal_error_count() -> int:
    """How many internal errors this process has reported (tests fail when it moves)."""
    with _lock:
        return _internal_errors
