"""The Hong Kong card's closed grammars choosing among uncertain readings, on posterior
matrices built by hand: the English name under the Hong Kong Government romanisation
(documents.hk_name_en), the symbols' stars counted as glyphs (documents.hk_symbols), the
dates in calendar order (documents.hk_dates). None replaces a character read with
confidence, nor a reading the pixels do not support."""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents.checks.hk_romanise import spellings as romanised_spellings
from cardocr.documents.hk_dates import choose_dates, cross_check, read_initial_loose
from cardocr.documents.hk_fields import SPECS, decode, name_and_codes
from cardocr.documents.hk_name_en import is_romanised, match_chinese, near_common_name, read_name_en, surname_upper
from cardocr.documents.hk_symbols import read_symbols
from cardocr.ocr.ctc import BLANK, alphabet, char_index, greedy_decode
from cardocr.ocr.engine import get_engine
from cardocr.ocr.types import Line
from cardocr.types import CONFIDENT, Field, Reading


@pytest.fixture(scope="module")
def charset() -> list[str]:
    return get_engine().charset


def _line(charset: list[str], steps: list[dict[str, float]], spec: str) -> Line:
    """Each step one frame (its classes and probabilities; the rest of the mass is the
    blank), then a blank frame; decoded under `spec`."""
    index = char_index(charset)
    m = np.full((len(steps) * 2, len(charset)), 1e-9, np.float32)
    for t, step in enumerate(steps):
        for ch, p in step.items():
            m[2 * t, BLANK if ch == "" else index[ch]] = p
        m[2 * t, BLANK] += max(0.0, 1.0 - sum(step.values()))
        m[2 * t + 1, BLANK] = 1.0
    m /= m.sum(axis=1, keepdims=True)
    return greedy_decode(m, charset, alphabet(charset, spec))


def _sure(text: str) -> list[dict[str, float]]:
    return [{c: 0.99} for c in text]


# -- the English name ----------------------------------------------------------------------

def test_the_romanisation_list():
    assert all(is_romanised(w) for w in ("CHEUNG", "Tsz", "yau", "SZETO", "AUYEUNG", "NG"))
    assert not any(is_romanised(w) for w in ("EHEUNE", "Budi", "Bahadur", "SINGH"))


def test_an_uncertain_word_that_is_no_syllable_takes_the_syllable_the_pixels_support(charset):
    steps = _sure("CHEUN") + [{"E": 0.55, "G": 0.4}] + _sure(", Siu")
    line = _line(charset, steps, SPECS["name_en"])
    assert line.text == "CHEUNE, Siu"
    name, conf, chosen = read_name_en(line, charset)
    assert (name, chosen) == ("CHEUNG, Siu", True)
    assert conf < CONFIDENT  # the list chose


def test_a_syllable_as_read_gives_way_only_to_a_neighbour_the_pixels_prefer(charset):
    lau = _sure("LEE, ") + [{"l": 0.45, "L": 0.1, "Y": 0.4}] + _sure("au Tsz")
    assert read_name_en(_line(charset, lau, SPECS["name_en"]), charset)[0] == "LEE, Yau Tsz"
    kept = _sure("LEE, ") + [{"L": 0.6, "Y": 0.35}] + _sure("au Tsz")
    assert read_name_en(_line(charset, kept, SPECS["name_en"]), charset)[:3:2] == ("LEE, Lau Tsz", False)


def test_foreign_names_stay_as_read(charset):
    sure = _line(charset, _sure("SUHARTI, Budi"), SPECS["name_en"])
    assert read_name_en(sure, charset) == ("SUHARTI, Budi", pytest.approx(0.99, abs=0.01), False)
    # an uncertain letter in a long foreign word: no syllable is near, nothing changes
    steps = _sure("GURUNG, Ram Baha") + [{"d": 0.6, "o": 0.3}] + _sure("ur")
    assert read_name_en(_line(charset, steps, SPECS["name_en"]), charset)[0] == "GURUNG, Ram Bahadur"


