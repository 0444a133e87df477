"""The calibration map: evidence features -> probability that a field is exactly right.

Per document, a logistic score over evidence.FEATURES plus a per-field offset, then an
isotonic (monotone, piecewise-linear) map of that score to the share of fields right, both
fitted on generator cards (fit.py, `python -m tools.calibrate`) and stored in
calibration.json next to this file, with the document's default review threshold measured on
the same range (threshold.py). A document without a fitted map keeps its readers' confidence
unchanged and the threshold types.REVIEW_THRESHOLD.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..types import REVIEW_THRESHOLD
from .evidence import FEATURES, contradicted, features

log = logging.getLogger(__name__)
MAP_PATH = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class DocumentMap:
    weights: tuple[float, ...]  # FEATURES order
    bias: float
    field_bias: dict[str, float]
    knots_x: tuple[float, ...]  # the isotonic map: score -> probability, increasing in both
    knots_y: tuple[float, ...]
    threshold: float = REVIEW_THRESHOLD  # the default review threshold measured for it
    contradicted: float = 0.0  # stated for a field the card contradicts (evidence.contradicted)

    def score(self, field: str, x: list[float]) -> float:
        z = self.bias + self.field_bias.get(field, 0.0) + float(np.dot(self.weights, x))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def probability(self, field: str, x: list[float]) -> float:
        return float(np.interp(self.score(field, x), self.knots_x, self.knots_y))


@dataclass(frozen=True)
class CalibrationMap:
    documents: dict[str, DocumentMap]

    def apply(self, document: str, evidence: dict[str, Any]) -> dict[str, float]:
        """Field -> calibrated confidence for one card's evidence (evidence.evidence_of)."""
        m = self.documents.get(document)
        xs = features(evidence)
        if m is None:
            return {k: min(1.0, max(0.0, f["conf"])) for k, f in evidence["fields"].items()}
        against = contradicted(evidence)
        return {k: m.contradicted if k in against else m.probability(k, x) for k, x in xs.items()}

    def threshold(self, document: str, asked: float | None = None) -> float:
        """The review threshold: the one asked for (a setting), else the document's measured one."""
        if asked is not None:
            return asked
        m = self.documents.get(document)
        return m.threshold if m is not None else REVIEW_THRESHOLD

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CalibrationMap:
        if tuple(data.get("features", ())) != FEATURES:
            raise ValueError("calibration.json was fitted on other features: run python -m tools.calibrate")
        docs = {}
        for name, d in data["documents"].items():
            xs, ys = zip(*d["knots"])
            docs[name] = DocumentMap(tuple(d["weights"]), d["bias"], dict(d["field_bias"]), xs, ys,
                                     float(d.get("review", {}).get("threshold", REVIEW_THRESHOLD)),
                                     float(d.get("contradicted", 0.0)))
        return cls(docs)


@lru_cache(maxsize=1)
def load_map(path: Path = MAP_PATH) -> CalibrationMap:
    """The shipped map (an empty one before the first fit, or while a map fitted on other
    features waits for `python -m tools.calibrate`: the readers' confidence then stands)."""
    if not path.exists():
        return CalibrationMap({})
    data = json.loads(path.read_text())
    if tuple(data.get("features", ())) != FEATURES:
        log.warning("calibration map fitted on other features: readers' confidence used")
        return CalibrationMap({})
    return CalibrationMap.from_json(data)
