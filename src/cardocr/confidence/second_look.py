"""A second look at an unsure line of free text (issue 22): read it again, seen another way.

A Mainland name, an address or a licence record has no check digit and no closed list past
the division names, so a character misread with fair confidence (香樟苑 read 香棉苑, 碧水家园
read 水家园 with the 碧 dropped) leaves nothing on the card to contradict it. But a reading
the recogniser is sure of survives a change of view, and one it guessed at often does not.
The lines behind such a field are cut again from the straightened card, around the
detector's own box (the reader read the zone's crop), shrunk to SHRINK of their size and
brought back (the finest detail gone, as in a smaller photo), and recognised again in one
batch; where the two readings differ outside what a closed list chose (an address's division
names), the field's evidence `second_look` is 1, and the card contradicts the value
(evidence.contradicted): the value is kept, the card goes to review.

Dev reads (tune seeds 1300200..1300400 and 1500200..1500400, ID card and licence: the cards
with a wrong name, address or record, and 100 right cards at random): of the fields given a
second look, 22 of 27 wrong ones were read otherwise, and 0 of 23 right ones. Missed: two
addresses with a character dropped (碧水家园 read 水家园 both times) and three others read
the same wrong way twice. A first probe (the lines cut the same way but not shrunk) differed
on 4 of 35 right fields as well: the smaller view is the one kept.

Only fields whose least sure character is under LOOK_BELOW get a second look: 59 of the 60
wrong names and addresses of those reads were, and 22% of cards have such a field, so most
requests pay nothing (a line costs about as much as it did the first time).

Dates and numbers too (NUMERIC), where a character of theirs is under LOOK_BELOW: a check they
pass often raises their confidence but does not tell 01 from 09 in a date, and a Hong Kong
number that dropped a letter and a digit can still pass its check digit (1 in 11). They are
compared as runs of digits, read again under the characters their lines print. A birth date
the ID number encodes is not looked at (the number vouches for it). Dev probe (ID and HK,
tune seeds 1300400..1300600 and 1500400..1500600, the cards with a date or number under 0.99):
dates 4 of 5 wrong ones read otherwise (1500506's issue date 24-09-14 for 24-01-14, stated
0.98), 8 of 110 right ones; numbers 3 of 3 wrong; the right ones read otherwise were Z-prefixed
Hong Kong numbers (Z read again as 2: numbers are now compared as their digits in a row) and
birth dates the number vouches for (now not looked at). Check probe with those two changes
(seeds 1400000.., all three documents, the first 117 cards with such a field): 0 of 2 wrong
dates read otherwise (both read the same wrong way twice), 6 of 102 right ones (licence
validity periods among them), 0 of 43 right numbers. A weak witness for dates, then: about one
card in a hundred goes to review for a right date, for about half of the wrong unsure dates.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..documents.checks.address import whole_start
from ..ocr.ctc import alphabet, greedy_decode
from ..types import Field, Reading
from .agree import ENCODED
from .lines import DOUBTED as LOOK_BELOW  # a free-text field with a character under it is read again
from .lines import FREE_TEXT, lines_of

if TYPE_CHECKING:
    from ..documents.seen import SeenLine
    from ..ocr.engine import OcrEngine

SHRINK = 0.6  # the second view: the line at this share of its size, brought back
PAD = 2  # card pixels around the detector's box
SPEC = "{cjk}0123456789"  # what is compared: Chinese characters and digits
KEPT = re.compile(r"[\u3400-\u9fff0-9]")
# dates and numbers: read again under the characters their lines print, compared as their runs
# of digits (a date line may hold two dates, a number line letters and a check digit)
NUMERIC = {("id-card", "birth"), ("id-card", "valid_from"), ("id-card", "valid_to"), ("id-card", "number"),
           ("hk-id-card", "birth_date"), ("hk-id-card", "issue_date"), ("hk-id-card", "initial_issue_date"),
           ("hk-id-card", "number"),
           ("driver-license", "birth"), ("driver-license", "issue_date"), ("driver-license", "valid_from"),
           ("driver-license", "valid_to"), ("driver-license", "number"), ("driver-license", "file_number")}
NUMBERS = ("number", "file_number")
NUMERIC_SPEC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.()年月日长期至"
RUN = re.compile(r"\d+")


def second_look(reading: Reading, seen: list[SeenLine], engine: OcrEngine, image: np.ndarray | None) -> None:
    """Set `second_look` (0 agree, 1 differ) in the evidence of every unsure free-text field
    (FREE_TEXT under LOOK_BELOW) and unsure date or number (NUMERIC) whose lines can be cut
    from `image` again."""
    if image is None:
        return
    jobs: list[tuple[str, int]] = []  # (field, crops it owns)
    crops: list[np.ndarray] = []
    for name, f in reading.fields.items():
        if f.quad is None or not _looked_at(reading, name, f):
            continue
        boxes = sorted((s.box for s in lines_of(f.quad, seen)), key=lambda b: (b[1], b[0]))  # reading order
        cut = [c for c in (_view(image, b) for b in boxes) if c is not None]
        if cut:
            jobs.append((name, len(cut)))
            crops += cut
    if not crops:
        return
    lines = engine.recognize(crops)
    at = 0
    for name, n in jobs:
        numeric = (reading.document, name) in NUMERIC
        cols = alphabet(engine.charset, NUMERIC_SPEC if numeric else SPEC)
        again = "".join(greedy_decode(ln.probs, engine.charset, cols).text if ln.probs is not None else ln.text
                        for ln in lines[at:at + n])
        at += n
        f = reading.fields[name]
        if numeric:
            f.evidence["second_look"] = float(not runs_within(str(f.value), again, name in NUMBERS))
        else:
            fixed = _chosen_prefix(reading.document, name, str(f.value))
            f.evidence["second_look"] = float(differs(str(f.value), again, fixed))


def _looked_at(reading: Reading, name: str, f: Field) -> bool:
    """An unsure free-text field (its confidence under LOOK_BELOW), or a date or number with a
    character under it (its evidence p_min: a date's or number's confidence is often raised
    by a check it passed) that no other field confirms (a birth date the ID number encodes),
    that has a box to cut its lines around."""
    if not isinstance(f.value, str) or not f.value or f.quad is None:
        return False
    if (reading.document, name) in FREE_TEXT:
        return f.confidence < LOOK_BELOW
    if (reading.document, name) not in NUMERIC or float(f.evidence.get("p_min", 1.0)) >= LOOK_BELOW:
        return False
    number = reading.fields.get("number")
    if name in ENCODED and number is not None and isinstance(number.value, str) and number.value:
        if ENCODED[name](number.value) == f.value:
            return False
    return RUN.search(f.value) is not None


def runs_within(value: str, again: str, number: bool = False) -> bool:
    """Whether a date's runs of digits, as numbers (a card prints 1990年1月2日 for
    1990-01-02), appear in the same order one after another in the second reading; or a
    number's digits, in a row (its letters, read again under digits too, may come back as
    one: Z for 2)."""
    if number:
        return "".join(RUN.findall(value)) in "".join(RUN.findall(again))
    want = [int(r) for r in RUN.findall(value)]
    got = [int(r) for r in RUN.findall(again)]
    return any(got[i:i + len(want)] == want for i in range(len(got) - len(want) + 1))


def _view(image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    h, w = image.shape[:2]
    x0, y0 = max(0, int(box[0]) - PAD), max(0, int(box[1]) - PAD)
    x1, y1 = min(w, int(np.ceil(box[2])) + PAD), min(h, int(np.ceil(box[3])) + PAD)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = image[y0:y1, x0:x1]
    small = cv2.resize(crop, (max(2, round((x1 - x0) * SHRINK)), max(2, round((y1 - y0) * SHRINK))),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)


def _chosen_prefix(document: str, name: str, value: str) -> int:
    """How many leading characters of the value a closed list chose (an address's division
    names, checked against the gazetteer): a second reading is not compared there."""
    return len(whole_start(value)) if name == "address" else 0


def differs(value: str, again: str, fixed: int = 0) -> bool:
    """Whether a second reading differs from the value in a Chinese character or digit after
    the first `fixed` characters of the value."""
    kept = [(i, c) for i, c in enumerate(value) if KEPT.match(c)]
    a = "".join(c for _, c in kept)
    b = "".join(KEPT.findall(again))
    start = sum(1 for i, _ in kept if i < fixed)  # the fixed prefix, in compared characters
    for op, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal" and max(i1, i2 - 1) >= start:
            return True
    return False