def test_a_given_name_the_recogniser_could_not_tell_from_a_common_one(charset):
    """`Rosalle` with its second l nearly an i (dev 1500028, stated 0.98): one letter from
    Rosalie, which the pixels support nearly as well. Evidence for review only: the reading
    stays, and a name read with confidence, a syllable or a common name is never flagged."""
    steps = _sure("DELA CRUZ, Rosal") + [{"l": 0.5, "i": 0.45}] + _sure("e")
    line = _line(charset, steps, SPECS["name_en"])
    name, _conf, _chosen = read_name_en(line, charset)
    assert name == "DELA CRUZ, Rosalle" and near_common_name(line, name, charset)
    sure = _line(charset, _sure("DELA CRUZ, Rosalle"), SPECS["name_en"])
    assert not near_common_name(sure, "DELA CRUZ, Rosalle", charset)
    far = _line(charset, _sure("DELA CRUZ, Rosal") + [{"l": 0.9, "i": 0.05}] + _sure("e"), SPECS["name_en"])
    assert not near_common_name(far, "DELA CRUZ, Rosalle", charset)  # i is 18x less likely
    right = _line(charset, _sure("DELA CRUZ, Rosal") + [{"i": 0.5, "l": 0.45}] + _sure("e"), SPECS["name_en"])
    assert not near_common_name(right, "DELA CRUZ, Rosalie", charset)


def test_a_given_name_no_list_vouches_for_read_unsure(charset):
    """`Sinran` for Simran (dev 1300463, the m at 0.52, stated 0.998): neither a syllable nor a
    common English name, and nothing near enough to one for near_common_name. A word of such a
    name read unsure is evidence (the card goes to a person); the same word read with
    confidence, an unsure syllable or common name, or an unsure surname is not."""
    from cardocr.documents.hk_name_en import unvouched_given_name

    steps = _sure("SINGH, Si") + [{"n": 0.52, "m": 0.45}] + _sure("ran Kaur")
    line = _line(charset, steps, SPECS["name_en"])
    name = read_name_en(line, charset)[0]
    assert name == "SINGH, Sinran Kaur" and unvouched_given_name(line, name)
    assert not unvouched_given_name(_line(charset, _sure("SINGH, Sinran Kaur"), SPECS["name_en"]), name)
    mary = _line(charset, _sure("LAM, Ma") + [{"r": 0.6, "n": 0.35}] + _sure("y"), SPECS["name_en"])
    assert not unvouched_given_name(mary, "LAM, Mary")
    syllable = _line(charset, _sure("LAM, Shu") + [{"n": 0.6, "m": 0.35}] + _sure(" Yin"), SPECS["name_en"])
    assert not unvouched_given_name(syllable, "LAM, Shun Yin")
    surname = _line(charset, _sure("SIN") + [{"G": 0.6, "C": 0.35}] + _sure("H, Harpreet"), SPECS["name_en"])
    assert not unvouched_given_name(surname, "SINGH, Harpreet")
    # a lone letter among the given names, read sure: the card prints no initials, so it is a
    # word split in two (tune 1305462's `Jo Y Ann` for Joy Ann, stated 0.99)
    split = _line(charset, _sure("SANTOS, Jo Y Ann"), SPECS["name_en"])
    assert unvouched_given_name(split, "SANTOS, Jo Y Ann") and not unvouched_given_name(split, "SANTOS, Joy Ann")
    # but a given name written with an apostrophe is whole
    darcy = _line(charset, _sure("SMITH, D'Arcy"), SPECS["name_en"])
    assert darcy.text == "SMITH, D'Arcy" and not unvouched_given_name(darcy, "SMITH, D'Arcy")


def test_the_spellings_of_a_chinese_character():
    assert {"CHEUNG", "CHEONG"} <= romanised_spellings("張")
    assert {"TSZ", "CHI"} <= romanised_spellings("子") and "SZE" in romanised_spellings("思")
    assert {"CHAN"} <= romanised_spellings("陳") and "CHUN" in romanised_spellings("振")
    assert "WAH" in romanised_spellings("華") and "LAW" in romanised_spellings("羅")
    assert romanised_spellings("A") == frozenset()


def test_an_unsure_word_takes_the_spelling_of_its_chinese_character(charset):
    # 鄧翠佳 printed TANG, Chui Kai: `Chut Kat`, both t's unsure
    steps = _sure("TANG, Chu") + [{"t": 0.6, "i": 0.35}] + _sure(" Ka") + [{"t": 0.6, "i": 0.35}]
    line = _line(charset, steps, SPECS["name_en"])
    name = read_name_en(line, charset)[0]
    assert name == "TANG, Chut Kat"  # both syllables: the list alone keeps them
    assert match_chinese(line, name, "鄧翠佳", charset) == "TANG, Chui Kai"
    # a Western first name before the Chinese given names is left alone
    steps = _sure("YEUNG, Stephen Chi Ho") + [{"n": 0.5, "i": 0.45}]
    line = _line(charset, steps, SPECS["name_en"])
    assert match_chinese(line, "YEUNG, Stephen Chi Hon", "楊致凱", charset) == "YEUNG, Stephen Chi Hoi"


