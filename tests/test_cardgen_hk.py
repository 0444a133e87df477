"""Synthetic Hong Kong ID cards (tools/cardgen/hk.py) and the telegraph-code table."""

from __future__ import annotations

import datetime as dt
import random
import re

import numpy as np
import pytest

from tools.cardgen import (
    CARD_H,
    CARD_W,
    HK_CONDITIONS,
    LAYOUTS,
    HkPerson,
    hk_names,
    hk_portrait_box,
    hkid_check_char,
    hkid_valid,
    make_hk_sample,
    random_hk_person,
    render_hk_front,
)
from tools.cardgen.hk_data import TELEGRAPH_TSV, telegraph_codes

FIELDS = ["name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code", "permanent",
          "initial_issue_date", "issue_date", "layout"]


def _people(n: int = 400) -> list[HkPerson]:
    rng = random.Random(12345)
    return [random_hk_person(rng) for _ in range(n)]


def test_check_digit_known_examples():
    assert hkid_check_char("A", "123456") == "3"
    assert hkid_valid("A123456(3)")
    assert not hkid_valid("A123456(4)")
    # The Immigration Department specimen number is deliberately invalid (its check would be A).
    assert not hkid_valid("Z683365(5)")
    assert hkid_check_char("Z", "683365") == "A"
    # Two-letter prefix: no space value; weights 9..2 over [X, A, digits].
    s = 9 * 33 + 8 * 10 + sum(w * int(c) for w, c in zip(range(7, 1, -1), "123456"))
    assert hkid_check_char("XA", "123456") == ("A" if (11 - s % 11) % 11 == 10 else str((11 - s % 11) % 11))
    assert not hkid_valid("a123456(3)") and not hkid_valid("A12345(3)") and not hkid_valid("ABC123456(3)")


def test_telegraph_tsv_format():
    lines = TELEGRAPH_TSV.read_text(encoding="utf-8").splitlines()
    header = [ln for ln in lines if ln.startswith("#")]
    assert any("Unihan_OtherMappings" in ln for ln in header) and any("icen" in ln for ln in header)
    rows = [ln.split("\t") for ln in lines if not ln.startswith("#")]
    assert len(rows) > 9000
    assert all(len(r) == 3 and len(r[0]) == 1 and re.fullmatch(r"\d{4}", r[1]) and r[2] in "TM" for r in rows)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    assert len({r[0] for r in rows}) == len(rows)
    codes = telegraph_codes()
    # The 2018 specimen: 樂永晴 = 2867 3057 2532; 陳大文 (commonly quoted) = 7115 1129 2429.
    assert [codes[c] for c in "樂永晴"] == ["2867", "3057", "2532"]
    assert [codes[c] for c in "陳大文"] == ["7115", "1129", "2429"]


def test_name_lists_have_codes():
    codes = telegraph_codes()
    for sur, en, _ in hk_names.SURNAMES:
        assert all(c in codes for c in sur) and en == en.upper()
    given = [c for c in hk_names.GIVEN if c in codes]
    assert len(set(given)) >= 150
    assert all(c in codes for c in hk_names.GIVEN)


