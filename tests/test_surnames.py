"""The surname list chooses among uncertain readings of a name's first character
(documents.checks.surnames), on posterior matrices built by hand; it never replaces a
character read with confidence, nor a reading the pixels do not support."""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents.checks.surnames import COMPOUND, SINGLE, choose_surname, is_surname_start
from cardocr.ocr.ctc import BLANK, alphabet, char_index, greedy_decode
from cardocr.ocr.engine import get_engine


@pytest.fixture(scope="module")
def charset() -> list[str]:
    return get_engine().charset


def _line(charset, steps):
    index = char_index(charset)
    m = np.full((len(steps) * 2, len(charset)), 1e-9, np.float32)
    for t, step in enumerate(steps):  # each character, then a blank frame
        for ch, p in step.items():
            m[2 * t, index[ch]] = p
        m[2 * t, BLANK] = max(0.0, 1.0 - sum(step.values()))
        m[2 * t + 1, BLANK] = 1.0
    m /= m.sum(axis=1, keepdims=True)
    return greedy_decode(m, charset, alphabet(charset, "{cjk}·"))


def test_an_uncertain_first_character_that_is_no_surname_takes_the_surname_the_pixels_support(charset):
    line = _line(charset, [{"新": 0.5, "靳": 0.4}, {"铭": 0.99}])
    assert line.text == "新铭"
    assert choose_surname(line, charset) == ("靳铭", True)


def test_a_sure_reading_stays_as_read(charset):
    line = _line(charset, [{"新": 0.97, "靳": 0.02}, {"铭": 0.99}])
    assert choose_surname(line, charset) == ("新铭", False)


def test_a_surname_read_stays_even_when_unsure(charset):
    line = _line(charset, [{"王": 0.5, "玉": 0.45}, {"芳": 0.99}])
    assert choose_surname(line, charset) == ("王芳", False)


def test_no_surname_the_pixels_support_leaves_the_reading(charset):
    # 袜 read without confidence, but no surname has any weight in those frames
    line = _line(charset, [{"袜": 0.6}, {"林": 0.99}])
    assert choose_surname(line, charset) == ("袜林", False)


def test_the_list():
    assert {"王", "李", "张", "靳", "肖", "付"} <= SINGLE
    assert "欧阳" in COMPOUND and is_surname_start("欧阳娜娜") and not is_surname_start("新铭")