def test_a_confident_word_stays_as_read_whatever_the_chinese_name(charset):
    line = _line(charset, _sure("WONG, Chi Kel"), SPECS["name_en"])
    assert match_chinese(line, "WONG, Chi Kel", "黃志奇", charset) == "WONG, Chi Kel"
    # and a name without the Chinese one, or a word whose character is unknown, too
    steps = _sure("WONG, Chi Ke") + [{"l": 0.5, "i": 0.45}]
    line = _line(charset, steps, SPECS["name_en"])
    assert match_chinese(line, "WONG, Chi Kel", "", charset) == "WONG, Chi Kel"
    assert match_chinese(line, "WONG, Chi Kel", "黃志A", charset) == "WONG, Chi Kel"


def test_a_surname_read_in_small_letters_is_the_capitals_printed(charset):
    """A small card's W, O, S read as w, o, s, even with confidence: the surname is printed in
    capitals only, so the role still fits and the name comes back in capitals."""
    assert surname_upper("wows, Choi Pak") == "WOWS, Choi Pak"
    assert surname_upper("Date of Birth") == "Date of Birth"  # no comma: not a name's shape
    line = _line(charset, _sure("chan, Siu Ming"), SPECS["name_en"])
    assert read_name_en(line, charset)[0] == "CHAN, Siu Ming"


def test_a_given_name_syllable_read_with_a_confident_capital_is_printed_capitalised(charset):
    # HK layout, seed 1300404 (2003 card): `Shun TSz`, the S read at 0.94
    steps = _sure("TSANG, Shun T") + [{"S": 0.94}, {"Z": 0.63, "z": 0.3}]
    line = _line(charset, steps, SPECS["name_en"])
    assert read_name_en(line, charset)[0] == "TSANG, Shun Tsz"
    # a word that is no syllable keeps its letters' case as read
    other = _line(charset, _sure("SUHARTI, BUdi"), SPECS["name_en"])
    assert read_name_en(other, charset)[0] == "SUHARTI, BUdi"


# -- the symbols ---------------------------------------------------------------------------

def test_stars_the_recogniser_could_not_name_are_counted_as_glyphs(charset):
    # one star read without confidence, two more glyphs read as '=' and half a blank
    steps = [{"*": 0.55}, {"=": 0.4}, {"=": 0.3, "9": 0.2}] + _sure("RO")
    line = _line(charset, steps, SPECS["symbols"])
    assert line.text == "*RO"
    symbols, conf = read_symbols(line, charset, adult=True)
    assert symbols == "***RO" and conf < CONFIDENT
    # the same star read with confidence and nothing before the letters: as read
    sure = _line(charset, [{"*": 0.97}] + _sure("AZ"), SPECS["symbols"])
    assert read_symbols(sure, charset, adult=False)[0] == "*AZ"


def test_a_status_letter_not_read_is_a_candidate(charset):
    steps = _sure("**") + [{"6": 0.5, "A": 0.3}, {"Z": 0.8}]
    line = _line(charset, steps, SPECS["symbols"])
    assert read_symbols(line, charset, adult=True)[0] == "**AZ"


def _raw(charset: list[str], steps: list[dict[str, float]]) -> Line:
    """The line as the recogniser hands it over: decoded under its whole charset."""
    index = char_index(charset)
    spec = "".join(sorted({c for step in steps for c in step if c}))
    line = _line(charset, steps, spec)
    return greedy_decode(line.probs, charset, np.arange(len(index)))  # type: ignore[arg-type]


def test_a_symbols_line_read_as_foreign_glyphs_is_read_again_under_its_grammar(charset):
    # dev HK layout 1300536: the whole line `***AW` read as CJK (生生世用果), the letters
    # keeping a little mass under their glyphs: under the symbols' alphabet alone nothing
    # the card's conventions allow was left (`***`)
    steps = [{"生": 0.9, "*": 0.02}, {"生": 0.9, "*": 0.02}, {"世": 0.9, "*": 0.02},
             {"用": 0.85, "A": 0.06, "R": 0.03}, {"果": 0.85, "W": 0.05, "X": 0.02}]
    line = _raw(charset, steps)
    assert line.text == "生生世用果"
    symbols, conf = read_symbols(line, charset, adult=True)
    assert symbols == "***AW"
    assert conf < 0.5  # every character chosen by the grammar
    # stars read with confidence and no letter: as read (a specimen may print anything)
    sure = _raw(charset, _sure("***"))
    assert read_symbols(sure, charset, adult=True)[0] == "***"


