"""Closed lists and rules that choose among uncertain readings, on posterior matrices built by
hand: a name's surname (documents.checks.surnames), an address's division names
(documents.checks.address), a licence's start of validity under its seal
(documents.licence_dates), a Hong Kong card's stars (documents.hk_symbols). None replaces a
character read with confidence, nor a reading the pixels do not support."""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents.base import common_forms
from cardocr.documents.checks.address import ROAD_DOUBT, address_prefixes, choose_prefix, road_margin
from cardocr.documents.checks.surnames import COMPOUND, SINGLE, choose_surname, is_surname_start
from cardocr.documents.hk_symbols import read_symbols
from cardocr.documents.licence_dates import start_after_issue
from cardocr.ocr.ctc import BLANK, alphabet, char_index, greedy_decode
from cardocr.ocr.engine import get_engine
from cardocr.types import CONFIDENT, Reading


@pytest.fixture(scope="module")
def charset() -> list[str]:
    return get_engine().charset


def _line(charset, steps, spec="{cjk}·"):
    index = char_index(charset)
    m = np.full((len(steps) * 2, len(charset)), 1e-9, np.float32)
    for t, step in enumerate(steps):  # each character, then a blank frame
        for ch, p in step.items():
            m[2 * t, index[ch]] = p
        m[2 * t, BLANK] = max(0.0, 1.0 - sum(step.values()))
        m[2 * t + 1, BLANK] = 1.0
    m /= m.sum(axis=1, keepdims=True)
    return greedy_decode(m, charset, alphabet(charset, spec))


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


# -- the start of an address (documents.checks.address) --------------------------------------

def _text_line(charset, text, doubt):
    """A line that reads `text`; at the positions in `doubt` (index -> (char read, the
    printed char)) the recogniser was unsure between the two."""
    steps = []
    for i, c in enumerate(text):
        if i in doubt:
            read, printed = doubt[i]
            steps.append({read: 0.5, printed: 0.4})
        else:
            steps.append({c: 0.99})
    return _line(charset, steps, "{cjk}0123456789")


def test_an_uncertain_division_name_is_chosen_from_the_table(charset):
    line = _text_line(charset, "西川省成都市金牛区友谊路623号", {0: ("西", "四")})
    assert line.text == "西川省成都市金牛区友谊路623号"
    assert choose_prefix(line, charset) == ("四川省成都市金牛区友谊路623号", True)


def test_a_known_start_stays_even_with_doubt_after_it(charset):
    line = _text_line(charset, "北京市海淀区团结街338号", {6: ("团", "田")})
    assert choose_prefix(line, charset) == ("北京市海淀区团结街338号", False)


def test_a_sure_start_is_never_replaced(charset):
    line = _text_line(charset, "西川省成都市金牛区友谊路", {})
    assert choose_prefix(line, charset) == ("西川省成都市金牛区友谊路", False)


def test_a_district_no_municipality_has_is_read_again_among_its_districts(charset):
    # 北京市 is a whole name, but 川阳区 is no district of it: the start is not a division yet
    line = _text_line(charset, "北京市川阳区天山南路439号", {3: ("川", "朝")})
    assert choose_prefix(line, charset) == ("北京市朝阳区天山南路439号", True)


def test_a_province_misread_is_found_through_its_city_and_county(charset):
    # two of the three levels misread: the search goes province, city, county
    line = _text_line(charset, "让宁省沈用市皇姑区人民路382号", {0: ("让", "辽"), 4: ("用", "阳")})
    assert choose_prefix(line, charset) == ("辽宁省沈阳市皇姑区人民路382号", True)


def test_a_county_wrapped_onto_the_next_line_is_found_cut_at_the_line_end(charset):
    # 兴庆区 wraps: the first line ends 兴庆, the next begins 区朝阳街 (ID photo 1500601's
    # reading). The whole name 宁夏回族自治区银川市兴庆区 would add a 区 the line does not hold.
    line = _text_line(charset, "宁夏回连自治区银用市兴庆", {3: ("连", "族"), 8: ("用", "川")})
    assert choose_prefix(line, charset) == ("宁夏回族自治区银川市兴庆", True)


def test_a_wrapped_start_read_with_confidence_stays(charset):
    line = _text_line(charset, "宁夏回连自治区银用市兴庆", {})
    assert choose_prefix(line, charset) == ("宁夏回连自治区银用市兴庆", False)


def test_the_table_holds_each_level():
    names = set(address_prefixes())
    assert {"四川省", "四川省成都市", "四川省成都市金牛区", "北京市海淀区", "新疆维吾尔自治区"} <= names


# -- a licence's start of validity under the seal (documents.licence_dates) -------------------

def _date_line(charset, text, doubt):
    steps = [{c: 0.99} if i not in doubt else {doubt[i][0]: 0.5, doubt[i][1]: 0.4} for i, c in enumerate(text)]
    return _line(charset, steps, "0123456789-")


def test_a_start_before_the_first_issue_takes_the_year_of_the_issue_or_a_renewal(charset):
    reading = Reading("driver-license", "front", {})
    # 0098 cannot be (first issued 2016): the year is chosen whole, the month's doubt settled by the pixels
    line = _date_line(charset, "0098-04-03", {0: ("0", "2"), 2: ("9", "1"), 6: ("4", "3")})
    assert start_after_issue(line, "2016-03-03", charset, reading).text == "2016-04-03"
    assert reading.corrections == [("valid_from", "starts at the first issue or a renewal")]


def test_a_start_after_the_first_issue_or_read_with_confidence_stays(charset):
    reading = Reading("driver-license", "front", {})
    line = _date_line(charset, "2022-03-03", {2: ("2", "1")})
    assert start_after_issue(line, "2016-03-03", charset, reading).text == "2022-03-03"
    sure = _date_line(charset, "2010-03-03", {})  # before the issue, but every digit sure: as printed
    assert start_after_issue(sure, "2016-03-03", charset, reading).text == "2010-03-03"
    assert reading.corrections == []


