"""Tests of cardocr.documents.checks (fast, pure Python)."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import os
import random
import subprocess
import sys
from importlib import resources

import pytest

from cardocr.documents import checks
from cardocr.documents.checks import (
    ETHNIC_GROUPS,
    CheckReport,
    add_years,
    address,
    authority,
    birth_from_number,
    candidates_repairing_check,
    check_char,
    dates,
    ethnic,
    fmt,
    group_after_label,
    hkid,
    idnumber,
    is_ethnic_group,
    is_valid_check,
    parse_date,
    region_known,
    region_name,
    report,
    sex_from_number,
)

VALID = "11010519491231002X"
SPECIMEN = "310101198610203222"  # printed on the sample card; its check char is wrong


@pytest.mark.parametrize("module", [idnumber, dates, ethnic, report, hkid, authority, address],
                         ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_api_reexported():
    for name in checks.__all__:
        assert hasattr(checks, name), name


def test_import_loads_no_data():
    code = (
        "import cardocr.documents.checks as c\n"
        "from cardocr.documents.checks import idnumber\n"
        "assert idnumber._regions.cache_info().currsize == 0\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- ID number --------------------------------------------------------------


def test_check_char_known_values():
    assert check_char(VALID[:17]) == "X"
    assert is_valid_check(VALID)
    assert not is_valid_check(SPECIMEN)
    assert check_char(SPECIMEN[:17]) == "9"


def test_check_char_detects_every_single_substitution():
    rng = random.Random(11643)
    for _ in range(50):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        number = body + check_char(body)
        assert is_valid_check(number)
        for pos in range(17):
            for d in "0123456789":
                if d != number[pos]:
                    assert not is_valid_check(number[:pos] + d + number[pos + 1 :])
        for c in "0123456789X":
            if c != number[17]:
                assert not is_valid_check(number[:17] + c)


def test_check_char_detects_adjacent_transpositions():
    rng = random.Random(7064)
    for _ in range(200):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        number = body + check_char(body)
        for pos in range(16):
            a, b = number[pos], number[pos + 1]
            if a != b:
                swapped = number[:pos] + b + a + number[pos + 2 :]
                assert not is_valid_check(swapped)


@pytest.mark.parametrize("bad", ["", "1" * 17, "1" * 19, "１" * 17, "1101051949123100A2", None, 123])
def test_is_valid_check_rejects_malformed(bad):
    assert is_valid_check(bad) is False


@pytest.mark.parametrize("bad", ["1" * 16, "1" * 18, "1101051949123100a", "１１０１０５１９４９１２３１００２"])
def test_check_char_rejects_malformed(bad):
    with pytest.raises(ValueError):
        check_char(bad)


def test_birth_and_sex():
    assert birth_from_number(VALID) == "1949-12-31"
    assert sex_from_number(VALID) == "女"
    assert birth_from_number(SPECIMEN) == "1986-10-20"
    assert sex_from_number(SPECIMEN) == "女"
    assert sex_from_number("110105194912310031") == "男"
    assert birth_from_number("110105200002290000") == "2000-02-29"
    assert birth_from_number("110105190002290000") is None  # 1900 was no leap year
    assert birth_from_number("110105194913010000") is None
    assert birth_from_number("110105194912000000") is None
    assert birth_from_number("11010519491231") is None
    # Old 15-digit numbers: 19YYMMDD, sex from the last digit.
    assert birth_from_number("110105491231003") == "1949-12-31"
    assert sex_from_number("110105491231003") == "男"


def test_region_table_shape():
    text = resources.files("cardocr.documents.checks").joinpath("regions.tsv").read_text("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# source:")
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    codes = [r[0] for r in rows]
    assert all(len(r) == 2 and r[1] for r in rows)
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) == len(set(codes)) > 3000
    provinces = {c for c in codes if c.endswith("0000")}
    expected = {
        "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000",
        "310000", "320000", "330000", "340000", "350000", "360000", "370000", "410000",
        "420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000",
        "530000", "540000", "610000", "620000", "630000", "640000", "650000", "710000",
        "810000", "820000",
    }
    assert expected <= provinces
    assert len(expected) == 34


@pytest.mark.parametrize(
    "code, name",
    [
        ("310101", "黄浦区"),
        ("440300", "深圳市"),
        ("500000", "重庆市"),
        ("460400", "儋州市"),
        ("652900", "阿克苏地区"),
        ("330106", "西湖区"),
        ("110104", "宣武区"),  # merged into 西城区 in 2010
        ("310103", "卢湾区"),  # merged into 黄浦区 in 2011
    ],
)
def test_region_names(code, name):
    assert region_name(code) == name
    assert region_known(code)


def test_region_known_fallbacks():
    assert region_known(VALID[:6])
    assert region_known(SPECIMEN[:6])
    assert region_known("440398")  # county unlisted, prefecture 440300 listed
    assert not region_known("449998")  # neither listed
    assert not region_known("000000")
    assert not region_known("990000")
    assert not region_known("11010")
    assert not region_known("11010A")
    assert not region_known("１１０１０５")
    assert region_name("440398") is None


# --- repairing with the check character -----------------------------------


def _chars(reading: str, p: float = 0.99) -> list[list[tuple[str, float]]]:
    return [[(c, p)] for c in reading]


def test_repair_single_position():
    chars = _chars("11010519491231007X")
    chars[16] = [("7", 0.6), ("2", 0.3), ("1", 0.1)]
    got = candidates_repairing_check(chars)
    assert [s for s, _ in got] == [VALID]
    assert got[0][1] == pytest.approx(0.99**17 * 0.3)


def test_top1_first_when_valid_even_if_alternatives_pass():
    chars = _chars(VALID)
    chars[3] = [("1", 0.5), ("7", 0.45), ("4", 0.05)]
    chars[17] = [("X", 0.5), ("8", 0.4), ("4", 0.1)]
    got = candidates_repairing_check(chars, max_changes=2)
    assert got[0] == (VALID, pytest.approx(0.99**16 * 0.5 * 0.5))
    assert all(is_valid_check(s) for s, _ in got)
    probs = [p for _, p in got[1:]]
    assert probs == sorted(probs, reverse=True)
    assert len({s for s, _ in got}) == len(got)


def test_two_changes_and_limits():
    truth = VALID
    top = "11010519491281007X"  # two misreads: index 12 (3->8) and 16 (2->7)
    assert not is_valid_check(top)
    chars = _chars(top)
    chars[12] = [("8", 0.5), ("3", 0.45), ("1", 0.05)]
    chars[16] = [("7", 0.55), ("2", 0.4), ("1", 0.05)]
    got = candidates_repairing_check(chars, max_changes=2)
    assert truth in [s for s, _ in got]
    assert all(is_valid_check(s) for s, _ in got)
    for s, _ in got:
        diff = [i for i in range(18) if s[i] != top[i]]
        assert diff and len(diff) <= 2 and set(diff) <= {12, 16}
    # One change is not enough to reach the truth.
    assert truth not in [s for s, _ in candidates_repairing_check(chars, max_changes=1)]
    assert candidates_repairing_check(chars, max_changes=0) == []
    # Confident positions are left alone.
    assert candidates_repairing_check(chars, confident=0.5) == []
    only_16 = candidates_repairing_check(chars, confident=0.52)
    assert all(s[12] == "8" for s, _ in only_16)


def test_repair_with_lowercase_x_and_invalid_chars():
    chars = _chars(VALID[:17] + "x")
    assert candidates_repairing_check(chars)[0][0] == VALID
    chars = _chars(VALID)
    chars[5] = [("S", 0.7), ("5", 0.3)]  # letter read where a digit must be
    got = candidates_repairing_check(chars)
    assert got and got[0][0] == VALID
    chars[5] = [("S", 0.95), ("5", 0.05)]  # ... but a confident letter cannot change
    assert candidates_repairing_check(chars) == []


def test_repair_rejects_wrong_length():
    with pytest.raises(ValueError):
        candidates_repairing_check(_chars(VALID[:17]))
    chars = _chars(VALID)
    chars[4] = []
    assert candidates_repairing_check(chars) == []


def test_repair_is_fast_with_many_uncertain_positions():
    chars = [[(d, 0.5)] + [(e, 0.05) for e in "0123456789" if e != d] for d in "110105194912310071"]
    assert not is_valid_check("110105194912310071")
    got = candidates_repairing_check(chars, max_changes=3)
    assert len(got) > 10000
    sample = got[:: len(got) // 500]
    assert all(is_valid_check(s) for s, _ in sample)
    assert all(sum(a != b for a, b in zip(s, "110105194912310071")) <= 3 for s, _ in sample)
    probs = [p for _, p in got]
    assert probs == sorted(probs, reverse=True)
    # With one change allowed, exactly the readings one substitution away.
    one = {s for s, _ in candidates_repairing_check(chars, max_changes=1)}
    brute = set()
    for i in range(18):
        for c in "0123456789" + ("X" if i == 17 else ""):
            s = "110105194912310071"[:i] + c + "110105194912310071"[i + 1 :]
            if is_valid_check(s) and c != "110105194912310071"[i] and c in dict(chars[i]):
                brute.add(s)
    assert one == brute


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20200101", dt.date(2020, 1, 1)),
        (" 2020-1-2 ", dt.date(2020, 1, 2)),
        ("2020.01.02", dt.date(2020, 1, 2)),
        ("2020/01/02", dt.date(2020, 1, 2)),
        ("2000年2月29日", dt.date(2000, 2, 29)),
        ("2000 年 2 月 29 日", dt.date(2000, 2, 29)),
        ("1900-02-29", None),
        ("2021-04-31", None),
        ("2021-00-10", None),
        ("0000-01-01", None),
        ("2021-1-1-1", None),
        ("2021.01-01", None),
        ("202101011", None),
        ("长期", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_add_years_and_fmt():
    assert add_years(dt.date(2000, 2, 29), 1) == dt.date(2001, 2, 28)
    assert add_years(dt.date(2000, 2, 29), 20) == dt.date(2020, 2, 29)
    assert add_years(dt.date(2001, 3, 1), -1) == dt.date(2000, 3, 1)
    assert fmt(dt.date(5, 1, 2)) == "0005-01-02"
    assert fmt(parse_date("1949年12月1日")) == "1949-12-01"


# --- ethnic groups ----------------------------------------------------------


def test_ethnic_groups():
    assert len(ETHNIC_GROUPS) == 56 == len(set(ETHNIC_GROUPS))
    assert ETHNIC_GROUPS[0] == "汉" and ETHNIC_GROUPS[-1] == "基诺"
    assert all(not g.endswith("族") for g in ETHNIC_GROUPS)
    assert all(is_ethnic_group(g) for g in ETHNIC_GROUPS)
    for bad in ("", "族", "汉族", "穿青", "其他", "外国血统", None):
        assert not is_ethnic_group(bad)


def test_the_label_tail_is_not_part_of_the_group():
    assert group_after_label("族汉") == "汉"
    assert group_after_label("民族维吾尔") == "维吾尔"
    assert group_after_label("旅蒙古") == "蒙古"  # the label's 族 misread
    assert group_after_label("汉") is None  # a group already: nothing to drop
    assert group_after_label("土家") is None  # 家 is no group and 土家 is one
    assert group_after_label("穿青") is None  # no group at the end: left as read
    # no group name ends with another's, so the tail is never ambiguous
    assert not [(a, b) for a in ETHNIC_GROUPS for b in ETHNIC_GROUPS if a != b and a.endswith(b)]


# --- report -----------------------------------------------------------------


def test_report():
    r = CheckReport()
    assert r.all_passed and r.as_dict() == {"checks": {}, "corrections": [], "all_passed": True}
    r.add("a", True)
    r.add("b", True)
    r.add("b", False)
    r.add("b", True)  # a later pass does not hide the failure
    assert r.passed("a") and not r.passed("b") and not r.passed("c")
    assert r.ran("b") and not r.ran("c")
    assert r.failed == ["b"]
    r.corrected("id_number", "check character repair")
    d = r.as_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["corrections"] == [{"field": "id_number", "reason": "check character repair"}]
    assert d["all_passed"] is False
    with pytest.raises(TypeError):
        r.corrected("id_number", "x", "old value")  # no place for values


def _naive_repairs(chars, max_changes, confident):
    """Reference: try every combination of changes (slow, for small cases)."""
    import itertools

    top = [a[0][0].upper() if i == 17 else a[0][0] for i, a in enumerate(chars)]
    changeable = [i for i, a in enumerate(chars) if a[0][1] < confident]
    found = {}
    for k in range(0, max_changes + 1):
        for positions in itertools.combinations(changeable, k):
            for pick in itertools.product(*(chars[i][1:] for i in positions)):
                reading = list(top)
                for i, (c, _) in zip(positions, pick):
                    reading[i] = c.upper() if i == 17 else c
                s = "".join(reading)
                if is_valid_check(s) and s not in found:
                    prob = 1.0
                    for i, c in enumerate(reading):
                        prob *= next(p for ch, p in chars[i] if (ch.upper() if i == 17 else ch) == c)
                    found[s] = prob
    return found


def test_repair_matches_naive_search():
    rng = random.Random(2260)
    for _ in range(40):
        truth = "".join(rng.choice("0123456789") for _ in range(17))
        truth += check_char(truth)
        chars = []
        for i, c in enumerate(truth):
            pool = "0123456789X" if i == 17 else "0123456789"
            others = rng.sample([d for d in pool if d != c], 2)
            if rng.random() < 0.3:  # an uncertain position, maybe misread
                ps = sorted([rng.uniform(0.2, 0.85) for _ in range(3)], reverse=True)
                order = [c] + others
                rng.shuffle(order)
                chars.append(list(zip(order, ps)))
            else:
                chars.append([(c, 0.97), (others[0], 0.02), (others[1], 0.01)])
        got = candidates_repairing_check(chars, max_changes=2, confident=0.9)
        naive = _naive_repairs(chars, 2, 0.9)
        assert {s for s, _ in got} == set(naive)
        for s, p in got:
            assert p == pytest.approx(naive[s])


def test_authority_names_from_division_table():
    import doctest

    from cardocr.documents.checks import authority

    names = authority.authority_names()
    assert "上海市公安局长宁分局" in names and "周至县公安局" in names
    assert doctest.testmod(authority).failed == 0
