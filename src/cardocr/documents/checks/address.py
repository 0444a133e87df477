"""The start of a Mainland address from the division table: province, city, county.

An address on the ID card and the licence begins with its divisions as GB/T 2260 names them
(`四川省成都市金牛区`, `北京市海淀区`, `湖北省仙桃市`), so an uncertain reading of that start
(`20川省成都市…`, `北0市海2区…`, `龙江省…`, `北京市川阳区…`) is compared with the real names it
may be, found level by level (a few likeliest provinces, then their cities, then their
counties). A name is taken only if the pixels support the whole line with it nearly as well
as the raw reading (better than it, where the raw start is a whole division name already)
and it keeps every character read with confidence; the rest of the line stays as read.

The rest of an address has a grammar of its own, which the review verdict reads
(cardocr.confidence) and which never changes what was read: a unit word after each number
(units_after_digits), no end cut short (ends_cut), a flat numbered by floor and door
(flat_number_off), and the road's direction and kind where
the road names them (road_margin).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ...ocr.ctc import best_path, char_index, sequence_log_prob, sequence_log_probs
from ...ocr.types import Line
from ...types import CONFIDENT
from .idnumber import _regions

PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
# log-likelihood the line with a division name may trail a raw reading whose start is none.
# Dev licence lines (1300000..1300300, small / photo / layout, 136 first lines): 6 took 3
# division starts right; 9 and up to 24 took the same 8 (4 lines right to 14 characters, 4
# more with their divisions right), none that was right went wrong
PREFIX_MARGIN = 10.0
LOOK = 12  # characters at the start of a line that may belong to the divisions
BEAM = 4  # names kept per level of the division search
WRAP_MIN = 6  # characters a line holds before a division name can wrap off its end (~11 fit)


@cache
def address_prefixes() -> tuple[str, ...]:
    """Every way an address may start: a province, a province and its city, and those with a
    county or district (a municipality's districts and a province's directly administered
    cities follow the province itself)."""
    table = _regions()
    out: set[str] = set()
    for code, name in table.items():
        if name in PLACEHOLDERS:
            continue
        province = table.get(code[:2] + "0000", "")
        if code.endswith("0000"):
            out.add(name)
        elif code.endswith("00"):
            out.add(province + name)
        else:
            city = table.get(code[:4] + "00", "")
            out.add(province + (city if city and city not in PLACEHOLDERS else "") + name)
    return tuple(sorted(out))


@cache
def _children() -> dict[str, tuple[str, ...]]:
    """Each name's names one division deeper ('' holds the provinces): a province's cities (a
    municipality's districts, a province's directly administered cities), a city's counties."""
    names = set(address_prefixes())
    kids: dict[str, list[str]] = {}
    for n in sorted(names):
        parent = next((n[:k] for k in range(len(n) - 1, 1, -1) if n[:k] in names), "")
        kids.setdefault(parent, []).append(n)
    return {k: tuple(v) for k, v in kids.items()}


def whole_start(text: str) -> str:
    """The deepest division name `text` starts with ('' for none), down the tree of names."""
    found = ""
    while True:
        deeper = [n for n in _children().get(found, ()) if text.startswith(n)]
        if not deeper:
            return found
        found = max(deeper, key=len)


def starts_whole(text: str) -> bool:
    """Whether `text` starts with a whole chain of division names: down to a county, or to a
    province or city with none under it (`广东省东莞市…`). Every address the ID card and the
    licence print does; `北京市阳区…` (朝 dropped) and `黑龙江省哈尔灾市…` stop above it."""
    found = whole_start(text)
    return bool(found) and found not in _children()