def test_person_fields_formats_and_consistency():
    codes = telegraph_codes()
    people = _people()
    for p in people:
        assert list(p.to_dict()) == FIELDS
        assert p.sex in ("M", "F") and p.layout in LAYOUTS and isinstance(p.permanent, bool)
        assert hkid_valid(p.number), p.number
        assert re.fullmatch(r"[A-Z]{1,2}\d{6}\([0-9A]\)", p.number)
        assert re.fullmatch(r"\*{0,3}[BNC]*[ACRU][ZXWO]", p.symbols), p.symbols
        if p.permanent:
            assert p.symbols[-2] in "AR"
        else:
            assert p.symbols[-2] in "CU"
        # Names.
        assert re.fullmatch(r"[A-Z][A-Z ]*[A-Z], [A-Z][a-z]+( [A-Z][a-z]+)*", p.name_en), p.name_en
        if p.name:
            assert 1 <= len(p.name) <= 4
            assert p.name_telegraph_code == " ".join(codes[c] for c in p.name)
        else:
            assert p.name_telegraph_code == ""
        # Dates: real and ordered birth <= initial issue <= issue.
        birth = dt.datetime.strptime(p.birth_date, "%d-%m-%Y").date()
        assert re.fullmatch(r"\(\d\d-\d\d\)", p.initial_issue_date)
        issue = dt.datetime.strptime(p.issue_date, "%d-%m-%y").date()
        mm, yy = int(p.initial_issue_date[1:3]), int(p.initial_issue_date[4:6])
        initial = dt.date(issue.year - (issue.year % 100 - yy) % 100, mm, 1)  # latest century not after issue
        assert re.fullmatch(r"\d\d-\d\d-\d{4}", p.birth_date) and re.fullmatch(r"\d\d-\d\d-\d\d", p.issue_date)
        assert (birth.year, birth.month) <= (initial.year, initial.month) <= (issue.year, issue.month)
        assert birth < issue
        if p.layout == "2018":
            assert issue >= dt.date(2018, 11, 26)
        else:
            assert dt.date(2003, 6, 23) <= issue <= dt.date(2023, 12, 31)
    # A realistic mix.
    no_name = sum(not p.name for p in people) / len(people)
    assert 0.08 < no_name < 0.25
    assert {len(p.name) for p in people if p.name} >= {2, 3}
    words = {len(p.name_en.split(", ")[1].split()) for p in people}
    assert {1, 2, 3} <= words
    assert any(len(re.match(r"[A-Z]+", p.number).group()) == 2 for p in people)
    assert any(p.number.endswith("(A)") for p in people)
    assert {True, False} == {p.permanent for p in people}
    assert set(LAYOUTS) == {p.layout for p in people}
    assert {"***AZ", "***AX"} <= {p.symbols for p in people}


def test_render_both_layouts():
    rng = random.Random(3)
    cards = {}
    for layout in LAYOUTS:
        p = random_hk_person(rng, layout)
        card = render_hk_front(p, rng)
        assert card.shape == (CARD_H, CARD_W, 3) and card.dtype == np.uint8
        cards[layout] = card
        x0, x1, y0, y1 = hk_portrait_box(layout)
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    # Portraits on opposite sides.
    assert hk_portrait_box("2018")[1] < 0.5 < hk_portrait_box("2003")[0]
    assert np.abs(cards["2018"].astype(int) - cards["2003"].astype(int)).mean() > 10


def test_make_sample_deterministic():
    photo, p, corners = make_hk_sample(5, "thumb")
    photo2, p2, corners2 = make_hk_sample(5, "thumb")
    assert p == p2 and np.array_equal(photo, photo2) and np.array_equal(corners, corners2)
    assert make_hk_sample(6, "thumb")[1] != p
    # Same truth whatever the condition (the person is drawn first from the seed's rng).
    assert random_hk_person(random.Random(5 * 1_000_003 + 852)) == p


@pytest.mark.parametrize("condition", HK_CONDITIONS)
def test_make_sample_corners(condition):
    photo, p, corners = make_hk_sample(11, condition)
    assert isinstance(p, HkPerson)
    assert photo.ndim == 3 and photo.shape[2] == 3 and photo.dtype == np.uint8
    assert corners.shape == (4, 2)
    h, w = photo.shape[:2]
    assert (corners[:, 0] >= -1).all() and (corners[:, 0] <= w + 1).all()
    assert (corners[:, 1] >= -1).all() and (corners[:, 1] <= h + 1).all()
    # TL, TR, BR, BL order and the card's aspect ratio.
    top, left = np.linalg.norm(corners[1] - corners[0]), np.linalg.norm(corners[3] - corners[0])
    assert 1.3 < top / left < 1.85
    (ax, ay), (bx, by) = corners[1] - corners[0], corners[3] - corners[0]
    assert ax * by - ay * bx > 0  # TL, TR, BR, BL run clockwise in image coordinates
    if condition == "thumb":
        assert 280 <= w <= 340
        assert top > 0.9 * w


def test_layout_argument():
    for layout in LAYOUTS:
        _, p, _ = make_hk_sample(9, "thumb", layout)
        assert p.layout == layout
    with pytest.raises(ValueError):
        make_hk_sample(1, "nope")
