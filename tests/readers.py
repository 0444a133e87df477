"""The Huawei answer for an image, the way the API computes it, for tests that skip HTTP."""

from __future__ import annotations

import numpy as np

from cardocr.api import huawei_ocr
from cardocr.ocr.engine import OcrEngine, get_engine
from cardocr.render.huawei import HuaweiOptions


def recognize(path: str, image: np.ndarray, options: HuaweiOptions | None = None,
              engine: OcrEngine | None = None) -> dict:
    """The `result` object the Huawei API at `path` answers (the real models by default)."""
    return huawei_ocr.recognize(path, image, options or HuaweiOptions(), engine or get_engine())


__all__ = ["HuaweiOptions", "recognize"]
