"""The back's two validity dates read together (cn_id_card._joint_validity): valid_to repeats
valid_from's day 5, 10 or 20 years later, so an uncertain digit in one is settled by the other.
Lines are built by hand, as the recogniser would hand them over: text, per-character
probability and the top alternatives."""

from __future__ import annotations

from cardocr.documents.cn_validity import joint_validity as _joint_validity
from ctcframes import doubtful_line


def test_a_doubtful_day_is_settled_by_the_other_date() -> None:
    # ...2039.05.00: the last 0 read at 0.4, with 6 as its second choice
    line = doubtful_line("2019.05.06-2039.05.00", {20: (0.4, [("6", 0.35)])})
    assert _joint_validity(line) == ("2019-05-06", "2039-05-06")


def test_a_doubtful_year_is_settled_by_the_span() -> None:
    line = doubtful_line("2916.01.07-2036.01.07", {1: (0.5, [("0", 0.3)])})
    assert _joint_validity(line) == ("2016-01-07", "2036-01-07")


def test_confident_digits_are_never_changed() -> None:
    # a specimen may print dates that break the rule: read at 0.99, they come back as printed
    line = doubtful_line("2019.05.06-2039.05.07", {})
    assert _joint_validity(line) is None


def test_consistent_readings_stay_as_read() -> None:
    line = doubtful_line("2007.11.05-2027.11.05", {3: (0.6, [("1", 0.3)])})
    assert _joint_validity(line) == ("2007-11-05", "2027-11-05")


def test_long_term_and_broken_lines_are_left_to_the_parser() -> None:
    assert _joint_validity(doubtful_line("2011.03.09-长期", {})) is None
    assert _joint_validity(doubtful_line("2011.03.09-10", {})) is None
