"""Where a reading spends its time: find, straighten, detect, recognise, validate.

A StageClock is made active for one reading (`with clock.active():`); the pipeline marks its
stages with `with stage("find"):`, and TimedEngine marks the engine's model runs. Time is
exclusive: a stage entered inside another pauses the outer one, so straighten's own figure does
not include the text detection it runs, and the five figures add up to the reading's time.
With no active clock (the CLI, the bench, most tests) `stage` costs one context-variable look-up.

The figures go to /metrics (cardocr_stage_seconds); they carry no request data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import numpy as np

from cardocr.ocr.types import Line

if TYPE_CHECKING:
    from cardocr.ocr.engine import OcrEngine

STAGES = ("find", "straighten", "detect", "recognise", "validate")

_active: ContextVar[StageClock | None] = ContextVar("cardocr_stage_clock", default=None)


class StageClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stack: list[str] = []
        self._since = 0.0

    @contextmanager
    def active(self) -> Iterator[StageClock]:
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)

    def _charge(self, now: float) -> None:
        if self._stack:
            name = self._stack[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._since
        self._since = now

    def enter(self, name: str) -> None:
        self._charge(time.perf_counter())
        self._stack.append(name)

    def leave(self) -> None:
        self._charge(time.perf_counter())
        self._stack.pop()


@contextmanager
def stage(name: str) -> Iterator[None]:
    clock = _active.get()
    if clock is None:
        yield
        return
    clock.enter(name)
    try:
        yield
    finally:
        clock.leave()


class TimedEngine:
    """An OcrEngine whose model runs are charged to the detect and recognise stages (the
    180-degree classifier counts as recognition: it runs on the same line crops)."""

    def __init__(self, engine: OcrEngine) -> None:
        self._engine = engine

    @property
    def charset(self) -> list[str]:
        return self._engine.charset

    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]:
        with stage("detect"):
            return self._engine.detect(image, max_side)

    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]:
        with stage("recognise"):
            return self._engine.recognize(crops, similar_width, min_width)

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        with stage("recognise"):
            return self._engine.upside_down(crops)

    def __getattr__(self, name: str) -> Any:  # anything else an engine offers, untimed
        return getattr(self._engine, name)
