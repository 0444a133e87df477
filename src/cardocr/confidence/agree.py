"""What a card's values say about each other, per field, as plain numbers (never the values).

A reader's checks cover some relations (the Mainland card's number against its birth date and
sex); others no reader needs to decide anything and were not checked, yet they tell a
misread apart from a good one (issue 22: the wrong fields stated sure on the fit and tuning
ranges were mostly of these kinds):

    id_ok       an ID number of 18 characters whose check character fits (1), or a value
                shaped like one that does not (0): a digit cut by the zone's edge or dropped
                (the licence's number has no check of its own)
    cross       -1: the field disagrees with another field that encodes the same thing (the
                birth date and sex the ID number carries, against the birth and sex fields);
                1: it agrees; 0: nothing to compare
    surname     a Mainland name whose first character (or two) is a known surname (1), one
                whose is not (0): a first character misread or a label merged into the name.
                On an ID card that says its holder is Han (汉), or of a people that names
                as the Han do (checks.ethnic.HAN_NAMING: the Hui, the Manchu, the Zhuang…),
                0 is a contradiction (evidence.contradicted): such a name starts with a
                surname, and the list is the classic one and its modern forms
                (checks.surnames). Other peoples' names (扎西多吉, 买买提·吐尔逊) need not: on
                an ID card of another people 0 is the map's feature `no_surname` only. On
                the dev and check reads of sessions 24-30 (4,878 ID fronts, 1,509 of another
                people than the Han) 10 names of such peoples started with no surname, all
                wrong (calibration 900776's 自炜乐 for a Hui's 白炜乐, stated 0.99 out of
                fold). A licence prints no ethnicity: there a name without a middle dot
                that starts with no surname is a contradiction too (dev and check reads,
                sessions 24-25: 7 of 7 such licence names wrong, among them 1300280's 洗华骏
                for 冼华骏 stated 0.98). A Tibetan name on a licence (扎西多吉) goes to
                review: the card cannot say which people its holder is of
    label_tail  a name, address or authority ending in the first character of a printed
                label, or starting with a label's last one: a neighbouring label merged in
    label_in    1 (else absent): a name holding a whole label of its card (性别, 民族, 出生):
                the zone took a neighbouring line, labels and all (dev 1501928 and 1302032,
                layout cards whose names read 别女民族汉, stated 0.98, and 女民族满; none of the
                other 2,999 names of the dev and check reads of sessions 27-29 holds one). No
                feature of the map: a field the card contradicts (evidence.contradicted). An
                address may (民族路)
    divisions   an address that starts with a whole chain of division names, down to a
                county or a city with none under it (1), or one whose names stop above that
                (0): `北京市阳区…`, a character of the district dropped. No feature of the map:
                a field the card contradicts (evidence.contradicted)
    cross       also -1 on a licence whose first issue falls before its holder's 18th
                birthday, whose validity starts before that issue, or runs other than 6 or
                10 years (6 for the first, which starts at the first issue) (birth,
                issue_date, valid_from, valid_to): a date read from a
                neighbouring line, or a digit misread
    future      1: a date that can only lie in the past (a birth, an issue, the start of a
                validity period) read after today: a year's digit misread (`2014` as `2074`).
                Same as `divisions`: a contradiction, no feature of the map

The Hong Kong card's own relations (hk_agreement), under the same names where they mean the
same thing:

    cross       the Chinese name's characters against their telegraph codes (both fields);
                the symbols' status letter (A, R: permanent; C, U: not; the grammar is
                hk_symbols.RE_SYMBOLS) against the card's permanent title, and their stars
                (* for a holder under 18 on the issue date) against the birth and issue
                dates (the symbols, the permanent title)

    future      as above, for the birth and issue dates

    registered  0: the first registration `(MM-YY)` falls before the holder's 11th birthday
                on a card issued after it (hk_dates.registered_too_young), on the initial
                issue date; no feature of the map: a field the card contradicts

A Chinese holder's English name that is no romanisation of the Chinese one (not_romanised)
is a value without its field's shape (evidence.fits).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..documents.checks import add_years, birth_from_number, is_valid_check, sex_from_number
from ..documents.checks.address import starts_whole
from ..documents.checks.ethnic import HAN_NAMING
from ..documents.checks.hkid import telegraph_code
from ..documents.checks.surnames import COMPOUND, SINGLE
from ..documents.hk_symbols import RE_SYMBOLS

# the labels each document prints (their first and last characters)
LABELS = {
    "id-card": ("姓名", "性别", "民族", "出生", "住址", "公民身份号码", "签发机关", "有效期限"),
    "driver-license": ("姓名", "性别", "国籍", "住址", "出生日期", "初次领证日期", "准驾车型", "有效期限",
                       "证号", "档案编号", "记录"),
}
LABELLED = ("name", "address", "authority")  # values a label can run into (not a 中国 nationality)
# dates a card prints that lie before the day it is read (an end of validity may not)
PAST = {"id-card": ("birth", "valid_from"), "driver-license": ("birth", "issue_date", "valid_from"),
        "hk-id-card": ("birth_date", "issue_date")}
LICENCE_AGE = 18  # the youngest a Mainland licence is first issued to (cars and motorcycles)
LICENCE_TERMS = (6, 10)  # a licence's validity: 6 years first, 10 at each renewal, then 长期
FIRST_TERM = 6  # the first licence's (a renewal may get 6 again after a cycle of 12 points)
# the fields each number's digits speak for: field -> how to read it from the number
ENCODED = {"birth": birth_from_number, "sex": sex_from_number}


def _id_shaped(value: str) -> bool:
    """A Mainland ID number or a misread of one (15 or more digits, an X at most)."""
    return len(value) >= 15 and sum(c.isdigit() for c in value) >= len(value) - 1


def agreement(document: str, values: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Field -> {name: number} of the relations above (only fields that have one)."""
    out: dict[str, dict[str, float]] = future(document, values)
    if document == "hk-id-card":
        return _merge(out, hk_agreement(values))
    if document not in LABELS:
        return out
    number = values.get("number")
    if isinstance(number, str) and _id_shaped(number):
        out["number"] = {"id_ok": float(is_valid_check(number))}
        for field, decode in ENCODED.items():
            got = values.get(field)
            if not isinstance(got, str) or not got:
                continue
            encoded = decode(number)
            cross = 0.0 if encoded is None else (1.0 if encoded == got else -1.0)
            out.setdefault(field, {})["cross"] = cross
            # the number disagrees when any field it encodes does
            out["number"]["cross"] = min(out["number"].get("cross", 1.0), cross)
    if document == "driver-license":
        _licence_order(out, values)
    address = values.get("address")
    if isinstance(address, str) and address:
        out.setdefault("address", {})["divisions"] = float(starts_whole(address))
    held = values.get("name")
    if isinstance(held, str) and held:
        known = held[0] in SINGLE or held[:2] in COMPOUND
        out.setdefault("name", {})["surname"] = float(known)
        if values.get("ethnicity") in HAN_NAMING or (document == "driver-license" and "·" not in held):
            out["name"]["han_surname"] = float(known)
    firsts = {label[0] for label in LABELS[document]}
    lasts = {label[-1] for label in LABELS[document]}
    for k in LABELLED:
        v = values.get(k)
        if isinstance(v, str) and v:
            out.setdefault(k, {})["label_tail"] = float(v[-1] in firsts or v[0] in lasts)
    if isinstance(held, str) and any(label in held for label in LABELS[document]):
        out["name"]["label_in"] = 1.0
    return out


