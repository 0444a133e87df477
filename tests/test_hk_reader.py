"""The Hong Kong ID reader on straightened synthetic cards: which lines it recognises, the
second pass when the first leaves a field missing, and names printed in Hong Kong character
shapes. The recogniser's outputs were recorded with the real models and are replayed
(tests/fakeengine.py; the cards are HK_READER_CASES in tests/replay_cases.py), so these
tests check the reader's logic in milliseconds. Re-record after a change to what the reader
asks the recogniser: `.venv/bin/python -m tests.record_replay hk-id-card`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cardocr.documents import hk_fields, hk_symbols
from cardocr.documents import hk_id_card as hk
from cardocr.documents.checks.hkid import hong_kong_name_chars
from cardocr.ocr.types import Line
from cardocr.types import CONFIDENT, Card
from fakeengine import ReplayEngine, replay_engine
from replay_cases import HK_SECOND_PASS, HK_SHAPES, HK_STARS, Case, generator_truth, variant

FIELDS = hk.FIELDS["front"]
SHAPE_LAYOUTS = {832: "2003", 880: "2018", 1089: "2003"}  # the generator's choice for HK_SHAPES


def _card(case: Case) -> tuple[Card, ReplayEngine, Any]:
    engine, card, _ = replay_engine(case.path)
    return card, engine, generator_truth(case)


def _wrong(reading, person) -> list[str]:
    return [k for k in FIELDS if reading.fields[k].value != getattr(person, k)]


def _recognised(engine: ReplayEngine) -> int:
    """Crops sent to the recogniser."""
    return sum(n for kind, n in engine.calls if kind == "recognize")


@pytest.mark.parametrize("case", HK_SHAPES[:2], ids=str)
def test_labels_oval_and_english_title_are_not_read(case):
    card, engine, person = _card(case)
    layout = person.layout
    assert layout == SHAPE_LAYOUTS[case.seed]
    boxes = hk._line_boxes(card)
    assert hk._box_layout(boxes) == layout
    deferred = [b for b in boxes if hk._deferred(b, layout)]
    # two labels (each may come as a Chinese and an English box) and the English title,
    # plus the oval number on the 2018 card
    assert len(deferred) >= (4 if layout == "2018" else 3)
    reading = hk.read(card, "front", engine)
    engine.finish()
    assert _wrong(reading, person) == []
    assert _recognised(engine) <= len(boxes) - len(deferred) + 1  # +1: a sex crop, if needed
    assert reading.meta["layout"] == layout


def test_a_field_missing_after_the_first_pass_reads_the_deferred_lines():
    card, engine, person = _card(HK_SECOND_PASS)
    # the birth row counted as a label row: the first pass then has no birth date
    with variant(HK_SECOND_PASS):
        boxes = hk._line_boxes(card)
        layout = hk._box_layout(boxes)
        assert any(0.55 < (b[1] + b[3]) / 2 / 540 < 0.62 and hk._deferred(b, layout) for b in boxes)
        reading = hk.read(card, "front", engine)
    engine.finish()
    assert _wrong(reading, person) == []
    assert _recognised(engine) >= len(boxes)  # the second pass read the deferred lines too
    assert len([kind for kind, _ in engine.calls if kind == "recognize"]) == 2


@pytest.mark.parametrize("case", HK_SHAPES, ids=str)
def test_names_in_hong_kong_shapes(case):
    card, engine, person = _card(case)
    reading = hk.read(card, "front", engine)
    assert reading.fields["name"].value == person.name
    assert reading.fields["name_telegraph_code"].value == person.name_telegraph_code
    # name and codes agree: both vouched for
    assert reading.fields["name"].confidence >= CONFIDENT
    assert set(person.name) & {"群", "妍"}


def test_name_alphabet():
    chars = hong_kong_name_chars()
    assert {"群", "妍", "峰", "吳", "陽", "樂"} <= chars
    assert not {"吴", "阳", "叶"} & chars


@pytest.mark.parametrize("case", HK_STARS, ids=str)
def test_stars_read_as_letters_come_back_as_stars(case):
    # on these cards the recogniser reads the stars as letters (ONR, HR) without confidence
    card, engine, person = _card(case)
    reading = hk.read(card, "front", engine)
    assert reading.fields["symbols"].value == person.symbols
    assert reading.fields["symbols"].confidence < CONFIDENT  # the grammar chose: not vouched for


def _line(glyphs: str, charset: list[str]) -> Line:
    """CTC posteriors that read `glyphs` (each at 0.9, a blank between): a star the
    recogniser did not name keeps a little probability for '*' only."""
    rows = []
    for g in glyphs:
        row = np.full(len(charset), 0.001)
        row[charset.index(g)] = 0.9
        row[charset.index("*")] = max(row[charset.index("*")], 0.02)
        rows += [row / row.sum(), np.eye(len(charset))[0] * 0.98 + 0.02 / len(charset)]
    return Line(glyphs, [0.9] * len(glyphs), np.array(rows, np.float32))


@pytest.mark.parametrize("raw", ["为有为AZ", "mAZ"])
def test_stars_read_as_other_glyphs_are_stars(raw):
    # big or blurred stars read as CJK glyphs or a lower-case letter (the line's alphabet has
    # no place for either): an adult's card carries three, whatever the pixels can't count
    charset = ["", "*", "为", "有", "m", *hk_fields.UPPER]
    symbols, conf = hk_symbols.read_symbols(_line(raw, charset), charset, adult=True)
    assert symbols == "***AZ"
    assert conf < CONFIDENT
    # letters alone, nothing before them: no star is invented
    assert hk_symbols.read_symbols(_line("AZ", charset), charset, adult=True)[0] == "AZ"
