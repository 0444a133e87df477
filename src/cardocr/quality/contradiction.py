"""A card that contradicts itself where it was read clearly: evidence of an edit (issue 16).

The Mainland card repeats itself. The ID number ends in a check digit over the other 17, and
holds the birth date and (its 17th digit's parity) the sex printed above it. The back's period
ends 5, 10 or 20 years to the day after it starts (or is 长期), and cannot start after today.
A forger who retypes or copies digits of the number or the period, or pastes in another
person's number, breaks that unless they recompute it: a person checking the card points at
the check digit, or at the birth date the number does not repeat.

A misread breaks it too, so the contradiction counts only where the card was read clearly:
every field the failed check reads was read at SURE or more, or the card's other text (a
bystander: the front's name, address and ethnicity; the back's authority) was read at
BYSTANDER or more. A misread that breaks a check comes with an unclear card: on the stored
reads of sessions 29-30 (tune and check seeds of the main bench, 8,968 ID photos, no edit) 117
failed a check, 13 of them under this rule (0.14%): the rest were small, blurred or
layout-shifted photos whose other text was unsure as well (the backs' authority mostly under
0.5, where the edited backs' was mostly over 0.95). SURE and BYSTANDER are round values read off
those two distributions on tune seeds. Tune pairs 700000..700479 (tools.cardgen.defects, through
the pipeline): the rule fires on 270 of the 480 edited photos and 1 of their 480 unedited twins.
Fronts 163 of 240: numbers retyped 53 of 57, spliced from another card 53 of 56, a digit copied
over another 57 of 68 (an equal digit changes nothing), swapped portraits 0 of 59; backs 107 of
240: periods retyped 61 of 82, copied 46 of 76, spliced whole 0 of 82. The tampering score is
100 where it fires, else the pixel evidence's (quality.tampering).

What it cannot see: an edit that keeps the card consistent (a careful forger's, a period
spliced whole from another card, a swapped portrait), and a card whose checks fail as printed
(a specimen) reads as edited here: that is what this evidence says of it.
"""

from __future__ import annotations

import datetime as dt

from ..documents.checks import parse_date
from ..types import Reading

SURE = 0.9  # the recogniser's confidence of every field a failed check reads
BYSTANDER = 0.95  # ... or of the least sure of the card's other text
# the fields each cross-check reads (cn_id_card._cross_check_front, cn_id_back), and the
# card's other text that a misread would have blurred as well
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "front": {"number": ("number",), "birth": ("number", "birth"), "sex": ("number", "sex")},
    "back": {"dates": ("valid_from", "valid_to"), "validity_span": ("valid_from", "valid_to")},
}
BYSTANDERS: dict[str, tuple[str, ...]] = {"front": ("name", "address", "ethnicity"), "back": ("authority",)}


def contradicted(reading: Reading, today: dt.date | None = None) -> bool | None:
    """Whether the card contradicts itself where it was read clearly (None: not a Mainland
    card side this applies to, or nothing was read to check)."""
    checks = CHECKS.get(reading.side)
    if reading.document != "id-card" or checks is None or reading.meta.get("layout") == "temporary":
        return None
    fields = reading.fields
    if not any(name in reading.checks for name in checks):
        return None

    def conf(name: str) -> float:
        f = fields.get(name)
        return float(f.confidence) if f is not None and f.value not in (None, "") else 0.0

    bystander = min((conf(n) for n in BYSTANDERS[reading.side]), default=0.0)
    for name, reads in checks.items():
        if reading.checks.get(name, True):
            continue
        if min(conf(n) for n in reads) >= SURE or bystander >= BYSTANDER:
            return True
    if reading.side == "back":  # a period that starts after today, read surely
        start = fields.get("valid_from")
        d = parse_date(start.value) if start is not None and isinstance(start.value, str) else None
        if d is not None and d > (today or dt.date.today()) and conf("valid_from") >= SURE:
            return True
    return False
