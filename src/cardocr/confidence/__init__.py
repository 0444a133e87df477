"""Calibrated confidence per field and a needs-review verdict per card (issue 22).

A layer after the document readers: `assess(result, threshold)` turns the evidence a Reading
already carries (evidence.py) into, per field, the probability that its value is exactly
right (calibration.py: a map fitted on generator cards by `python -m tools.calibrate`), and
sets the card's review reasons:

    low_confidence:<field>   a field's calibrated confidence is below the threshold (the one
                             asked for, else the document's measured default: threshold.py),
                             or the card contradicts the field (evidence.contradicted: stated
                             apart, and below any threshold: the card always goes to review)
    check_failed:<check>     a consistency check of the document failed
    signal:<name>            a capture-quality or fraud signal was raised

Field and check names are the documents' own (a renderer maps them to its vendor's keys).
"""

from __future__ import annotations

from collections.abc import Collection

from ..types import REVIEW_THRESHOLD as DEFAULT_THRESHOLD
from ..types import CardResult
from .calibration import CalibrationMap, load_map
from .evidence import contradicted, evidence_of, features
from .lines import cap_free_text, field_evidence

__all__ = ["DEFAULT_THRESHOLD", "CalibrationMap", "assess", "cap_free_text", "evidence_of", "features",
           "field_evidence", "load_map", "reasons", "threshold_for"]


def reasons(calibrated: dict[str, float], checks: dict[str, bool], raised: list[str],
            threshold: float, against: Collection[str] = ()) -> list[str]:
    """The verdict's reason codes, in a fixed order: fields, checks, signals. `against`: the
    fields the card contradicts (evidence.contradicted), low whatever the threshold: their
    stated share right (~0.3) may lie above a threshold set low, yet nearly all are wrong."""
    out = [f"low_confidence:{k}" for k, c in calibrated.items() if c < threshold or k in against]
    out += [f"check_failed:{k}" for k, ok in checks.items() if not ok]
    out += [f"signal:{k}" for k in sorted(raised)]
    return out


def threshold_for(document: str, threshold: float | None = None) -> float:
    """The threshold asked for, else the document's default measured with its map."""
    return load_map().threshold(document, threshold)


def assess(result: CardResult, threshold: float | None = None) -> CardResult:
    """Set result.calibrated and result.review (in place; returned for chaining). `threshold`:
    None for the document's measured default."""
    cal = load_map()
    ev = evidence_of(result)
    result.calibrated = cal.apply(result.document, ev)
    raised = [name for name, s in result.signals.items() if s.decision]
    result.review = reasons(result.calibrated, result.checks, raised, cal.threshold(result.document, threshold),
                            contradicted(ev) if cal.documents.get(result.document) else ())
    return result
