"""What the recogniser returns for one text line."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Line:
    """One recognised line.

    `probs` keeps the CTC posterior matrix (timesteps × classes) so a document module
    can re-decode the same pixels under its own alphabet (digits only, a closed list of
    words) without running the model again.
    """

    text: str
    char_probs: list[float]
    probs: np.ndarray | None = None
    quad: np.ndarray | None = None  # 4x2, in the coordinates of the image it was cut from
    alternatives: list[list[tuple[str, float]]] = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(np.mean(self.char_probs)) if self.char_probs else 0.0

    @property
    def min_prob(self) -> float:
        return float(min(self.char_probs)) if self.char_probs else 0.0
