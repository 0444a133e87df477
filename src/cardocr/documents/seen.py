"""The lines a reader recognised, kept for the confidence evidence (cardocr.confidence).

A document module reads its fields from lines it recognised in boxes of the straightened
card; how sure the recogniser was of each character, what it nearly read instead, and where
the box sat against the zone the layout expected all say how far a field's value can be
trusted. The readers do not pass that along field by field: `read_zones` (and the Hong Kong
reader's own recognition) `record` every line with its box here, while the pipeline is
`recording()`, and cardocr.confidence.lines matches them to the fields' boxes. Outside a
recording, `record` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..ocr.types import Line


@dataclass(frozen=True)
class SeenLine:
    line: Line  # as the recogniser read it (full alphabet), with its posterior matrix
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in straightened-card pixels
    # where the layout put the zone it was read for, (x0, x1, y0, y1) as card fractions;
    # None when the reader does not read by zones (the Hong Kong card)
    zone: tuple[float, float, float, float] | None = None
    fallback: bool = False  # the detector found no line there: the zone's nominal row was read


_SEEN: ContextVar[list[SeenLine] | None] = ContextVar("cardocr_seen_lines", default=None)


def record(line: Line, box: tuple[float, float, float, float],
           zone: tuple[float, float, float, float] | None = None, fallback: bool = False) -> None:
    seen = _SEEN.get()
    if seen is not None:
        seen.append(SeenLine(line, tuple(float(v) for v in box), zone, fallback))  # type: ignore[arg-type]


@contextmanager
def recording() -> Iterator[list[SeenLine]]:
    """Collect the lines recognised inside the block (one reading of one card)."""
    seen: list[SeenLine] = []
    token = _SEEN.set(seen)
    try:
        yield seen
    finally:
        _SEEN.reset(token)
