"""The fuzz suite's bookkeeping: which answers the service documents, and a tally of the answer
classes seen (printed at the end of the run by conftest, merged across xdist workers).

An answer is documented when it is a success (200 with {"result"} or /health's {"status": "ok"},
201 with a token) or an
error whose (HTTP status, error_code) pair is one the error tree gives (render.huawei.
ERROR_CODES), in Huawei's JSON body, with an X-Request-Id. Anything else is "undocumented"; a
status of 500 or more is also counted as "5xx" (only an internal error may answer 500, and the
fuzz suite provokes none); no answer within the wait is a "hang".
"""

from __future__ import annotations

import json
import os
from collections import Counter
from functools import cache

LONG = os.environ.get("CARDOCR_FUZZ") == "long"
SEED = int(os.environ.get("CARDOCR_FUZZ_SEED", "20"))


@cache
def documented_errors() -> frozenset[tuple[int, str]]:
    """(status, code) of every error the service documents, bar the internal error (imported
    late: conftest imports this module in the xdist controller too)."""
    from cardocr import errors
    from cardocr.render.huawei import ERROR_CODES

    return frozenset((cls.status, code) for cls, code in ERROR_CODES.items() if cls is not errors.InternalError)


ANSWERS: Counter[str] = Counter()  # "family: class" -> count


def examples(fast: int, long: int) -> int:
    return long if LONG else fast


def classify(status: int | None, body: bytes | str | None, headers: dict[str, str], *,
             hang: bool = False) -> tuple[str, bool]:
    """(answer class, documented?) for one answer; `headers` with lower-case names."""
    if hang:
        return "hang", False
    if status is None:
        return "closed without an answer", False
    if not headers.get("x-request-id"):
        return f"{status} without X-Request-Id", False
    try:
        data = json.loads(body or b"")
    except ValueError:
        return f"{status} not JSON", False
    if status in (200, 201):
        ok = isinstance(data, dict) and ("result" in data or "token" in data or data == {"status": "ok"})
        return str(status), ok
    code = data.get("error_code") if isinstance(data, dict) else None
    cls = f"{status} {code}"
    if status >= 500 and (status, code) != (503, "ModelArts.4401"):
        return cls, False
    return cls, (status, code) in documented_errors() and isinstance(data.get("error_msg"), str)


def record(family: str, status: int | None, body: bytes | str | None, headers: dict[str, str], *,
           hang: bool = False, allowed: set[str] | None = None) -> str:
    """Tally one answer and fail on an undocumented one, a 5xx, a hang, or (with `allowed`) a
    documented class this family must not produce."""
    cls, documented = classify(status, body, headers, hang=hang)
    return _tally(family, cls, documented, status, body, hang, allowed)


def _tally(family: str, cls: str, documented: bool, status: int | None, body: bytes | str | None,
           hang: bool, allowed: set[str] | None) -> str:
    """Count one classified answer and fail on an undocumented one, a 5xx, a hang, or (with
    `allowed`) a class this family must not produce."""
    ANSWERS[f"{family}: {cls}"] += 1
    if status is not None and status >= 500:
        ANSWERS["total: 5xx"] += 1
    if not documented:
        ANSWERS["total: undocumented"] += 1
    if hang:
        ANSWERS["total: hangs"] += 1
    ANSWERS["total: requests"] += 1
    assert documented and not hang, (family, cls, body)
    assert status is None or status < 500, (family, cls)
    if allowed is not None:
        assert cls in allowed, (family, cls, allowed)
    return cls


def summary(answers: Counter[str]) -> list[str]:
    total = {k: answers.get(f"total: {k}", 0) for k in ("requests", "5xx", "undocumented", "hangs")}
    lines = [f"fuzz answers: {total['requests']} requests, {total['5xx']} 5xx, "
             f"{total['undocumented']} undocumented, {total['hangs']} hangs"]
    for key, n in sorted(answers.items()):
        if not key.startswith("total:"):
            lines.append(f"  {n:6d}  {key}")
    return lines


# --- the COS endpoint (tests/test_cos_fuzz.py): COS's XML --------------------------------------------


@cache
def documented_cos_errors() -> frozenset[tuple[int, str]]:
    """(status, code) of every error the COS endpoint documents (render.tencent: its codes,
    with COS's 403 for every refused signature), bar the internal error."""
    from cardocr import errors
    from cardocr.render.tencent import error_code, error_status

    return frozenset((error_status(cls()), error_code(cls)) for cls in errors.all_leaves()
                     if cls is not errors.InternalError)


def classify_cos(status: int | None, body: bytes | None, headers: dict[str, str], *,
                 hang: bool = False) -> tuple[str, bool]:
    """(answer class, documented?) for one answer of the COS endpoint: a success (200 / 204 /
    206) or COS's `<Error>` with every element non-empty and a documented (status, Code), with
    x-cos-request-id."""
    from xml.etree import ElementTree as ET

    if hang:
        return "hang", False
    if status is None:
        return "closed without an answer", False
    if not headers.get("x-cos-request-id"):
        return f"{status} without x-cos-request-id", False
    if status in (200, 204, 206):
        return str(status), True
    try:
        root = ET.fromstring(body or b"")
    except ET.ParseError:
        return f"{status} not XML", False
    fields = {c.tag: c.text for c in root}
    cls = f"{status} {fields.get('Code')}"
    complete = root.tag == "Error" and all(fields.get(k) for k in ("Code", "Message", "Resource", "RequestId"))
    if status >= 500 and status != 503:
        return cls, False
    return cls, complete and (status, fields.get("Code")) in documented_cos_errors()


def record_cos(family: str, status: int | None, body: bytes | None, headers: dict[str, str], *,
               hang: bool = False, allowed: set[str] | None = None) -> str:
    """As record(), for the COS endpoint's answers."""
    cls, documented = classify_cos(status, body, headers, hang=hang)
    return _tally(f"cos {family}", cls, documented, status, body, hang, allowed)
