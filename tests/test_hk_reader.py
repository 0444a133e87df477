"""The Hong Kong ID reader on straightened synthetic cards, with the real models: which lines
it recognises, the second pass when the first leaves a field missing, and names printed in
Hong Kong character shapes. Cards come from tools.cardgen.hk under fixed seeds and are
straightened by the generator's own corners, so these tests do not depend on card finding."""

from __future__ import annotations

import pytest

from cardocr.documents import hk_id_card as hk
from cardocr.documents.checks.hkid import hong_kong_name_chars
from cardocr.ocr.engine import get_engine
from cardocr.vision.locate import CardQuad
from cardocr.vision.orient import straighten
from tools.cardgen.hk import make_hk_sample

FIELDS = hk.HUAWEI_FIELDS["front"]
# seeds whose Chinese name has a character in its Hong Kong shape (群, 妍), one per layout
HK_SHAPE_SEEDS = [(832, "2003"), (880, "2018"), (1089, "2003")]


class CountingEngine:
    """The real engine, counting the crops sent to the recogniser per call."""

    def __init__(self) -> None:
        self._engine = get_engine()
        self.charset = self._engine.charset
        self.calls: list[int] = []

    def detect(self, image, max_side=960):
        return self._engine.detect(image, max_side)

    def upside_down(self, crops):
        return self._engine.upside_down(crops)

    def recognize(self, crops, similar_width=None):
        self.calls.append(len(crops))
        return self._engine.recognize(crops, similar_width)


def _card(seed: int, condition: str = "scan"):
    photo, person, corners = make_hk_sample(seed, condition)
    card, _, _ = straighten(photo, CardQuad(corners, 1.0, "truth"), get_engine())
    return card, person


def _wrong(reading, person) -> list[str]:
    return [k for k in FIELDS if reading.fields[k].value != getattr(person, k)]


@pytest.mark.parametrize("seed,layout", HK_SHAPE_SEEDS[:2], ids=lambda v: str(v))
def test_labels_oval_and_english_title_are_not_read(seed, layout):
    card, person = _card(seed)
    assert person.layout == layout
    boxes = hk._line_boxes(card)
    assert hk._box_layout(boxes) == layout
    deferred = [b for b in boxes if hk._deferred(b, layout)]
    # two labels (each may come as a Chinese and an English box) and the English title,
    # plus the oval number on the 2018 card
    assert len(deferred) >= (4 if layout == "2018" else 3)
    engine = CountingEngine()
    reading = hk.read(card, "front", engine)
    assert _wrong(reading, person) == []
    assert sum(engine.calls) <= len(boxes) - len(deferred) + 1  # +1: a sex crop, if needed
    assert reading.meta["layout"] == layout


def test_a_field_missing_after_the_first_pass_reads_the_deferred_lines(monkeypatch):
    card, person = _card(881)
    layout = hk._box_layout(hk._line_boxes(card))
    # pretend the birth row were a label row: the first pass then has no birth date
    monkeypatch.setitem(hk.LABEL_ROWS, layout, ((0.49, 0.62), (0.70, 0.77)))
    monkeypatch.setitem(hk.LABEL_X, layout, ((0.0, 1.0), (0.0, 1.0)))
    boxes = hk._line_boxes(card)
    assert any(0.55 < (b[1] + b[3]) / 2 / 540 < 0.62 and hk._deferred(b, layout) for b in boxes)
    engine = CountingEngine()
    reading = hk.read(card, "front", engine)
    assert _wrong(reading, person) == []
    assert sum(engine.calls) >= len(boxes)  # the second pass read the deferred lines too


@pytest.mark.parametrize("seed,layout", HK_SHAPE_SEEDS, ids=lambda v: str(v))
def test_names_in_hong_kong_shapes(seed, layout):
    card, person = _card(seed)
    reading = hk.read(card, "front", get_engine())
    assert reading.fields["name"].value == person.name
    assert reading.fields["name_telegraph_code"].value == person.name_telegraph_code
    # name and codes agree: both vouched for
    assert reading.fields["name"].confidence >= hk.CONFIDENT


def test_name_alphabet():
    chars = hong_kong_name_chars()
    assert {"群", "妍", "峰", "吳", "陽", "樂"} <= chars
    assert not {"吴", "阳", "叶"} & chars


@pytest.mark.parametrize("seed,condition", [(100045, "photo"), (100003, "thumb")], ids=lambda v: str(v))
def test_stars_read_as_letters_come_back_as_stars(seed, condition):
    # on these cards the recogniser reads the stars as letters (ONR, HR) without confidence
    card, person = _card(seed, condition)
    reading = hk.read(card, "front", get_engine())
    assert reading.fields["symbols"].value == person.symbols
    assert reading.fields["symbols"].confidence < hk.CONFIDENT  # the grammar chose: not vouched for