def test_a_letter_read_with_a_mark_is_a_letter_not_a_star(charset):
    # tune HK 1305351 thumb: `***ÇAO`, Ç at 0.52 and C at 0.46; Ç was taken for a glyph
    # standing for stars before `AO` and the card read ***AO, stated 0.9999
    steps = [{"*": 0.89}, {"*": 0.5, "R": 0.14}, {"*": 0.94}, {"Ç": 0.52, "C": 0.46}] + _sure("AO")
    line = _raw(charset, steps)
    assert line.text == "***ÇAO"
    assert read_symbols(line, charset, adult=True)[0] == "***CAO"
    # a glyph of no alphabet before the letters still stands for stars
    foreign = _raw(charset, [{"为": 0.9}] + _sure("AZ"))
    assert read_symbols(foreign, charset, adult=True)[0] == "***AZ"


# -- the Chinese name and its telegraph codes ----------------------------------------------

def test_a_sure_code_outweighs_a_look_alike_read_with_confidence(charset):
    # HK small, seed 1300046 (2003 card): 瓊 read as 理 at 0.95, its code 3890 read at 0.95
    line = _line(charset, _sure("李洲") + [{"理": 0.95, "瓊": 0.04}], "{cjk}")
    reading = Reading("hk-id-card", "front", {})
    codes = ["2621", "3166", "3890"]
    name, conf, out_codes, _ = name_and_codes(line, charset, codes, [1.0, 0.94, 0.95], reading)
    assert (name, out_codes) == ("李洲瓊", codes)
    assert conf < CONFIDENT  # the code chose
    # an unsure code leaves a sure character as read
    unsure = name_and_codes(line, charset, codes, [1.0, 0.94, 0.6], Reading("hk-id-card", "front", {}))
    assert unsure[0] == "李洲理"


# -- the dates -----------------------------------------------------------------------------

def _reading(birth: str, initial: str, issue: str, birth_conf: float = 0.5) -> Reading:
    return Reading("hk-id-card", "front", {
        "birth_date": Field(birth, birth_conf), "initial_issue_date": Field(initial, 0.97),
        "issue_date": Field(issue, 0.99), "number": Field("", 0.0)})


def test_a_date_that_cannot_be_takes_the_uncertain_digits_that_make_it_real(charset):
    steps = _sure("16-08-1") + [{"0": 0.5, "9": 0.45}] + _sure("85")
    line = _line(charset, steps, SPECS["birth"])
    reading = _reading("16-08-1085", "(02-02)", "29-12-23")
    choose_dates(reading, {"birth_date": line}, charset)
    assert reading.fields["birth_date"].value == "16-08-1985"
    assert reading.fields["birth_date"].confidence < CONFIDENT
    assert reading.corrections == [("birth_date", "a calendar date in the card's order")]


def test_a_date_read_with_confidence_stays_as_printed(charset):
    line = _line(charset, _sure("16-08-1085"), SPECS["birth"])
    reading = _reading("16-08-1085", "(02-02)", "29-12-23", birth_conf=0.99)
    choose_dates(reading, {"birth_date": line}, charset)
    cross_check(reading)
    assert reading.fields["birth_date"].value == "16-08-1085"
    assert reading.fields["birth_date"].confidence < CONFIDENT  # no calendar date: not vouched for
    assert reading.checks["dates"] is False


def test_a_dash_read_as_a_look_alike_with_all_the_mass_is_the_dates_dash(charset):
    # HK layout, seed 1300404 (2003 card): `15=04=19`, '-' at 1e-5 beside the second '='
    steps = _sure("15") + [{"=": 0.996, "-": 0.002}] + _sure("04") + [{"=": 0.9999}] + _sure("19")
    line = _line(charset, steps, SPECS["issue_date"] + "=")
    assert line.text == "15=04=19"
    assert decode(line, charset, "issue_date").text == "15-04-19"


def test_a_first_issue_with_its_parentheses_read_as_uncertain_ones(charset):
    ones = [{"1": 0.45, "(": 0.2}] + _sure("07-48") + [{"1": 0.6, ")": 0.3}]
    assert read_initial_loose(_line(charset, ones, SPECS["initial_issue_date"]), charset)[0] == "(07-48)"
    # 1s read with confidence are digits: not a first issue
    sure = _line(charset, _sure("107-481"), SPECS["initial_issue_date"])
    assert read_initial_loose(sure, charset) == ("", 0.0)
