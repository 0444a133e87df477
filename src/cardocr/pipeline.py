"""intake → vision → OCR → document → wire format: the one entry point the API and CLI call.

(Placeholder signature; the real pipeline lands in the next commit.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RecognizeOptions:
    side: str | None = None  # "front" | "back" | "double_side" | None (detect)
    return_verification: bool = False
    return_text_location: bool = False
    return_portrait_location: bool = False
    return_portrait_image: bool = False
    return_adjusted_image: bool = False


def recognize(doc_type: str, image: np.ndarray, options: RecognizeOptions) -> dict:
    """Read one decoded BGR image; return the Huawei `result` object, or raise CardOcrError."""
    raise NotImplementedError
