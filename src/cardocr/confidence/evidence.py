"""What a reading already says about how sure it is, per field, as plain numbers.

Nothing here reads pixels again: the evidence is what the document module left on the
Reading (the recogniser's confidence, the checks, the corrections a closed list or a check
made) and how the pipeline found the card. `features` turns it into the vector the
calibration map (calibration.py) was fitted on; the names in FEATURES are that vector's.
"""

from __future__ import annotations

import math
from typing import Any

from ..types import CardResult

# which checks speak for which fields (a check's name is the document's own; one that
# names no field below speaks for the whole card)
CHECK_FIELDS = {
    "dates": ("valid_from", "valid_to"),
    "validity_span": ("valid_from", "valid_to"),
}

# `logit` is the recogniser's confidence of a field no check or closed list changed; a changed
# field's number is often hand-set (0 for a date rebuilt from the ID number), so it is its own
# feature, `corrected_logit`
FEATURES = ("logit", "sure", "corrected_logit", "empty", "corrected", "field_check_failed",
            "card_check_failed", "deep", "whole", "card_empty", "card_min_logit")


def found_by(method: str) -> str:
    """The quad's method as one of quick / deep / whole (vision.locate names its maps)."""
    if method == "whole":
        return "whole"
    if method.startswith("lines") or "_open" in method:
        return "deep"
    return "quick"


def evidence_of(result: CardResult) -> dict[str, Any]:
    """A JSON-ready record of one card's evidence: no values, only whether each is empty."""
    r = result.reading
    return {
        "document": r.document, "side": r.side, "found_by": found_by(result.found_by),
        "checks": {k: bool(v) for k, v in r.checks.items()},
        "corrected": sorted({f for f, _why in r.corrections}),
        "fields": {k: {"conf": float(f.confidence), "empty": f.value in ("", None)}
                   for k, f in r.fields.items()},
    }


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def check_fields(check: str) -> tuple[str, ...]:
    """The fields a check speaks for: its own list, or the field it is named after."""
    return CHECK_FIELDS.get(check, (check,))


def features(ev: dict[str, Any]) -> dict[str, list[float]]:
    """Field name -> feature vector (FEATURES order) for every field of one card."""
    fields = ev["fields"]
    failed = [c for c, ok in ev["checks"].items() if not ok]
    failed_fields = {f for c in failed for f in check_fields(c)}
    card_empty = sum(1 for f in fields.values() if f["empty"]) / max(1, len(fields))
    card_min = min((_logit(f["conf"]) for k, f in fields.items() if not f["empty"] and k not in ev["corrected"]),
                   default=_logit(1.0))
    out = {}
    for name, f in fields.items():
        corrected = name in ev["corrected"]
        out[name] = [
            0.0 if corrected else _logit(f["conf"]), float(f["conf"] >= 0.999 and not corrected),
            _logit(f["conf"]) if corrected else 0.0, float(f["empty"]),
            float(corrected), float(name in failed_fields), float(bool(failed)),
            float(ev["found_by"] == "deep"), float(ev["found_by"] == "whole"), card_empty, card_min,
        ]
    return out
