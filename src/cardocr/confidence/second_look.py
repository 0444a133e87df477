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

Dates and numbers were given a second look too for a while (session 26, compared as runs of
digits), and dropped: on the calibration range's fresh read it flagged 18 right Hong Kong dates
for 1 wrong one and sent 21% of licences to review (14% before); a digit shrunk to 0.6 in a
small photo reads otherwise as often as not (dev 1500450's 22-03-1996 read again 22-05-10061).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..documents.checks.address import whole_start
from ..ocr.ctc import alphabet, greedy_decode
from ..types import Reading
from .lines import DOUBTED as LOOK_BELOW  # a free-text field with a character under it is read again
from .lines import FREE_TEXT, lines_of

if TYPE_CHECKING:
    from ..documents.seen import SeenLine
    from ..ocr.engine import OcrEngine

SHRINK = 0.6  # the second view: the line at this share of its size, brought back
PAD = 2  # card pixels around the detector's box
SPEC = "{cjk}0123456789"  # what is compared: Chinese characters and digits
KEPT = re.compile(r"[\u3400-\u9fff0-9]")


def second_look(reading: Reading, seen: list[SeenLine], engine: OcrEngine, image: np.ndarray | None) -> None:
    """Set `second_look` (0 agree, 1 differ) in the evidence of every unsure free-text field
    (FREE_TEXT under LOOK_BELOW) whose lines can be cut from `image` again."""
    if image is None:
        return
    jobs: list[tuple[str, int]] = []  # (field, crops it owns)
    crops: list[np.ndarray] = []
    for name, f in reading.fields.items():
        if (reading.document, name) not in FREE_TEXT or not isinstance(f.value, str) or not f.value:
            continue
        if f.quad is None or f.confidence >= LOOK_BELOW:
            continue
        boxes = sorted((s.box for s in lines_of(f.quad, seen)), key=lambda b: (b[1], b[0]))  # reading order
        cut = [c for c in (_view(image, b) for b in boxes) if c is not None]
        if cut:
            jobs.append((name, len(cut)))
            crops += cut
    if not crops:
        return
    lines = engine.recognize(crops)
    cols = alphabet(engine.charset, SPEC)
    at = 0
    for name, n in jobs:
        again = "".join(greedy_decode(ln.probs, engine.charset, cols).text if ln.probs is not None else ln.text
                        for ln in lines[at:at + n])
        at += n
        f = reading.fields[name]
        fixed = _chosen_prefix(reading.document, name, str(f.value))
        f.evidence["second_look"] = float(differs(str(f.value), again, fixed))


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