def _words(names: list[str], text: str, probs: list[float]) -> list[tuple[str, str]]:
    """(name, the line with its start replaced by the name), over the lengths that start may
    have been read at (a character or two dropped or added), keeping every confident character.
    A name may also run past the line's end, its rest printed on the next line (兴庆 | 区朝阳街…:
    a county's last character wrapped): then the line is the name's start alone, cut within a
    character or two of the line's length."""
    out = []
    everything = {c for c, p in zip(text, probs) if p >= CONFIDENT}
    for name in names:
        for k in range(max(1, len(name) - 2), min(len(text), len(name) + 2) + 1):
            sure = {c for c, p in zip(text[:k], probs[:k]) if p >= CONFIDENT}
            if sure <= set(name):
                out.append((name, name + text[k:]))
        for m in range(max(WRAP_MIN, len(text) - 2), min(len(name) - 1, len(text) + 2) + 1):
            if everything <= set(name[:m]):
                out.append((name, name[:m]))
    return out


def _search(line: Line, index: dict[str, int]) -> tuple[str, float] | None:
    """The likeliest line whose start is a whole division name (one no deeper name continues):
    a beam of BEAM names per level (provinces, then their cities, then their counties), each
    scored as the whole line with that start (CTC likelihood); (line, log-likelihood), or None
    when no name fits."""
    assert line.probs is not None
    best: tuple[str, float] | None = None
    frontier = [""]
    for _level in range(3):
        names = [n for f in frontier for n in _children().get(f, ()) if all(c in index for c in n)]
        words = _words(names, line.text, line.char_probs)
        if not words:
            break
        scores = sequence_log_probs(line.probs, [[index[c] for c in w] for _, w in words])
        by_name: dict[str, float] = {}
        for (name, word), sc in zip(words, scores):
            by_name[name] = max(by_name.get(name, -np.inf), float(sc))
            # a name another continues is no whole start yet (`北京市` + `川阳区…`)
            if name not in _children() and (best is None or sc > best[1]):
                best = (word, float(sc))
        frontier = sorted(by_name, key=lambda n: -by_name[n])[:BEAM]
    return best


def choose_prefix(line: Line, charset: list[str]) -> tuple[str, bool]:
    """The line with its start chosen among the division names the pixels support, when a
    character there was read without confidence; (text, whether a name was taken)."""
    text, probs = line.text, line.char_probs
    if line.probs is None or not text or min(probs[:LOOK], default=1.0) >= CONFIDENT:
        return text, False
    index = char_index(charset)
    if not all(c in index for c in text):
        return text, False
    found = _search(line, index)
    if found is None or found[0] == text:
        return text, False
    raw = sequence_log_prob(line.probs, [index[c] for c in text])
    # a start that is a whole division name already (`北京市海淀区…`) is taken over only by a
    # likelier one; a start that is no name, or stops at a province or city whose divisions
    # go on (`北京市川阳区…`: no district 川阳区), by one within PREFIX_MARGIN of it
    whole = whole_start(text)
    if whole and whole not in _children():
        taken = found[1] > raw
    else:
        taken = found[1] >= raw - PREFIX_MARGIN
    return (found[0], True) if taken else (text, False)


def with_division_names(lines: list[Line], address: str, charset: list[str]) -> tuple[str, bool]:
    """`address` (its lines joined, the label stripped) with the first line's start chosen
    among the division names (choose_prefix); left as it is when a label was stripped from
    that line (its characters no longer line up with the recogniser's). (address, taken)."""
    first = lines[0].text.replace(" ", "") if lines else ""
    if not first or not address.startswith(first):
        return address, False
    start, chosen = choose_prefix(lines[0], charset)
    if not chosen:
        return address, False
    return start + address[len(first):], True


# What follows a number written in digits inside a Mainland address: the unit it counts (号,
# 栋, 单元, 室, 层, 弄, 组 …), a road's or a farm's (108国道, 3公里, 150团, 3连), a Guangdong
# flat's 房, or nothing (the address ends on it: 39号楼795). Any other character after a
# digit was read there by mistake (dev 1500333's 795务, 1500376's 3003空): a person would
# point at it. The list is wider than the generator prints, so that real addresses fit it.
# 单 there is always 单元, a building's entrance: 3单儿201室 (check 1402082, stated 0.99) is
# 单元 misread; on the dev and check reads of sessions 24-30 (7,116 ID fronts) 10 addresses
# held a 单 after a number without its 元, all wrong, and none of the 6,693 right ones did.
UNIT_AFTER_DIGITS = frozenset("号室栋幢单层楼户组弄巷排队社区期座门院段街路条坊村屯支横之附"
                              "房铺舍厂连团师营场片甲乙丙丁国公")
