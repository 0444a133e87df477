"""Boosted decision trees evaluated with numpy alone (the tampering model, quality/tampering.py).

tools/train_tampering.py fits them with scikit-learn's HistGradientBoostingClassifier (a dev
dependency, not the service's) and writes each tree as plain lists: per node the feature it
splits on (-1 at a leaf), the split's threshold (a value <= it goes left), its two children and
a leaf's value. The model's logit is the baseline plus one leaf value per tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Trees:
    baseline: float
    feature: np.ndarray  # (trees, nodes) int, -1 at a leaf (and in the padding)
    threshold: np.ndarray  # (trees, nodes)
    left: np.ndarray  # (trees, nodes) int
    right: np.ndarray  # (trees, nodes) int
    value: np.ndarray  # (trees, nodes), a leaf's
    depth: int  # the longest path from a root to a leaf

    @classmethod
    def from_json(cls, model: dict) -> Trees:
        trees = model["trees"]
        width = max(len(t["feature"]) for t in trees)

        def pad(key: str, fill: float, dtype: type) -> np.ndarray:
            return np.array([list(t[key]) + [fill] * (width - len(t[key])) for t in trees], dtype)

        return cls(float(model["baseline"]), pad("feature", -1, np.int64), pad("threshold", 0.0, np.float64),
                   pad("left", 0, np.int64), pad("right", 0, np.int64), pad("value", 0.0, np.float64),
                   int(model["depth"]))

    def logit(self, x: np.ndarray) -> float:
        """The summed leaf values of one feature vector plus the baseline."""
        rows = np.arange(len(self.feature))
        node = np.zeros(len(self.feature), np.int64)
        for _ in range(self.depth):
            f = self.feature[rows, node]
            inner = f >= 0
            go_left = x[np.where(inner, f, 0)] <= self.threshold[rows, node]
            node = np.where(inner, np.where(go_left, self.left[rows, node], self.right[rows, node]), node)
        return self.baseline + float(self.value[rows, node].sum())
