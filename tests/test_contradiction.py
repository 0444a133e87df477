"""The tampering signal's reading evidence (cardocr.quality.contradiction): a Mainland card that
contradicts itself where it was read clearly. Hand-made readings for the rule, then generator
tampering pairs through the whole pipeline (tune seeds whose pixel evidence alone scores them
under the threshold: the edit is caught by the card's own checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.quality.contradiction import BYSTANDER, SURE, contradicted
from cardocr.types import Field, Reading, ReadRequest
from tools.cardgen.defects import defect_pair

TODAY = dt.date(2026, 12, 7)
NUMBER = "110101199003078515"  # a sound number: born 1990-03-07, a man (the 17th digit is odd)


def _front(number: str = NUMBER, birth: str = "1990-03-07", sex: str = "男", sure: float = 1.0,
           others: float = 1.0) -> Reading:
    from cardocr.documents.cn_id_card import _cross_check_front

    fields = {"name": Field("张伟", others), "sex": Field(sex, sure), "ethnicity": Field("汉", others),
              "birth": Field(birth, sure), "address": Field("北京市东城区东长安街1号", others),
              "number": Field(number, sure)}
    reading = Reading("id-card", "front", fields)
    _cross_check_front(reading)
    return reading


def _back(start: str, end: str, sure: float = 1.0, authority: float = 1.0) -> Reading:
    from cardocr.documents.checks import parse_date

    fields = {"authority": Field("北京市公安局东城分局", authority), "valid_from": Field(start, sure),
              "valid_to": Field(end, sure)}
    d0, d1 = parse_date(start), parse_date(end) if end != "长期" else None
    span = d0 is not None and (end == "长期" or (d1 is not None and (d1.month, d1.day) == (d0.month, d0.day)
                                                 and d1.year - d0.year in (5, 10, 20)))
    return Reading("id-card", "back", fields, {"dates": d0 is not None and (end == "长期" or bool(d1 and d1 > d0)),
                                              "validity_span": span})


def test_a_sound_card_does_not_contradict_itself():
    assert contradicted(_front(), TODAY) is False
    assert contradicted(_back("2015-03-07", "2035-03-07"), TODAY) is False
    assert contradicted(_back("2019-06-30", "长期"), TODAY) is False


def test_a_number_whose_check_digit_or_birth_or_sex_disagrees_read_surely_is_a_contradiction():
    assert contradicted(_front(number=NUMBER[:-1] + "6"), TODAY)  # the check digit
    assert contradicted(_front(birth="1963-07-03"), TODAY)  # another person's number pasted in
    assert contradicted(_front(sex="女"), TODAY)


def test_a_misread_on_an_unclear_card_is_not_one_but_on_a_clear_card_it_is():
    """A failed check read unsurely counts only when the card's other text was read surely."""
    unsure = _front(number=NUMBER[:-1] + "6", sure=SURE - 0.2, others=BYSTANDER - 0.2)
    assert contradicted(unsure, TODAY) is False
    clear = _front(number=NUMBER[:-1] + "6", sure=SURE - 0.2, others=BYSTANDER)
    assert contradicted(clear, TODAY) is True
    assert contradicted(_back("2011-64-07", "2031-03-07", sure=0.3, authority=0.4), TODAY) is False
    assert contradicted(_back("2011-64-07", "2031-03-07", sure=0.3, authority=0.99), TODAY) is True


def test_a_period_of_the_wrong_span_or_starting_after_today_is_one():
    assert contradicted(_back("2023-05-20", "8968-05-20"), TODAY)
    assert contradicted(_back("2037-09-28", "长期"), TODAY)  # issued in the future
    assert not contradicted(_back("2037-09-28", "长期", sure=0.5, authority=0.5), TODAY)


def test_other_documents_and_temporary_cards_are_not_checked():
    assert contradicted(Reading("hk-id-card", "front", {}), TODAY) is None
    temporary = _back("2025-01-01", "2025-04-01")
    temporary.meta["layout"] = "temporary"
    assert contradicted(temporary, TODAY) is None
    assert contradicted(Reading("id-card", "front", {}), TODAY) is None  # nothing checked


# tune pairs (tools.cardgen.defects TUNE_SEED..) the pixel evidence alone scores under 50 (its
# score with this rule left out: 20.0 and 1.2): a front whose run of number digits was retyped
# (the check digit fails) and a back whose period end was retyped (20 years on read 8968)
RETYPED = (700016, 700209)


@pytest.mark.parametrize("seed", RETYPED)
def test_an_edit_the_pixels_miss_is_caught_by_the_cards_own_checks(seed):
    neg, pos, _side, _condition = defect_pair("tampering", seed)
    request = ReadRequest(signals=frozenset({"tampering"}))
    edited = read(REGISTRY["id-card"], pos, request, get_engine())[0]
    unedited = read(REGISTRY["id-card"], neg, request, get_engine())[0]
    assert contradicted(edited.reading) is True
    assert edited.signals["tampering"].decision and edited.signals["tampering"].score == 100.0
    assert contradicted(unedited.reading) is False
    assert not unedited.signals["tampering"].decision
