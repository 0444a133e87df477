"""How a worker shares the cores: all of them when it reads alone, its share when all read.

onnxruntime fixes a session's intra-op threads when the session is created, so a worker
holds two engines: one with its share of the cores (cores / workers: N busy workers do not
fight over the cores) and one with every core (one request at a time is not slowed by the
cores it leaves idle). A counter in shared memory holds how many workers are reading; the
runners in the HTTP process count a job from before it is sent until its answer is back
(a worker that dies mid-job cannot leave it counted). Each model run picks its engine by the
count at that moment, so a reading that started alone moves to its share as soon as another
worker starts; OpenCV's threads follow the same count, set at the start of each reading.
"""

from __future__ import annotations

from typing import Any, Protocol

import cv2
import numpy as np

from cardocr.ocr.engine import OcrEngine
from cardocr.ocr.types import Line


class Counter(Protocol):
    """multiprocessing.Value("i"): a shared int."""

    value: int


class LoadShared:
    """An OcrEngine that runs each model on `alone` while at most one worker is busy, else on
    `shared`."""

    def __init__(self, shared: OcrEngine, alone: OcrEngine, busy: Counter,
                 shared_threads: int, alone_threads: int) -> None:
        self._shared, self._alone, self._busy = shared, alone, busy
        self._threads = (shared_threads, alone_threads)

    def _pick(self) -> OcrEngine:
        return self._alone if self._busy.value <= 1 else self._shared

    def set_cv_threads(self) -> None:
        """OpenCV's threads for the reading about to start (the photo search is OpenCV's)."""
        cv2.setNumThreads(self._threads[1] if self._busy.value <= 1 else self._threads[0])

    @property
    def charset(self) -> list[str]:
        return self._shared.charset

    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]:
        return self._pick().detect(image, max_side)

    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]:
        return self._pick().recognize(crops, similar_width, min_width)

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        return self._pick().upside_down(crops)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shared, name)
