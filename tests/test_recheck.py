"""A card quad re-checked against the printed landmarks at the card's edges: an outline that
ran along a rule printed on the card (missing the title strip above it) or along a sheet of
paper beside the card reads without the title or number, and the card's other outlines around
it are read instead (vision.recheck, pipeline._recheck).

The drawn scene checks the geometry alone; the generated photos (HK layout cards of the tuning
range that lost fields this way) check the whole pipeline with the real models.
"""

from __future__ import annotations

import cv2
import numpy as np

from cardocr.documents import REGISTRY
from cardocr.ocr import get_engine
from cardocr.pipeline import read
from cardocr.types import ID1_ASPECT, ReadRequest
from cardocr.vision.locate import CardQuad, overlap
from cardocr.vision.recheck import alternatives
from tools.cardgen.hk import make_hk_sample


def test_an_outline_along_a_printed_rule_has_the_whole_card_as_alternative() -> None:
    """A pale card on a dark table with a dark rule across it a fifth of the way down: the
    quad from the rule to the bottom edge is offered the whole card."""
    img = np.full((800, 1100, 3), (70, 60, 75), np.uint8)
    card = np.float32([[300, 200], [728, 200], [728, 470], [300, 470]])
    cv2.fillConvexPoly(img, card.astype(np.int32), (215, 200, 225))
    cv2.line(img, (305, 254), (723, 254), (60, 50, 70), 3)  # the rule under the title
    for y in range(290, 450, 26):  # rows of print
        cv2.line(img, (330, y), (520, y), (40, 40, 40), 3)
    cut = CardQuad(np.float32([[300, 254], [728, 254], [728, 470], [300, 470]]), 0.7, "lines")
    found = alternatives(img, cut, ID1_ASPECT)
    assert any(overlap(q.corners, card, of_larger=True) > 0.95 for q in found), [q.corners for q in found]


def test_an_hk_card_read_off_an_outline_along_its_title_rule_is_read_whole() -> None:
    """1300036: the slow search's outline ran along the rule under the title; no title was
    read (permanent False). Its other outline around it reads every field."""
    photo, person, _ = make_hk_sample(1300036, "layout")
    result = read(REGISTRY["hk-id-card"], photo, ReadRequest(), get_engine())[0]
    assert {k: f.value for k, f in result.fields.items()} == {k: getattr(person, k) for k in result.fields}
    assert result.found_by.endswith("+recheck")


def test_an_id_front_read_aslant_in_an_outline_along_a_sheet_is_read_whole() -> None:
    """1500157 (dev range): the quick outline ran along a printed sheet the card lies on; the
    card stood turned inside it (its wide lines 6-8 degrees off level) and 2 of 6 fields were
    read. Rows printed aslant send for the card's other outlines; its own reads every field."""
    from bench.suites import truth_fields
    from tools.cardgen import make_sample

    photo, person, _ = make_sample(1500157, "front", "photo")
    result = read(REGISTRY["id-card"], photo, ReadRequest(), get_engine())[0]
    assert {k: f.value for k, f in result.fields.items()} == truth_fields(person, "front")
    assert result.found_by.endswith("+recheck")
