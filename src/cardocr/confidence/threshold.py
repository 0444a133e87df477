"""The review threshold's trade-off, and the default threshold measured on it (issue 22).

A card goes to review when one of its fields is stated below the threshold or a check failed
(signals aside). Raising the threshold sends more cards to a person and lets fewer wrong
fields through unseen. Per document, `choose` measures on cards the map was not fitted on
(tools.calibrate: out-of-fold on the calibration range) the threshold that:

  1. lets at most SLIP_MAX of the wrong fields through, if that sends at most REVIEW_MAX of
     the cards to review; the threshold is then raised halfway (in review rate) towards
     REVIEW_MAX less REVIEW_MARGIN, so that a wrong field stated a little higher on other
     cards is still caught;
  2. else, sends REVIEW_MAX less REVIEW_MARGIN of the cards to review (the review budget
     spent; the wrong fields that still slip are what the curve gives);

and never lower than FLOOR. A card with a failed check or a field the card contradicts
(evidence.contradicted) goes to review whatever the threshold (Card.check_failed).

The margin is there because the share sent on other seeds is not the calibration range's:
the Mainland map of session 28 (2,880 calibration seeds) sent 13.0% out of fold at a budget of
13%, and 15.2% and 13.4% of session 27's dev and check reads (1,497 and 1,495 cards) at that
threshold; at a budget of 12%, 12.9% and 11.0%, with none of their wrong fields slipping that
the current readers leave unflagged. The bench's held-out range has ~250 cards a document,
over which a share of 12% varies by two points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SLIP_MAX = 0.005  # wrong fields escaping review, as a share of the wrong fields
REVIEW_MAX = 0.15  # cards sent to review
REVIEW_MARGIN = 0.03
# the lowest default: a field stated under 1/2 is more likely wrong than right, and goes to a
# person whatever the budget (on the fresh calibration read of session 25 the licence's
# contradictions alone spent its budget, and the rule above gave 0: a dropped character's
# field stated 0.4 went unseen)
FLOOR = 0.5


@dataclass(frozen=True)
class Card:
    """One card as the verdict sees it: its fields' stated confidence and whether each is
    right, and whether a failed check sends it to review whatever the threshold."""

    stated: tuple[float, ...]
    right: tuple[bool, ...]
    check_failed: bool = False

    @property
    def lowest(self) -> float:
        return min(self.stated, default=1.0)


def trade_off(cards: Sequence[Card], threshold: float) -> tuple[float, float, int]:
    """(share of cards sent to review, share of wrong fields on cards not sent, wrong fields)."""
    sent = wrong = slipped = 0
    for c in cards:
        review = c.check_failed or c.lowest < threshold
        bad = sum(1 for ok in c.right if not ok)
        sent += review
        wrong += bad
        slipped += 0 if review else bad
    return sent / max(1, len(cards)), slipped / max(1, wrong), wrong


def _candidates(cards: Iterable[Card]) -> list[float]:
    """Thresholds where the verdict changes: halfway between one card's lowest stated
    confidence and the next one up (so a card stated a little higher elsewhere still falls
    on the same side), and 0."""
    lows = sorted({c.lowest for c in cards})
    return [0.0, *((a + b) / 2 for a, b in zip(lows, lows[1:])), min(1.0, lows[-1] + 1e-6) if lows else 1.0]


def choose(cards: Sequence[Card], slip_max: float = SLIP_MAX, review_max: float = REVIEW_MAX,
           margin: float = REVIEW_MARGIN) -> dict[str, float]:
    """The default threshold for these cards (rule in the module doc), with the share sent and
    the share of wrong fields slipping at it, and at the two ends it was chosen between."""
    points = [(t, *trade_off(cards, t)[:2]) for t in _candidates(cards)]
    budget = review_max - margin
    within = [p for p in points if p[1] <= budget] or points[:1]
    spend = max(within, key=lambda p: p[0])  # the most cards the budget allows
    safe = next((p for p in points if p[2] <= slip_max), None)  # the fewest cards that catch enough
    if safe is not None and safe[1] <= review_max:
        goal = (safe[1] + max(safe[1], spend[1])) / 2
        pick = max((p for p in points if p[1] <= goal), key=lambda p: p[0], default=safe)
        pick = max(pick, safe, key=lambda p: p[0])
    else:
        pick = spend
    if pick[0] < FLOOR:  # a field more likely wrong than right is always looked at
        pick = (FLOOR, *trade_off(cards, FLOOR)[:2])
    return {"threshold": round(pick[0], 6), "sent": round(pick[1], 4), "slipped": round(pick[2], 4),
            "safe_threshold": round(safe[0], 6) if safe else 1.0, "safe_sent": round(safe[1], 4) if safe else 1.0,
            "budget_threshold": round(spend[0], 6), "budget_slipped": round(spend[2], 4)}
