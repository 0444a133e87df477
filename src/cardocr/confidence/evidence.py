"""What a reading already says about how sure it is, per field, as plain numbers.

Nothing here reads pixels again: the evidence is what the document module left on the
Reading (the recogniser's confidence, the checks, the corrections a closed list or a check
made), what the lines behind each field said (Field.evidence, filled by lines.py: runner-up
margins, low posteriors, characters nearly dropped, zone fit, blur), whether each value has its
field's printed shape (GRAMMAR, closed lists, an address's divisions) and how the pipeline
found the card. `features` turns it into the vector the calibration map (calibration.py) was
fitted on; the names in FEATURES are that vector's.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cache
from typing import Any

from ..documents.base import GUESSES
from ..documents.checks.address import ends_cut, flat_number_off, number_dropped, road_unnamed, units_after_digits
from ..documents.checks.traditional import has_traditional
from ..documents.hk_symbols import RE_SYMBOLS
from ..types import CardResult, Field
from .agree import agreement, not_romanised
from .lines import dropped_character

# which checks speak for which fields (a check's name is the document's own; one that
# names no field below speaks for the whole card)
CHECK_FIELDS = {
    "dates": ("valid_from", "valid_to"),
    "validity_span": ("valid_from", "valid_to"),
}

# `logit` is the recogniser's confidence of a field no check or closed list changed; a changed
# field's number is often hand-set (0 for a date rebuilt from the ID number), so it is its own
# feature, `corrected_logit`. From `low` on, the lines behind the field (lines.py) and whether
# its value has the shape its field prints (GRAMMAR). From `required_empty` on, what the values
# say about each other (agree.py), the characters nearly read as another, a first character cut
# by the zone's left edge, a photo small enough to be zoomed, and how well the licence seal's
# pixels carry the authority chosen (licence_seal.seal_evidence).
FEATURES = ("logit", "sure", "corrected_logit", "empty", "corrected", "field_check_failed",
            "card_check_failed", "deep", "whole", "card_empty", "card_min_logit",
            "low", "logp_mean", "margin", "miss", "len_off", "zone_dy", "zone_edge", "fallback",
            "no_lines", "blur", "card_blur", "misfit", "card_misfit", "card_zone_dy",
            "required_empty", "id_bad", "cross_bad", "cross_ok", "no_surname", "label_tail", "edge_l",
            "unsure", "margin_low", "card_unsure", "zoom",
            "seal_fit", "seal_away")

# fields a card may leave blank, or a reader leaves blank unless asked for (the licence's
# authority); any other empty field was not found: it is wrong
MAY_BE_EMPTY = {("hk-id-card", "name"), ("hk-id-card", "name_telegraph_code"), ("driver-license", "record"),
                ("driver-license", "authority")}
UNSURE = 2.0  # lines.UNSURE: the margin below which a character was nearly another
# an ID back's authority a closed list chose by less than this log-likelihood over the next
# listed name (cn_id_back.choose_authority, evidence `list_gap`): the pixels barely chose
LIST_GAP_MIN = 1.75


def required(document: str, name: str, f: dict[str, Any]) -> bool:
    """A field every card prints, or one a reader leaves blank unless asked for that was asked
    for (its evidence `asked`: the licence's seal, on every main page)."""
    return (document, name) not in MAY_BE_EMPTY or f.get("asked", 0.0) > 0


def contradicted(ev: dict[str, Any]) -> set[str]:
    """Fields whose value the card itself contradicts, or the reader had to guess in part.
    They are few on the calibration range and nearly all wrong, too few for the logistic fit
    to learn that (it shrinks their weights), so the map states them apart: the share right
    of all such fields together (calibration.py). The value is kept; the card goes to review.

    - a field every card prints left empty (`required`: the licence's seal too, when asked);
    - an ID number whose check character fails (agree.py `id_ok`);
    - an address whose division names stop above a county (agree.py `divisions`);
    - Hong Kong symbols whose stars the line's pixels count otherwise (hk_id_card
      `stars_off`; right ones are sent too, but were few on the dev and check ranges: 2 of
      398 cards, both sent for other fields);
    - a Hong Kong holder first registered before 11 (agree.py `registered`);
    - a birth or issue read after today (agree.py `future`);
    - a Han holder's name that starts with no surname (agree.py `surname`: the 5 names
      without one on the calibration range's fresh read were wrong, ID and licence);
    - a value without its field's printed shape or off its closed list (`fits`: 30 of 31
      wrong on that read; the right one, telegraph codes counted against a misread name),
      or a Mainland name or address holding a traditional form (dev 1300092's 覃瑤媛,
      stated 0.97), or an address with a character after a number that counts nothing (dev
      1500333's 39号楼795务, stated 0.98);
    - an ID back's authority a list chose by a hair over another real name (cn_id_back
      `list_gap` under LIST_GAP_MIN, about 6 times as likely), or shorter than what was read
      (`list_dropped`: the recogniser saw a character the name lacks). On session 29's dev
      read, of 27 backs whose authority a list chose, the 2 wrong ones led the next name by
      0.75 and 1.54 nats (1501969's 盐田 for 福田, stated 0.979), the 15 right ones that
      weighed a second name by 1.92 or more; on session 27's check read 1 of 23 (right, sent
      anyway). Names shorter than the reading: 2 of 2 wrong (dev 1502118, and calibration
      900923's 户县 for 桐庐县, stated 0.99 out of fold), none of 86 right ones;
    - a licence authority naming neither the city of the licence's number nor of its address
      (licence_seal `seal_away`: a licence is issued where its holder is registered or lives;
      2 of 2 wrong on that read, the 142 local ones right);
    - two fields that encode the same thing and disagree (agree.py `cross` -1: the ID number
      against the birth date, a Hong Kong name against its telegraph codes, the symbols
      against the permanent title): one of the two is wrong, and every card with such a pair
      on that read and on the dev range had a wrong field (7 of 7; dev 1300156's permanent
      title, read from an unsure line, was stated 0.999);
    - a Hong Kong English given name read unsure, one letter from a common English name the
      pixels support nearly as well (hk_name_en.near_common_name: dev 1500028's `Rosalle`
      for Rosalie, stated 0.98), or one that no list vouches for at all
      (hk_name_en.unvouched_given_name: dev 1300463's `Sinran` for Simran, stated 0.998;
      12 of 18 wrong English names and 7 of 732 right ones on the HK dev reads of sessions
      24-26);
    - a Mainland name or address completed by a guess (documents.base.GUESSES, evidence
      `guessed`: the surnames, GB 2312's common forms, the division names, the characters
      given names bear): in the dev reads of sessions 22 and 23 (tools.slips) 17 of 21 such
      fields were wrong, and dev 1300108's 高健堃, its 堃 read unsure and taken for 堕 (GB
      2312 has no 堃), was stated 0.94;
    - a Mainland given name with a character the naming customs would have read otherwise
      among the recogniser's own likeliest readings (lines.py `name_doubt` below 0,
      checks.names: dev 1300053's 向吴思 for 向昊思, stated 0.95; no right name of 255 on
      the dev range's read);
    - such a name with a character read unsure that names rarely bear and text bears more
      (lines.py `name_rare`, checks.names.unlikely_given_name: dev 1300424's 史楼秀 for
      史霞秀, stated 0.9996; in 25 of 57 wrong names and 0 of 1,870 right ones on the dev and
      check reads of sessions 24-26);
    - such a name whose surname the recogniser read barely likelier than another surname
      (lines.py `surname_tie`, checks.names.surname_tie: dev 1501306's 仇春 for 仉春, 仇 at
      0.42 and 仉 at 0.39, stated 0.9996, and check 1400666's 仇晓云 at 0.70 against 0.23: the
      surname list cannot choose between two surnames);
    - a Mainland address with a character the recogniser nearly read as the word the road
      grammar expects there, a direction before the road's kind or a kind before the house
      number (lines.py `road_doubt`, checks.address.road_margin: 67 wrong and 2 right on the
      dev and check reads of sessions 24-30; check 1400876's 振兴申路 stated 0.99, 1401500's
      文化大通 0.94);
    - a name holding a whole label of its card (agree.py `label_in`: a neighbouring line read
      into the name's zone, labels and all);
    - an unsure name, address or licence record that a second look at its lines reads
      otherwise (second_look.py: 22 of 27 wrong fields, 0 of 23 right ones on the dev read);
    - a licence record with a line of Chinese in its zone that the reader let go as too
      unsure (driver_license `unread_lines`: dev 1500348's record, printed and read empty,
      stated 0.81; 0 of 186 right records on the dev read);
    - a name, address or record where the recogniser nearly emitted a character the path
      dropped (lines.dropped_character, miss_max at least DROPPED: dev and check reads of sessions 24-25, 12
      wrong and 8 right of ~3,200 such fields; bench sample 1300007's address without its 10栋).
    """
    guessed = {k for k in ev.get("guessed", ()) if k in ev["fields"]}
    return guessed | {k for k, f in ev["fields"].items()
                      if (f["empty"] and required(ev["document"], k, f)) or f.get("id_ok", 1.0) == 0.0
                      or f.get("divisions", 1.0) == 0.0 or f.get("stars_off", 0.0) > 0
                      or f.get("registered", 1.0) == 0.0 or f.get("future", 0.0) > 0
                      or f.get("han_surname", 1.0) == 0.0 or not f.get("fits", True)
                      or f.get("seal_away", 0.0) > 0 or f.get("cross", 0.0) < 0
                      or f.get("name_near", 0.0) > 0 or f.get("name_doubt", 0.0) < 0
                      or f.get("name_rare", 0.0) > 0 or f.get("name_unvouched", 0.0) > 0
                      or f.get("surname_tie", 0.0) > 0 or f.get("label_in", 0.0) > 0
                      or f.get("road_doubt", 0.0) > 0
                      or f.get("second_look", 0.0) > 0 or f.get("unread_lines", 0.0) > 0
                      or f.get("list_gap", LIST_GAP_MIN) < LIST_GAP_MIN or f.get("list_dropped", 0.0) > 0
                      or dropped_character(ev["document"], k, f)}

_ISO = r"\d{4}-\d{2}-\d{2}"
_CN_DATE = r"\d{4}年\d{2}月\d{2}日"
# the licence record's clauses as the traffic police print them (probation, probation after an
# added class, the scoring-cycle review, the yearly health certificate past 70, renewal); a
# record of other words is read wrong or says something rarer: either way worth a look
_RECORD = (rf"实习期至{_CN_DATE}|增驾[A-FMNP][1-6]?实习期至{_CN_DATE}"
           r"|请于每个记分周期结束后三十日内到公安机关交通管理部门接受审验"
           rf"|请于每年\d{{2}}月\d{{2}}日前提交身体条件证明|请于{_CN_DATE}前申请换证")
_CJK = "[\u3400-\u9fff]"
# the shape of each field's value as the document prints it (a value that does not fit was
# misread, cut or merged with a neighbour); a field not named here is not tested
GRAMMAR: dict[str, dict[str, str]] = {
    "id-card": {"name": f"{_CJK}[{_CJK[1:-1]}·]{{1,14}}", "sex": "[男女]", "birth": _ISO,
                "ethnicity": f"{_CJK}{{1,5}}", "address": f"{_CJK}{{2}}.{{6,}}", "number": r"\d{17}[\dX]",
                "authority": ".{4,}局", "valid_from": _ISO, "valid_to": f"{_ISO}|长期"},
    "hk-id-card": {"name": f"{_CJK}{{1,6}}", "sex": "[MF]", "birth_date": r"\d{2}-\d{2}-\d{4}",
                   "name_en": r"[A-Z][A-Z' -]*, [A-Z][A-Za-z' -]*", "number": r"[A-Z]{1,2}\d{6}\([\dA]\)",
                   "symbols": RE_SYMBOLS.pattern, "name_telegraph_code": r"\d{4}( \d{4})*",
                   "initial_issue_date": r"\(\d{2}-\d{2}\)", "issue_date": r"\d{2}-\d{2}-\d{2}"},
    "driver-license": {"number": r"\d{17}[\dX]|[A-Z0-9]{8,18}", "name": f"{_CJK}[{_CJK[1:-1]}·]{{1,14}}",
                       "sex": "[男女]", "nationality": f"{_CJK}{{2,8}}", "address": f"{_CJK}{{2}}.{{6,}}",
                       "birth": _ISO, "issue_date": _ISO, "class": "([A-FMNP][1-6]?)+",
                       "valid_from": _ISO, "valid_to": f"{_ISO}|长期", "file_number": r"\d{12}",
                       "authority": ".{4,}(总队|支队|大队|局)", "record": f"({_RECORD})+"},
}


def found_by(method: str) -> str:
    """The quad's method as one of quick / deep / whole (vision.locate names its maps)."""
    if method == "whole":
        return "whole"
    if method.startswith("lines") or "_open" in method:
        return "deep"
    return "quick"


def evidence_of(result: CardResult) -> dict[str, Any]:
    """A JSON-ready record of one card's evidence: no values, only whether each is empty
    and what the values say about each other (agree.py)."""
    r = result.reading
    agree = agreement(r.document, {k: f.value for k, f in r.fields.items()})
    return {
        "document": r.document, "side": r.side, "found_by": found_by(result.found_by),
        "method": result.found_by,  # the locator's map, e.g. "otsu+zoom" (a small photo zoomed)
        "checks": {k: bool(v) for k, v in r.checks.items()},
        "corrected": sorted({f for f, _why in r.corrections}),
        "guessed": sorted({f for f, why in r.corrections if why in GUESSES}),
        "fields": {k: {"conf": float(f.confidence), "empty": f.value in ("", None),
                       "fits": fits(r.document, k, f.value, r.fields),
                       "len": len(f.value) if isinstance(f.value, str) else 1, **f.evidence, **agree.get(k, {})}
                   for k, f in r.fields.items()},
    }


@cache
def _closed_lists() -> dict[tuple[str, str], frozenset[str]]:
    from ..documents.checks import ETHNIC_GROUPS
    from ..documents.checks.authority import authority_names
    from ..documents.checks.licence_authority import authority_table
    from ..documents.checks.licence_lists import NATIONALITIES, class_list

    # the licence's authority: the traffic police of every city (its seal's reader prefers
    # them, but keeps a rim read better than any of them: 交通管察支队 is none)
    # the ID card's authority: a county-level bureau of the division table (a bureau the table
    # does not name, e.g. a development zone's, is read as printed and sent to review)
    return {("id-card", "ethnicity"): frozenset(ETHNIC_GROUPS),
            ("id-card", "authority"): frozenset(authority_names()),
            ("driver-license", "nationality"): frozenset(NATIONALITIES),
            ("driver-license", "class"): frozenset(class_list()),
            ("driver-license", "authority"): frozenset(authority_table()[0])}


@cache
def _divisions() -> frozenset[str]:
    from ..documents.checks.address import address_prefixes

    return frozenset(address_prefixes())


_HK_NAME_PAIR = {"name": "name_telegraph_code", "name_telegraph_code": "name"}


def fits(document: str, name: str, value: str | bool, fields: dict[str, Field]) -> bool:
    """Whether a value has its field's printed shape (GRAMMAR; an ISO date, a day of the
    calendar), is one of its closed list, an address starts with a division name (a cut one
    does not), has a unit word after each number (checks.address.units_after_digits) and
    does not end on a number of one or two digits (checks.address.ends_cut: its end cut) nor
    number a flat otherwise than by floor and door (flat_number_off) nor name a road's kind
    without its name (road_unnamed) or a building, entrance or flat without its number
    (number_dropped), a
    Mainland name or address holds no traditional form (checks.traditional); the Hong Kong
    card's telegraph codes also number one per character of the Chinese name (and are read
    when it is), and a Chinese holder's English name is the Cantonese romanisation of it
    (agree.not_romanised)."""
    if document == "hk-id-card" and name in _HK_NAME_PAIR and value == "":
        # a holder without a Chinese name has no telegraph codes either: one read without
        # the other means the other was not read (HK dev 1300389's name, stated 0.99)
        other = fields.get(_HK_NAME_PAIR[name])
        return not (other is not None and isinstance(other.value, str) and other.value)
    if not isinstance(value, str) or not value:
        return True
    pattern = GRAMMAR.get(document, {}).get(name)
    if pattern is not None and not re.fullmatch(pattern, value):
        return False
    if re.fullmatch(_ISO, value) and not _calendar_date(value):
        return False  # shaped like a date, but no day of the calendar (0620-19-11)
    closed = _closed_lists().get((document, name))
    if closed is not None and value not in closed:
        return False
    if document in ("id-card", "driver-license") and name in ("name", "address") and has_traditional(value):
        return False  # the Mainland prints simplified characters (checks.traditional)
    if name == "address" and document in ("id-card", "driver-license"):
        # it starts with a division name (a cut one does not), a unit word follows each
        # number (checks.address.units_after_digits), its end was not cut (ends_cut), and a
        # flat is numbered by floor and door (flat_number_off), a road has a name (road_unnamed)
        # and a building, entrance or flat its number (number_dropped)
        return any(value[:k] in _divisions() for k in range(2, 9)) and units_after_digits(value) \
            and not ends_cut(value) and not flat_number_off(value) and not road_unnamed(value) \
            and not number_dropped(value)
    if document == "hk-id-card" and name == "name_en":
        zh = fields.get("name")
        return not (zh is not None and isinstance(zh.value, str) and not_romanised(value, zh.value))
    if document == "hk-id-card" and name in ("name", "name_telegraph_code"):
        zh, codes = fields.get("name"), fields.get("name_telegraph_code")
        if zh is not None and codes is not None and isinstance(zh.value, str) and isinstance(codes.value, str) \
                and zh.value and codes.value:
            return len(zh.value) == len(codes.value.split())
    return True


def _calendar_date(value: str) -> bool:
    """A day of the calendar a card can print (the years of living holders and their cards)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return 1900 <= day.year <= 2100


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def check_fields(check: str) -> tuple[str, ...]:
    """The fields a check speaks for: its own list, or the field it is named after."""
    return CHECK_FIELDS.get(check, (check,))


def features(ev: dict[str, Any]) -> dict[str, list[float]]:
    """Field name -> feature vector (FEATURES order) for every field of one card."""
    fields = ev["fields"]
    failed = [c for c, ok in ev["checks"].items() if not ok]
    failed_fields = {f for c in failed for f in check_fields(c)}
    card_empty = sum(1 for f in fields.values() if f["empty"]) / max(1, len(fields))
    card_min = min((_logit(f["conf"]) for k, f in fields.items() if not f["empty"] and k not in ev["corrected"]),
                   default=_logit(1.0))
    # a field without line evidence (a reading not made through the pipeline) counts as one
    # whose lines said nothing against it
    blurs = [f.get("blur", 0.0) for f in fields.values() if f.get("lines", 0.0) > 0]
    card_blur = float(min(blurs)) if blurs else 0.0
    # a layout the landmarks misplaced, or a card read off its frame, moves every zone: one
    # field that does not fit, or sits far from its zone, speaks for its neighbours too
    card_misfit = sum(1.0 for f in fields.values() if not f.get("fits", True))
    card_dy = max((min(f.get("zone_dy", 0.0), 2.0) for f in fields.values()), default=0.0)
    card_unsure = min(sum(f.get("unsure", 0.0) for f in fields.values()), 10.0)
    zoom = float("+zoom" in ev.get("method", ""))
    out = {}
    for name, f in fields.items():
        corrected = name in ev["corrected"]
        lines = f.get("lines", 1.0) > 0
        margin = min(max(f.get("margin_min", 20.0), 0.0), 10.0) if lines else 10.0
        out[name] = [
            0.0 if corrected else _logit(f["conf"]), float(f["conf"] >= 0.999 and not corrected),
            _logit(f["conf"]) if corrected else 0.0, float(f["empty"]),
            float(corrected), float(name in failed_fields), float(bool(failed)),
            float(ev["found_by"] == "deep"), float(ev["found_by"] == "whole"), card_empty, card_min,
            min(f.get("low", 0.0), 5.0), max(f.get("logp_mean", 0.0), -5.0),
            min(max(f.get("margin_min", 20.0), 0.0), 10.0) if lines else 10.0, f.get("miss_max", 0.0),
            min(abs(f.get("len_diff", 0.0)), 5.0), min(f.get("zone_dy", 0.0), 2.0), f.get("zone_edge", 0.0),
            f.get("fallback", 0.0), float(not lines and not f["empty"]),
            f.get("blur", card_blur) if lines else card_blur, card_blur, float(not f.get("fits", True)),
            min(card_misfit, 3.0), card_dy,
            float(f["empty"] and required(ev["document"], name, f)),
            float(f.get("id_ok", 1.0) == 0.0), float(f.get("cross", 0.0) < 0), float(f.get("cross", 0.0) > 0),
            float(f.get("surname", 1.0) == 0.0), f.get("label_tail", 0.0), f.get("edge_l", 0.0),
            min(f.get("unsure", 0.0), 5.0), max(0.0, UNSURE - margin), card_unsure, zoom,
            f.get("seal_fit", 0.0), f.get("seal_away", 0.0),
        ]
    return out
