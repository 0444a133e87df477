"""Turning the straightened card upright (vision/orient.py): an unsure classifier vote is
settled by the recogniser reading the widest lines both ways up."""

from __future__ import annotations

import numpy as np

from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.types import ReadRequest
from cardocr.vision.geometry import crop_quad
from cardocr.vision.locate import find_cards
from cardocr.vision.orient import _recognised_vote, straighten
from tools.cardgen import make_sample


def test_the_recogniser_tells_which_way_up_lines_are():
    engine = get_engine()
    photo, _p, _ = make_sample(100000, "front", "scan")
    card, _q, vote = straighten(photo, find_cards(photo, max_cards=1)[0], engine)
    assert vote < 0.5
    widest = sorted(card.boxes, key=lambda q: -np.ptp(q[:, 0]))[:3]
    crops = [crop_quad(card.image, q) for q in widest]
    assert _recognised_vote(crops, engine) == 0.0
    assert _recognised_vote([c[::-1, ::-1].copy() for c in crops], engine) == 1.0


def test_a_blurred_card_whose_vote_was_unsure_is_read_upright():
    """A blurred photo of a card of another template, found a little too large: the classifier
    voted 0.56 for upside down and every field was lost (dev seed 1300184)."""
    photo, p, _ = make_sample(1300184, "front", "layout")
    fields = read(REGISTRY["id-card"], photo, ReadRequest(), get_engine())[0].fields
    assert fields["number"].value == p.number
    assert fields["birth"].value == p.birth and fields["sex"].value == p.sex
