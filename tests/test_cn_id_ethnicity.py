"""The Mainland ID front's ethnicity when the detector found ink in its zone but the decode
restricted to Chinese characters emitted nothing (a blurred 汉 read as '1%'): the group is
chosen among the 56 by the pixels, with no more confidence than the free reading had, where
before it came back empty. A card read as it is read (found, straightened, zones fitted)."""

from __future__ import annotations

from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.types import CONFIDENT, ReadRequest
from tools.cardgen import make_sample

# dev ID photo whose ethnicity zone holds one line read '1%' (0.36, 0.55), no CJK character
UNREAD_SEED = 1500145


def test_an_ethnicity_read_as_no_chinese_character_is_chosen_among_the_groups() -> None:
    photo, person, _ = make_sample(UNREAD_SEED, "front", "photo")
    reading = read(REGISTRY["id-card"], photo, ReadRequest(), get_engine())[0].reading
    eth = reading.fields["ethnicity"]
    assert ("ethnicity", "closed list of 56 ethnic groups (no character read)") in reading.corrections
    assert eth.value == person.ethnicity == "汉"
    assert eth.confidence < CONFIDENT  # a choice, never reported as a sure reading
    # the other fields as before
    assert reading.fields["number"].value == person.number
    assert reading.fields["birth"].value == person.birth