UNIT_WORDS = {"单": "单元"}  # units of two characters, by their first
_DIGITS_THEN = re.compile(r"\d+([\u3400-\u9fff])")


def units_after_digits(address: str) -> bool:
    """Whether every Chinese character that follows a run of digits is a unit word
    (UNIT_AFTER_DIGITS), whole where it has two characters (UNIT_WORDS); letters, dashes,
    brackets and the end of the address pass.

    >>> units_after_digits("辽宁省大连市西岗区光明巷728号39号楼795"), units_after_digits("光明巷728号39号楼795务")
    (True, False)
    >>> units_after_digits("锦园苑9栋3单元201室"), units_after_digits("锦园苑9栋3单儿201室")
    (True, False)
    """
    return all(m.group(1) in UNIT_AFTER_DIGITS
               and address.startswith(UNIT_WORDS.get(m.group(1), m.group(1)), m.start(1))
               for m in _DIGITS_THEN.finditer(address))


# A building, its entrance and its flat each carry their number: 8栋4单元2602室. A building's
# unit word right after another unit word lost the number between them (和平路103号栋4单元 for
# 103号8栋4单元: licence tune 1506501, stated 0.95, not sent). On the tune reads of sessions 34
# and 35 (642 licence and 250 ID addresses) it held for that one, wrong; for none of 20,000
# generator addresses. 号楼 is a unit of its own (39号楼), not such a pair.
_UNIT_WITHOUT_NUMBER = re.compile(r"[号栋幢](?:栋|幢|单元)|单元室")


def number_dropped(address: str) -> bool:
    """Whether a building, entrance or flat follows another unit word without its number.

    >>> number_dropped("和平路103号栋4单元2602室"), number_dropped("和平路103号8栋4单元2602室")
    (True, False)
    >>> number_dropped("光明巷728号39号楼795"), number_dropped("锦园苑9栋3单元室")
    (False, True)
    """
    return bool(_UNIT_WITHOUT_NUMBER.search(address))


# An address may end on a bare number, a flat's (39号楼795), but flats are numbered by floor
# and door (101, 2103): a bare number of one or two digits at the end is one whose end was cut
# (the line's box stopped short, the last line not read). On the dev and check reads of
# sessions 24-30 (5,622 ID fronts), 11 addresses ended so, all 11 wrong, 3 of them stated at
# 0.98 or more: 1600440's 371弄4号43 for 4号434室, 1302200's 6单元21 for 6单元2101室, and
# 1601374's 5单元2 for 5单元205室 (a check read's only slip, session 30). None of the 972 right
# ones ending on a number did.
_SHORT_END = re.compile(r"(?<!\d)\d{1,2}$")


def ends_cut(address: str) -> bool:
    """Whether the address ends on a bare number of one or two digits (see _SHORT_END).

    >>> ends_cut("北京市朝阳区朝阳西路385号32号楼1790"), ends_cut("湖北省武汉市硚口区凤凰大道968号明珠苑19栋5单元2")
    (False, True)
    """
    return bool(_SHORT_END.search(address))


# Behind 单元 (a building's entrance) a flat is numbered by its floor and its door on that
# landing (201, 1503, 2604室): at least three digits, the last two a door of 01..DOOR_MAX (a
# landing serves a few flats). A room number that is not (27室, 2000室, 270室 for 2701室) lost or
# gained a digit. On the dev and check reads of sessions 24-30 (7,879 ID fronts; 4,125
# addresses with 单元…室), 8 were not, all wrong: 1602615's 4单元270室 for 2701室 (stated 0.9997,
# a slip of session 30's last check read, which this rule was then found on) and dev 1503585's
# 3单元120室 for 1202室 among them; none of the 4,117 right ones. The generator numbers doors
# 01-06; DOOR_MAX is the world's, not its.
DOOR_MAX = 12
_FLAT = re.compile(r"单元(\d+)室")