def future(document: str, values: dict[str, Any], today: dt.date | None = None) -> dict[str, dict[str, float]]:
    """{field: {"future": 1.0}} for each date of PAST read after today (a day's slack for
    time zones). ISO dates (Mainland card, licence), DD-MM-YYYY and the Hong Kong issue date's
    DD-MM-YY (hk_dates reads its century)."""
    from ..documents.hk_dates import issue_day

    limit = (today or dt.date.today()) + dt.timedelta(days=1)
    out: dict[str, dict[str, float]] = {}
    for k in PAST.get(document, ()):
        v = values.get(k)
        if not isinstance(v, str) or not v:
            continue
        day = issue_day(v) if re.fullmatch(r"\d{2}-\d{2}-\d{2}", v) else _day(v)
        if day is not None and day > limit:
            out[k] = {"future": 1.0}
    return out


def _day(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def _merge(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    for k, v in b.items():
        a.setdefault(k, {}).update(v)
    return a


def _licence_order(out: dict[str, dict[str, float]], values: dict[str, Any]) -> None:
    """A licence is first issued to a holder of LICENCE_AGE or more, its validity starts at
    that issue or at a renewal after it and runs LICENCE_TERMS years (or 长期), and a validity
    that starts at the first issue is the first one, of FIRST_TERM years: dates out of that
    order or term disagree (cross -1, both fields; one of the two is wrong; dev 1500080's
    first licence read valid to 2035 for 2031), and so does a validity that does not start on
    a day a term can start (renewal_day: tune 1505092's first issue 2001-01-02 for 2001-12-28,
    stated 0.999, against a validity from 2007-12-28). Dates in order prove little, so they add
    no agreement."""
    birth, issue, start, end = (_day(v) if isinstance(v, str) else None  # 长期 and unread: None
                                for v in map(values.get, ("birth", "issue_date", "valid_from", "valid_to")))
    if birth and issue and issue < add_years(birth, LICENCE_AGE):
        _both(out, ("birth", "issue_date"), -1.0)
    if issue and start and not renewal_day(issue, start):
        _both(out, ("issue_date", "valid_from"), -1.0)
    # a day's slack: a period begun on 29 February may end on the 28th or the 29th
    first = issue is not None and start == issue
    terms = (FIRST_TERM,) if first else LICENCE_TERMS
    if (start and end and not any(abs((end - add_years(start, n)).days) <= 1 for n in terms)) \
            or (first and values.get("valid_to") == "长期"):
        _both(out, ("valid_from", "valid_to"), -1.0)


def renewal_day(issue: dt.date, start: dt.date) -> bool:
    """Whether a validity can start on `start` for a licence first issued on `issue`: on the
    issue itself or at the end of a term, FIRST_TERM years then LICENCE_TERMS (each renewal
    takes up where the last term ended, so the day is the issue's anniversary; a day's slack
    for 29 February). A licence reissued for an added class may restart its term on another
    day: such a card is sent to review, its values kept."""
    years = round((start - issue).days / 365.25)
    if start < issue or abs((start - add_years(issue, years)).days) > 1:
        return False
    return years == 0 or _sum_of_terms(years - FIRST_TERM)


def _sum_of_terms(years: int) -> bool:
    """Whether `years` is a sum of renewal terms (LICENCE_TERMS, each any number of times)."""
    reach = {0}
    for y in range(1, max(0, years) + 1):
        if any(y - t in reach for t in LICENCE_TERMS):
            reach.add(y)
    return years in reach


def _both(out: dict[str, dict[str, float]], fields: tuple[str, ...], cross: float) -> None:
    for k in fields:
        out.setdefault(k, {})["cross"] = min(out.get(k, {}).get("cross", 1.0), cross)


def hk_agreement(values: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The Hong Kong card's relations (module doc), field -> {name: number}."""
    from ..documents.hk_dates import adult_at_issue, registered_too_young

    out: dict[str, dict[str, float]] = {}
    birth, initial, issue = values.get("birth_date"), values.get("initial_issue_date"), values.get("issue_date")
    if isinstance(birth, str) and isinstance(initial, str) and isinstance(issue, str) \
            and registered_too_young(birth, initial, issue):
        out["initial_issue_date"] = {"registered": 0.0}
    name, codes = values.get("name"), values.get("name_telegraph_code")
    if isinstance(name, str) and isinstance(codes, str) and name and codes:
        mine = [telegraph_code(c) for c in name]
        if len(codes.split()) == len(name) and None not in mine:
            _both(out, ("name", "name_telegraph_code"), 1.0 if mine == codes.split() else -1.0)
    symbols = values.get("symbols")
    m = RE_SYMBOLS.fullmatch(symbols) if isinstance(symbols, str) else None
    if m is None:
        return out
    permanent = values.get("permanent")
    if isinstance(permanent, bool):
        _both(out, ("symbols", "permanent"), 1.0 if (m["status"][-1] in "AR") == permanent else -1.0)
    adult = adult_at_issue(birth, issue) if isinstance(birth, str) and isinstance(issue, str) else None
    if adult is not None:
        _both(out, ("symbols",), 1.0 if (m["stars"] == "*") != adult else -1.0)
    return out


def not_romanised(name_en: str, name: str) -> int:
    """Words of a Chinese holder's English name that are no Cantonese romanisation: the
    surname and one given-name word per Chinese given-name character, counted from the end
    (an English given name may come first). A letter misread that the reader's syllable list
    could not repair (it changes only letters read without confidence). 0 without a Chinese
    name to count by."""
    from ..documents.hk_name_en import is_romanised, syllables

    if "," not in name_en or not name:
        return 0
    surname, given = name_en.split(",", 1)
    # the surname's characters: a word each (AU YEUNG), or one word of two (SZETO)
    sur = surname.split()
    n_sur = max(len(sur), 1 + (len(sur) == 1 and sur[0] not in syllables() and is_romanised(sur[0])))
    words = [*sur, *given.split()[max(0, len(given.split()) - (len(name) - n_sur)):]]
    return sum(not is_romanised(w) for w in words if w.isalpha())
