"""Hand-made recogniser output for tests of the CTC decoding, of the evidence drawn from it and
of the checks that choose among a line's alternatives."""

from __future__ import annotations

import numpy as np

from cardocr.ocr.ctc import BLANK, char_index
from cardocr.ocr.types import Line


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


def doubtful_line(text: str, doubt: dict[int, tuple[float, list[tuple[str, float]]]]) -> Line:
    """A line as the recogniser hands it over (text, per-character probability, top
    alternatives): every character read at 0.99 except the positions in `doubt`, which give
    (probability, further alternatives)."""
    probs, alts = [], []
    for i, ch in enumerate(text):
        p, extra = doubt.get(i, (0.99, []))
        probs.append(p)
        alts.append([(ch, p)] + extra)
    return Line(text=text, char_probs=probs, alternatives=alts)
