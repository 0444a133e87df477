"""OCR engine: text detection and line recognition behind a small interface."""

from .engine import OcrEngine, OnnxOcrEngine, get_engine
from .types import Line

__all__ = ["Line", "OcrEngine", "OnnxOcrEngine", "get_engine"]