def flat_number_off(address: str) -> bool:
    """Whether a flat behind 单元 is numbered otherwise than floor and door (see DOOR_MAX).

    >>> flat_number_off("盛世家园26栋4单元2701室"), flat_number_off("盛世家园26栋4单元270室")
    (False, True)
    """
    return any(len(n) < 3 or not 1 <= int(n[-2:]) <= DOOR_MAX for n in _FLAT.findall(address))


# After its divisions an address names a street, village or estate before any number: a road's
# kind right after the county, with the house number next (九龙坡区道266号 for 九龙坡区青年大道
# 266号), is a road whose name the recogniser dropped. On session 34's licence tune read (784
# pages) it held for 2 addresses, both wrong, one stated 0.92 (1505205, sent for another field); for none of
# 20,000 generator addresses.
_BARE_ROAD = re.compile(r"(?:大道|大街|[路街道巷])\d")


def road_unnamed(address: str) -> bool:
    """Whether the address goes from its division names straight to a road's kind and a number.

    >>> road_unnamed("重庆市九龙坡区道266号1栋"), road_unnamed("重庆市九龙坡区青年大道266号1栋")
    (True, False)
    >>> road_unnamed("河南省安阳市滑县道口镇12号")
    False
    """
    return bool(_BARE_ROAD.match(address, len(whole_start(address))))


# A Mainland street address names its road, the road's kind, then the house number: 中山东路
# 88号, 人民大街12号, 滨江西大道3号. The road's name often ends in a direction before the kind.
# A character the recogniser nearly read as the word the grammar expects there is most often
# that word misread: a character before the kind nearly read as a direction (申 for 中 in 凤凰
# 申路), or one before the house number nearly read as a kind (通 for 道 in 学府大通640号, 8 for
# 路 in 天山东8552). On the dev and check reads of sessions 24-30 (per the stored top-6
# posteriors of each character; 4,878 ID fronts for directions, 6,368 with this session's
# for kinds), within ROAD_DOUBT nats: directions 14 addresses wrong, 1 right; kinds 53 wrong,
# 1 right (both right ones sent for other fields). The confident ones were check 1400876's
# 振兴申路 and dev 1303104's 凤凰申路, stated 0.99, and check 1401500's 文化大通 and dev
# 1503687's 学府大通, stated 0.94.
DIRECTIONS = "东西南北中"
ROAD_KINDS = ("路", "街", "大道", "大街")
KIND_CHARS = "路道街巷"  # a road's kind as it ends before the number (大道 ends in 道)
ROAD_DOUBT = 6.0


def road_margin(probs: np.ndarray, charset: list[str]) -> float | None:
    """The least log ratio, over the characters a line's best path emits, of a character to
    the likeliest word the road grammar expects in its place: a direction just before a road's
    kind (ROAD_KINDS), a kind just before a digit (KIND_CHARS). None when the line has no
    character in either place (or holds the expected word there)."""
    best, steps, text = best_path(probs, charset)
    index = char_index(charset)
    dirs = [index[c] for c in DIRECTIONS if c in index]
    kinds = [index[c] for c in KIND_CHARS if c in index]
    margins = []
    for i, t in enumerate(steps[:-1]):
        expected = []
        if text[i] not in DIRECTIONS and text[i + 1:].startswith(ROAD_KINDS):
            expected += dirs
        if text[i] not in KIND_CHARS and text[i + 1].isdigit():
            expected += kinds
        if expected:
            row = probs[t]
            margins.append(float(np.log(max(row[best[t]], 1e-9)) - np.log(max(row[expected].max(), 1e-9))))
    return min(margins) if margins else None