# -- the Hong Kong card's symbols: stars seen as ink but not read (documents.hk_symbols) ------

def test_stars_seen_but_not_read_are_counted_by_the_age_prior(charset):
    line = _line(charset, [{"A": 0.95}, {"Z": 0.97}], "ABCDEFGHIJKLMNOPQRSTUVWXYZ*")
    assert line.text == "AZ"
    assert read_symbols(line, charset, adult=True)[0] == "AZ"  # nothing before the letters: as read
    symbols, conf = read_symbols(line, charset, adult=True, ink_before=True)
    assert symbols == "***AZ" and conf < CONFIDENT  # an adult's three stars; the prior chose, not the pixels
    assert read_symbols(line, charset, adult=False, ink_before=True)[0] == "*AZ"  # 11-17 at issue: one star


def test_an_uncertain_traditional_form_gives_way_to_the_simplified_one(charset):
    # a Mainland card prints 瑶 and 晓; 瑤 and 暁 read without confidence are not on it
    line = _line(charset, [{"龙": 0.99}, {"瑤": 0.7, "瑶": 0.25}, {"暁": 0.5, "晓": 0.3}])
    assert line.text == "龙瑤暁"
    assert common_forms(line).text == "龙瑶晓"


def test_a_rare_character_read_with_confidence_stays(charset):
    # 堃 is printed in Mainland names though GB 2312 lacks it
    line = _line(charset, [{"张": 0.99}, {"堃": 0.95, "坤": 0.04}])
    assert common_forms(line).text == "张堃"


def test_a_rare_name_character_read_unsure_stays_if_names_bear_it_more(charset):
    """Dev 1300108's 高健堃: 堃 read unsure had given way to 堕, which GB 2312 holds and names
    all but never bear (checks.names); it stays now. A traditional form read unsure still
    gives way, however names bear it (瑤, see above)."""
    line = _line(charset, [{"高": 0.99}, {"健": 0.99}, {"堃": 0.6, "堕": 0.3}])
    assert common_forms(line).text == "高健堃"
    line = _line(charset, [{"龙": 0.99}, {"瑤": 0.7, "瑶": 0.25}])
    assert common_forms(line).text == "龙瑶"


def test_an_uncertain_given_name_character_is_chosen_as_names_bear_them(charset):
    """A given-name character read without confidence gives way to the recogniser's
    alternative that names bear more, relative to text (checks.names): 杜层永 with 层 at 0.6
    and 晨 at 0.3 (dev 1500148's 杜晨永) is 杜晨永. A confident character stays, so does the
    surname, and a character names bear more than its alternative."""
    from cardocr.documents.checks.names import customary_given_name

    assert customary_given_name(_line(charset, [{"杜": 0.99}, {"层": 0.6, "晨": 0.3}, {"永": 0.99}])).text == "杜晨永"
    assert customary_given_name(_line(charset, [{"杜": 0.99}, {"层": 0.95, "晨": 0.04}, {"永": 0.99}])).text == "杜层永"
    assert customary_given_name(_line(charset, [{"吴": 0.6, "昊": 0.3}, {"晨": 0.99}])).text == "吴晨"
    assert customary_given_name(_line(charset, [{"王": 0.99}, {"昊": 0.6, "吴": 0.3}])).text == "王昊"


def test_a_road_whose_direction_was_nearly_read_is_doubted(charset):
    """凤凰申路 with 中 at 0.044 against 申's 0.95 (dev 1303104): a misread 中路 most likely; 南京路
    with 东 far behind 京, and a road without a direction's runner-up, are not doubted; a
    direction read (中路) is what the rule looks for, not a doubt."""
    def margin(steps):
        line = _line(charset, [s if isinstance(s, dict) else {s: 0.99} for s in steps])
        return road_margin(line.probs, charset)

    m = margin(["凤", "凰", {"申": 0.95, "中": 0.044}, "路", "9"])
    assert m is not None and abs(m - np.log(0.95 / 0.044)) < 0.05 and m < ROAD_DOUBT
    m = margin(["南", {"京": 0.999, "东": 1e-4}, "路"])
    assert m is not None and m > ROAD_DOUBT
    assert margin(["凤", "凰", "中", "路"]) is None  # a direction read there
    assert margin(["凤", "凰", "申", "街"]) > ROAD_DOUBT  # no direction seen at all
    assert margin(["光", "明", "巷", "3", "号"]) is None  # no road's kind
    assert margin(["滨", {"江": 0.9, "西": 0.09}, "大", "道"]) < ROAD_DOUBT  # 滨江西大道


def test_a_road_whose_kind_was_nearly_read_before_its_number_is_doubted(charset):
    """学府大通640号 with 道 at 0.1 against 通's 0.85 (dev 1503687): a misread 大道 most likely;
    学府大道640号 read as printed and a number after a kind read with no kind near (路 at 1e-5
    behind 弄) are not doubted."""
    def margin(steps):
        line = _line(charset, [s if isinstance(s, dict) else {s: 0.99} for s in steps])
        return road_margin(line.probs, charset)

    m = margin(["学", "府", "大", {"通": 0.85, "道": 0.1}, "6", "4", "0", "号"])
    assert m is not None and abs(m - np.log(0.85 / 0.1)) < 0.05 and m < ROAD_DOUBT
    assert margin(["学", "府", "大", "道", "6", "4", "0", "号"]) > ROAD_DOUBT  # (府 against a direction)
    assert margin(["3", "7", {"弄": 0.99, "路": 1e-5}, "4", "号"]) > ROAD_DOUBT
