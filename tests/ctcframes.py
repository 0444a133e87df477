"""Hand-made recogniser output for tests of the CTC decoding and of the evidence drawn from it."""

from __future__ import annotations

import numpy as np

from cardocr.ocr.ctc import BLANK, char_index


def frames_matrix(charset: list[str], steps: list[dict[str, float]]) -> np.ndarray:
    """One frame per step: the given characters' probabilities, the rest of the mass to the
    blank; rows normalised like the recogniser's softmax."""
    index = char_index(charset)
    m = np.full((len(steps), len(charset)), 1e-9, np.float32)
    for t, step in enumerate(steps):
        for ch, p in step.items():
            m[t, index[ch]] = p
        m[t, BLANK] += max(0.0, 1.0 - sum(step.values()))
    return m / m.sum(axis=1, keepdims=True)
