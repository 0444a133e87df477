"""Mainland China motor-vehicle driving licence (机动车驾驶证): main page and second page (副页).

The licence is an 88 x 60 mm booklet page; the locator warps it to the canonical 856 x 540
card, so the zones below are fractions of the page (it is stretched a little, which fractions
do not mind).

Main page: title on top, 证号 + number, a row of name / sex / nationality, the address (one or
two lines), a middle column of birth date, first issue date and the class box, and a bottom
row that is either "有效期限 <from> 至 <to|长期>" (new layout, round seal) or
"有效起始日期 <from>  有效期限 6年|10年|长期" (old layout, square seal). The red seal at the
lower left carries the issuing authority: along the rim of a round seal, in rows in a square
one. Second page: title ending in 副页, number, name, 档案编号 (12 digits) and the record lines.

Black text is read from a red-suppressed copy of the page (max of the colour channels), so the
seal does not disturb the labels and values it overlaps; the seal is read from its red ink
alone (its detail from the green channel), the rim unwrapped to the band and arc the name
fills, and the name chosen from the closed list of authorities by CTC likelihood, the
authority of the licence's own city (证号 region, address) favoured as a prior. Validation chooses among the recogniser's uncertain readings (closed lists, the ID
number's check character, birth date and sex inside the number, validity spans); it never
replaces a character read with confidence. Field values are never logged.
"""

from __future__ import annotations

import re
from functools import cache

import cv2
import numpy as np

from ..ocr.ctc import char_index
from ..ocr.engine import OcrEngine, get_engine
from ..ocr.types import Line
from ..vision.geometry import crop_box
from ..vision.locate import CARD_H, CARD_W, percentile_u8
from .base import (
    Card, Field, Reading, ZoneText, closed_choice, decode_line, decode_zone, line_conf, read_zones,
    strip_label,
)
from .checks import (
    add_years,
    birth_from_number,
    candidates_repairing_check,
    fmt,
    is_valid_check,
    parse_date,
    region_known,
    sex_from_number,
)
from .checks.idnumber import _regions

NAME = "driver-license"
SIDES = ("front", "back")
ASPECT = 88 / 60
HUAWEI_FIELDS = {
    "front": ("number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
              "valid_from", "valid_to", "issuing_authority"),
    "back": ("number", "name", "file_number", "record"),
}
HUAWEI_VERIFICATION: dict[str, tuple[str, ...]] = {}
OPTIONAL_FIELDS = {"issuing_authority": "return_issuing_authority"}

CONFIDENT = 0.9  # a character read at or above this is never changed by a check
# this page's lines run from two characters (sex) to the whole page (address): batched by
# similar width, short crops are not padded to the long ones (see engine.recognize)
ZONE_BATCH_WIDTH = 1.4

# (x0, x1, y0, y1) as page fractions; x0 sits between the printed label and the value
FRONT_ZONES = {
    "title": (0.45, 0.88, 0.02, 0.135),  # 机动车驾驶证 only: enough to tell a licence
    "number": (0.343, 0.9, 0.165, 0.265),
    "name": (0.14, 0.44, 0.265, 0.35),
    "sex": (0.525, 0.64, 0.265, 0.35),
    "nationality": (0.735, 0.975, 0.265, 0.35),
    "address": (0.13, 0.975, 0.355, 0.52),
    "birth": (0.42, 0.72, 0.55, 0.64),
    "issue_date": (0.42, 0.72, 0.645, 0.735),
    "class": (0.455, 0.685, 0.74, 0.835),
    "validity": (0.15, 0.72, 0.875, 0.985),
}
FRONT_ROWS = {"number": (0.175, 0.255), "name": (0.27, 0.34), "sex": (0.27, 0.34),
              "nationality": (0.27, 0.34), "birth": (0.56, 0.63), "issue_date": (0.655, 0.725),
              "class": (0.75, 0.825), "validity": (0.89, 0.965)}
FRONT_NUMBER_Y = 0.215  # centre of the number line on the main page
BACK_ZONES = {
    "title": (0.5, 0.92, 0.03, 0.16),  # (驾)驶证副页 only, as on the main page
    "number": (0.12, 0.66, 0.175, 0.275),
    "name": (0.125, 0.44, 0.28, 0.385),
    "file_number": (0.556, 0.93, 0.28, 0.385),
    "record": (0.06, 0.95, 0.515, 0.815),
}
BACK_ROWS = {"number": (0.19, 0.26), "name": (0.29, 0.37), "file_number": (0.295, 0.365)}
BACK_NUMBER_Y = 0.225
# Zones read at 0.8 of their width (read_zones' squeeze). The recogniser's time is linear in
# the pixels it is given, and these lines have steps to spare: paired on 60-90 licences from
# each of seeds 100000, 500000 and 700000, main pages took 3-8% less time and no field got
# worse overall (on 700000: 638 fields right against 634). Names are not squeezed (dense
# strokes: 3 of 60 held-out names were lost), nor the back's record (no time saved). With
# the page also detected at 672 px (DET_SIDE), two bench dates lost a digit (100008, 100109);
# dates left unsqueezed won both back and lost another (100038) in 120 paired: not worth it.
SQUEEZE = 0.8
FRONT_SQUEEZED = {k: SQUEEZE for k in ("number", "nationality", "address", "birth", "issue_date",
                                        "class", "validity")}
BACK_SQUEEZED = {k: SQUEEZE for k in ("number", "file_number")}
# The detector's input for the straightened page (the pipeline's default is 736, see
# vision.orient). Paired on 60-90 licences from each of seeds 100000, 300000 and 700000, 672
# took 5-8% off both pages and read the same number of fields right (665, 434 and 638 at
# each size); at 640 one scan lost its layout anchor (300024: the number line was missed).
DET_SIDE = 672
SEAL_REGION = (0.0, 0.37, 0.44, 0.99)  # x0, x1, y0, y1: where the seal may sit on the main page

DIGITS = "0123456789"
DATE_CHARS = DIGITS + "-"
ADDRESS_CHARS = "{cjk}0123456789-()（）·"
RECORD_CHARS = "{cjk}0123456789ABCDEFMNP"
# the bottom row: dates, 至 / 年 / 长期, and the label characters a crop may still hold
VALIDITY_CHARS = DATE_CHARS + "至长期年有效限起始日"

CLASS_CODES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6",
               "D", "E", "F", "M", "N", "P")
NATIONALITIES = ("中国", "中国香港", "中国澳门", "中国台湾", "美国", "英国", "法国", "德国", "日本",
                 "韩国", "俄罗斯", "加拿大", "澳大利亚", "新加坡", "马来西亚", "意大利", "西班牙",
                 "荷兰", "新西兰", "泰国", "越南", "菲律宾", "印度尼西亚", "印度", "巴基斯坦", "蒙古")
SAR_PREFIX = {"810000": "中国香港", "820000": "中国澳门", "830000": "中国台湾"}
TITLE_CHARS = set("机动车驾驶证副页")


@cache
def class_list() -> tuple[str, ...]:
    """Printable class combinations: every single code, a main class with the motorcycle /
    wheeled-machine endorsements (D E F M N P), and the usual heavy-vehicle pairs."""
    main = [c for c in CLASS_CODES if len(c) == 2]
    extras = ("D", "E", "F", "M", "N", "P")
    out = list(CLASS_CODES)
    out += [m + e for m in main for e in extras]
    out += ["DE", "DF", "EF", "DEF"]
    heavy = ("A1", "A2", "A3", "B1", "B2")
    for i, a in enumerate(heavy):
        for b in heavy[i + 1:]:
            out.append(a + b)
            out += [a + b + e for e in ("D", "E")]
    return tuple(dict.fromkeys(out))


def _class_legal(text: str) -> bool:
    i, codes = 0, []
    while i < len(text):
        if i + 1 < len(text) and text[i + 1].isdigit():
            codes.append(text[i:i + 2])
            i += 2
        else:
            codes.append(text[i])
            i += 1
    return bool(codes) and all(c in CLASS_CODES for c in codes) and len(set(codes)) == len(codes)


MUNICIPAL = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: the authority is the city's own
AUTHORITY_NOISE = set("公安局交通警察支队总管理市省")  # characters every name shares


@cache
def _authority_table() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, ...]]]:
    """Traffic-police authorities that issue licences, from the division table: the
    prefecture-level 支队 of every city, and the municipalities' 总队 / 交通管理局 names.
    Returns name -> (province, city) and division code -> names (retired codes included, so
    an old ID number still finds its city)."""
    table = _regions()
    places: dict[str, tuple[str, str]] = {}
    by_code: dict[str, list[str]] = {}

    def add(code: str, name: str, prov: str, city: str) -> None:
        places.setdefault(name, (prov, city))
        by_code.setdefault(code, []).append(name)

    for code, name in table.items():
        prov = table.get(code[:2] + "0000", "")
        if not prov:
            continue
        if code.endswith("0000"):
            if code[:2] in MUNICIPAL:
                for form in ("公安局交通警察总队", "公安局公安交通管理局", "公安交通管理局",
                             "公安局交通巡逻警察总队"):
                    add(code, prov + form, prov, "")
            continue
        if code[:2] in MUNICIPAL:
            continue
        if code.endswith("00"):
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            for form in ("公安局交通警察支队", "公安局交通警察总队", "公安局公安交通管理局"):
                add(code, f"{prov}{name}{form}", prov, name)
        elif table.get(code[:4] + "00", "") in ("省直辖县级行政区划", "自治区直辖县级行政区划") \
                and name.endswith("市"):
            for form in ("公安局交通警察支队", "公安局交通警察大队"):
                add(code, f"{prov}{name}{form}", prov, name)
    return places, {k: tuple(dict.fromkeys(v)) for k, v in by_code.items()}


@cache
def _provinces() -> tuple[str, ...]:
    """Province-level names: a complete authority name starts with one."""
    return tuple(sorted({n for c, n in _regions().items() if c.endswith("0000")}))


@cache
def licence_authorities() -> tuple[str, ...]:
    """Every authority name (see _authority_table), sorted."""
    return tuple(sorted(_authority_table()[0]))


# the form each municipality's seal uses; a prefecture's is its 交通警察支队
MUNICIPAL_USUAL = {"11": "北京市公安局公安交通管理局", "12": "天津市公安交通管理局",
                   "31": "上海市公安局交通警察总队", "50": "重庆市公安局交通巡逻警察总队"}


def local_authorities(number: str, address: str) -> list[str]:
    """The usual authority of the place the licence points to: the city of the 证号's region
    code (the holder's ID number) and the province + city the address starts with. A
    handful of names instead of ~1,700; a prior, not a restriction (people move)."""
    places, by_code = _authority_table()
    usual = set(MUNICIPAL_USUAL.values())

    def is_usual(name: str) -> bool:
        return name in usual or name.endswith(("交通警察支队", "交通警察大队")) and \
            name[:2] not in ("北京", "天津", "上海", "重庆")

    out: list[str] = []
    if re.fullmatch(r"\d{6}.*", number):
        code = number[:6]
        for key in (code[:2] + "0000" if code[:2] in MUNICIPAL else "", code[:4] + "00", code):
            out += by_code.get(key, ())
    if len(address) >= 3:
        head = address[:14]
        for name, (prov, city) in places.items():
            if city:
                if city in head and (head.startswith(prov) or head.startswith(city)):
                    out.append(name)
            elif head.startswith(prov):
                out.append(name)
    return [n for n in dict.fromkeys(out) if is_usual(n)]


@cache
def _authority_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, name in enumerate(licence_authorities()):
        for ch in set(name) - AUTHORITY_NOISE:
            index.setdefault(ch, []).append(i)
    return index


def similar_licence_authorities(text: str, limit: int = 16) -> list[str]:
    """Names sharing the most place characters with a raw reading (a cheap pre-filter before
    scoring by likelihood)."""
    names = licence_authorities()
    counts: dict[int, int] = {}
    for ch in set(text) - AUTHORITY_NOISE:
        for i in _authority_index().get(ch, ()):
            counts[i] = counts.get(i, 0) + 1
    ranked = sorted(counts, key=lambda i: (-counts[i], abs(len(names[i]) - len(text))))
    return [names[i] for i in ranked[:limit]]


# -- side, portrait --------------------------------------------------------------------------

def classify_side(card: Card) -> tuple[str, float]:
    """Main page or 副页: the second page's 证号 box sits at the left edge, where the main
    page's number row starts a third of the way in. Only when that row says nothing (or
    both) is the title read: the second page's ends in 副页."""
    card, _ = _page_frame(card)
    left_number = right_number = 0.0
    title = None
    for q in card.boxes:
        (x0, y0), (x1, y1) = q.min(axis=0) / (CARD_W, CARD_H), q.max(axis=0) / (CARD_W, CARD_H)
        cy = (y0 + y1) / 2
        if 0.15 < cy < 0.29 and x1 - x0 > 0.25:
            if x0 < 0.2:
                left_number = max(left_number, x1 - x0)
            else:
                right_number = max(right_number, x1 - x0)
        if cy < 0.17 and x1 - x0 > 0.4 and (title is None or x1 - x0 > title[2] - title[0]):
            title = (x0, y0, x1, y1)
    score = 0.5 * (left_number > 0) - 0.5 * (right_number > 0)
    if score == 0 and title is not None:
        x0, y0, x1, y1 = title
        line = get_engine().recognize([crop_box(_grey(card), x0 * CARD_W - 4, y0 * CARD_H - 3,
                                                x1 * CARD_W + 4, y1 * CARD_H + 3)])[0]
        if "副" in line.text or line.text.endswith("页"):
            score += 1.0
        elif "驾驶证" in line.text or line.text.endswith("证"):
            score -= 1.0
    if score > 0:
        return "back", min(1.0, 0.5 + score / 3)
    return "front", min(1.0, 0.5 - score / 3)


def portrait_quad(reading: Reading) -> np.ndarray | None:
    return None


# -- reading ---------------------------------------------------------------------------------

def read(card: Card, side: str, engine: OcrEngine, optional: frozenset[str] = frozenset()) -> Reading:
    """`optional`: the OPTIONAL_FIELDS the request asked for; the seal is read only then."""
    page, to_card = _page_frame(card)
    reading = _read_back(page, engine) if side == "back" else \
        _read_front(page, engine, "issuing_authority" in optional)
    for f in reading.fields.values():
        if f.quad is not None:
            f.quad = to_card(f.quad)
    return reading


def _page_frame(card: Card) -> tuple[Card, object]:
    """_find_page, once per card: the pipeline asks classify_side and then read about it."""
    if "licence_page" not in card.derived:
        card.derived["licence_page"] = _find_page(card)
    return card.derived["licence_page"]


OUTER_BAND = 8  # px at the card's border that tell a holder's margin from the page's print


def _find_page(card: Card) -> tuple[Card, object]:
    """The printed page inside a dark plastic holder: when the locator found the holder, the
    page is a bright axis-aligned rectangle inside the warped card with dark margins round it
    (both lie in one plane, so the warp keeps the page rectangular). Returns the page warped
    to the canonical size, with its boxes, and the map of page pixels back to card pixels."""
    h, w = card.image.shape[:2]
    # levels from a ninth of the pixels: brightness in the brightest channel (the red seal
    # vanishes), paleness in the darkest (the page is pale, a coloured table beyond the
    # holder is bright in one channel only). OpenCV's extremes of the whole card, then
    # sampled: numpy's max over the channel axis of a strided view cost more than the rest
    g, pale = _channel_extremes(card)
    g_sample = np.ascontiguousarray(g[::3, ::3])
    lo, hi = percentile_u8(g_sample, 3), percentile_u8(g_sample, 60)
    identity = (card, lambda q: q)
    if hi - lo < 70:
        return identity
    thr = lo + 0.5 * (hi - lo)
    pale_thr = 0.75 * percentile_u8(pale[::3, ::3], 60)
    # most pages fill the card (no holder, or the locator found the page): bright and pale
    # near all four borders, nothing to crop, and no need for the profiles below. The strips
    # start 6 px in, past a scanner's sliver of white outside a holder
    mx, my = slice(w // 5, -w // 5), slice(h // 5, -h // 5)
    borders = ((slice(6, 12), mx), (slice(-12, -6), mx), (my, slice(6, 12)), (my, slice(-12, -6)))
    if all(percentile_u8(g[b], 75) > thr and percentile_u8(pale[b], 75) > pale_thr
           for b in borders):
        return identity
    # each column's (row's) level from every third pixel along it: the run's ends stay exact
    mid_rows, mid_cols = slice(int(0.2 * h), int(0.8 * h), 3), slice(int(0.2 * w), int(0.8 * w), 3)
    cols = np.percentile(g[mid_rows], 75, axis=0)
    rows = np.percentile(g[:, mid_cols], 75, axis=1)
    pale_cols = np.percentile(pale[mid_rows], 75, axis=0) > pale_thr
    pale_rows = np.percentile(pale[:, mid_cols], 75, axis=1) > pale_thr

    def edges(profile: np.ndarray, pale_at: np.ndarray) -> tuple[int, int]:
        """The longest bright run (the page; a scanner's bright margin outside the dark
        holder is a shorter one)."""
        on = np.convolve(profile > thr, np.ones(3), mode="same") >= 2
        best, a = (0, len(on)), None
        best_len = -1
        for i, v in enumerate(list(on) + [False]):
            if v and a is None:
                a = i
            elif not v and a is not None:
                if i - a > best_len:
                    best, best_len = (a, i), i - a
                a = None
        # a holder's margin is dark out to the border (bar a scanner's sliver of white);
        # pale page beyond the dip means the dip was the page's own print (a blurred title)
        lo_end, hi_end = best
        page_like = on & pale_at
        if page_like[:min(lo_end, OUTER_BAND)].sum() > OUTER_BAND // 2:
            lo_end = 0
        if page_like[max(hi_end, len(on) - OUTER_BAND):].sum() > OUTER_BAND // 2:
            hi_end = len(on)
        return lo_end, hi_end

    x0, x1 = edges(cols, pale_cols)
    y0, y1 = edges(rows, pale_rows)
    if x0 < 5 and y0 < 5 and x1 > w - 5 and y1 > h - 5:
        return identity
    if x1 - x0 < 0.7 * w or y1 - y0 < 0.7 * h:
        return identity
    sx, sy = CARD_W / (x1 - x0), CARD_H / (y1 - y0)
    img = cv2.resize(card.image[y0:y1, x0:x1], (CARD_W, CARD_H), interpolation=cv2.INTER_LINEAR)
    off = np.float32([x0, y0])
    scale = np.float32([sx, sy])
    boxes = []
    for q in card.boxes:
        nq = (q - off) * scale
        c = nq.mean(axis=0)
        if 0 <= c[0] <= CARD_W and 0 <= c[1] <= CARD_H:
            boxes.append(nq.astype(np.float32))
    return Card(img, boxes), lambda q: (np.asarray(q, np.float32) / scale + off).astype(np.float32)


def _empty(side: str) -> Reading:
    return Reading(NAME, side, {k: Field("", 0.0) for k in HUAWEI_FIELDS[side]})


def _channel_extremes(card: Card) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel max and min of B, G and R: brightness with the red seal gone, and paleness.
    Once per card (_find_page and _grey both want them); OpenCV's are ~8x faster than
    numpy's max / min over axis 2."""
    if "extremes" not in card.derived:
        b, g, r = cv2.split(card.image)
        card.derived["extremes"] = cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r)
    return card.derived["extremes"]


def _grey(card: Card) -> np.ndarray:
    """The page with red ink suppressed: the brightest channel, as a 3-channel image; once
    per page (classify_side and read both want it)."""
    if "grey" not in card.derived:
        card.derived["grey"] = cv2.cvtColor(_channel_extremes(card)[0], cv2.COLOR_GRAY2BGR)
    return card.derived["grey"]


def _anchor_shift(card: Card, expected_y: float) -> float:
    """Vertical offset of the layout from the number line (long, near the top). Of the long
    lines near where the number should be, the one with its 证号 label just to its left is
    taken, and among those (or if none has one) the tallest: the English subtitle just
    above the number can be as long (and as near, on a page shifted in its holder), and
    its box as tall, where its letters' ascenders and descenders count (measured: 27 px
    against the number's 26)."""
    spans = [(q.min(axis=0) / (CARD_W, CARD_H), q.max(axis=0) / (CARD_W, CARD_H)) for q in card.boxes]

    def labelled(x0: float, y0: float, y1: float) -> bool:
        return any(x0 - 0.08 < lx1 < x0 + 0.01 and lx1 - lx0 < 0.12
                   and min(y1, ly1) - max(y0, ly0) > 0.5 * (y1 - y0)
                   for (lx0, ly0), (lx1, ly1) in spans)

    best, best_key = None, (False, 0.0, 0.0)
    for (x0, y0), (x1, y1) in spans:
        cy = (y0 + y1) / 2
        if abs(cy - expected_y) < 0.06 and x1 - x0 > 0.25 and y1 - y0 < 0.1:
            key = (labelled(x0, y0, y1), y1 - y0, -abs(cy - expected_y))
            if best is None or key > best_key:
                best, best_key = cy, key
    if best is None:
        return 0.0
    return float(np.clip(best - expected_y, -0.04, 0.04))


def _shifted(zones: dict, dy: float) -> dict:
    return {k: (v[0], v[1], v[2] + dy, v[3] + dy) if len(v) == 4 else (v[0] + dy, v[1] + dy)
            for k, v in zones.items()}


def _is_licence(grey: Card, engine: OcrEngine, title_zone: tuple, number: str) -> bool:
    """Is this a licence page at all (the pipeline also offers it the portrait, the holder's
    print, other cards)? A valid ID number where the page prints its 证号 says so; only
    without one is the title read (one more recogniser call), and it must hold three of
    机动车驾驶证副页 (the engine's own reading: the title's characters are large and clear)."""
    if _number_ok(number):
        return True
    title = read_zones(grey, engine, {"title": title_zone}, max_lines={"title": 1})["title"]
    return len(TITLE_CHARS & set("".join(ln.text for ln in title.lines))) >= 3


def _read_front(card: Card, engine: OcrEngine, seal: bool = True) -> Reading:
    dy = _anchor_shift(card, FRONT_NUMBER_Y)
    grey = Card(_grey(card), card.boxes)
    zones = _shifted(FRONT_ZONES, dy)
    title_zone = zones.pop("title")
    z = read_zones(grey, engine, zones, _shifted(FRONT_ROWS, dy),
                   max_lines={"number": 1, "name": 1, "sex": 1, "nationality": 1,
                              "address": 2, "birth": 1, "issue_date": 1, "class": 1, "validity": 1},
                   similar_width=ZONE_BATCH_WIDTH, squeeze=FRONT_SQUEEZED)
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    number_line = decode_zone(z["number"], cs, DIGITS + "X")
    number, number_conf = _choose_number(number_line, reading)
    if not _is_licence(grey, engine, title_zone, number):
        return _empty("front")
    fields["number"] = Field(number, number_conf, z["number"].quad)

    name = decode_zone(z["name"], cs, "{cjk}·")
    fields["name"] = Field(strip_label(name.text, "姓名"), line_conf(name), z["name"].quad)

    sex, sex_conf = ("", 0.0)
    if decode_zone(z["sex"], cs, "男女").text:
        sex, sex_conf = closed_choice(z["sex"], cs, ["男", "女"])
    fields["sex"] = Field(sex, sex_conf, z["sex"].quad)

    nat_read = decode_zone(z["nationality"], cs, "{cjk}")
    nat, nat_conf = nat_read.text, line_conf(nat_read)
    if nat and (nat not in NATIONALITIES or nat_read.min_prob < CONFIDENT):
        choice, share = closed_choice(z["nationality"], cs, list(NATIONALITIES))
        if choice and (nat not in NATIONALITIES or share > 0.5):
            nat, nat_conf = choice, share
    fields["nationality"] = Field(nat, nat_conf, z["nationality"].quad)

    addr_lines = [decode_line(ln, cs, ADDRESS_CHARS) for ln in z["address"].lines]
    address = strip_label("".join(ln.text for ln in addr_lines).replace(" ", ""), "住址")
    fields["address"] = Field(address, min((line_conf(ln) for ln in addr_lines), default=0.0),
                              z["address"].quad)

    for key in ("birth", "issue_date"):
        line = decode_zone(z[key], cs, DATE_CHARS + "证日期")
        fields[key] = Field(_parse_date(line.text), line_conf(line), z[key].quad)

    cls, cls_conf = _read_class(z["class"], cs)
    fields["class"] = Field(cls, cls_conf, z["class"].quad)

    v = decode_zone(z["validity"], cs, VALIDITY_CHARS)
    start, end = _parse_validity(v.text)
    conf = line_conf(v)
    fields["valid_from"] = Field(start, conf, z["validity"].quad)
    fields["valid_to"] = Field(end, conf, z["validity"].quad)

    authority, auth_conf, auth_quad = "", 0.0, None
    if seal:
        local = local_authorities(fields["number"].value, fields["address"].value)
        authority, auth_conf, auth_quad = _read_seal(card, engine, dy, local)
    fields["issuing_authority"] = Field(authority, auth_conf, auth_quad)

    _cross_check_front(reading)
    return reading


def _read_back(card: Card, engine: OcrEngine) -> Reading:
    dy = _anchor_shift(card, BACK_NUMBER_Y)
    grey = Card(_grey(card), card.boxes)
    zones = _shifted(BACK_ZONES, dy)
    title_zone = zones.pop("title")
    z = read_zones(grey, engine, zones, _shifted(BACK_ROWS, dy),
                   max_lines={"number": 1, "name": 1, "file_number": 1, "record": 4},
                   similar_width=ZONE_BATCH_WIDTH, squeeze=BACK_SQUEEZED)
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "back", fields)
    number_line = decode_zone(z["number"], cs, DIGITS + "X")
    number, number_conf = _choose_number(number_line, reading)
    if not _is_licence(grey, engine, title_zone, number):
        return _empty("back")
    fields["number"] = Field(number, number_conf, z["number"].quad)
    name = decode_zone(z["name"], cs, "{cjk}·")
    fields["name"] = Field(strip_label(name.text, "姓名"), line_conf(name), z["name"].quad)
    fn = decode_zone(z["file_number"], cs, DIGITS + "号")
    digits = re.sub(r"\D", "", fn.text)
    fields["file_number"] = Field(digits, line_conf(fn), z["file_number"].quad)
    rec_lines = [decode_line(ln, cs, RECORD_CHARS) for ln in z["record"].lines]
    rec_lines = [ln for ln in rec_lines if ln.text and ln.score > 0.5]
    record = "".join(ln.text for ln in rec_lines).replace(" ", "")
    fields["record"] = Field(record, min((line_conf(ln) for ln in rec_lines), default=0.0),
                             z["record"].quad if rec_lines else None)
    return reading


# -- fields ----------------------------------------------------------------------------------

def _read_class(zone: ZoneText, cs: list[str]) -> tuple[str, float]:
    raw = decode_zone(zone, cs, "ABCDEFMNP123456")
    if not raw.text:
        return "", 0.0
    if raw.text in class_list() and raw.min_prob >= CONFIDENT:
        return raw.text, line_conf(raw)
    choice, share = closed_choice(zone, cs, list(class_list()))
    if raw.text != choice and _class_legal(raw.text) and raw.min_prob >= CONFIDENT:
        return raw.text, line_conf(raw)
    return (choice, share) if choice else (raw.text, line_conf(raw))


def _choose_number(line: Line, reading: Reading) -> tuple[str, float]:
    text, conf = line.text, line_conf(line)
    if len(text) == 19 and line.char_probs:  # a label fragment read as a digit at either end
        k = 0 if line.char_probs[0] < line.char_probs[-1] else 18
        if _number_ok(text[:k] + text[k + 1:]) or not _number_ok(text):
            text = text[:k] + text[k + 1:]
            alts = line.alternatives[:k] + line.alternatives[k + 1:]
            line = Line(text, line.char_probs[:k] + line.char_probs[k + 1:], line.probs, None, alts)
    if len(text) != 18 or _number_ok(text):
        return text, conf
    for cand, _p in candidates_repairing_check(line.alternatives, max_changes=2, confident=CONFIDENT):
        if _number_ok(cand):
            reading.corrections.append(("number", "check character with uncertain digits"))
            return cand, conf * 0.9
    return text, conf


def _number_ok(n: str) -> bool:
    if len(n) != 18 or not is_valid_check(n) or birth_from_number(n) is None:
        return False
    return n[:6] in SAR_PREFIX or region_known(n[:6])


def _parse_date(text: str) -> str:
    m = re.search(r"(\d{4})-?(\d{1,2})-?(\d{1,2})", text)
    if not m:
        return ""
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def _parse_validity(text: str) -> tuple[str, str]:
    t = text.replace(" ", "")
    dates = list(re.finditer(r"(\d{4})-?(\d{2})-?(\d{2})", t))
    if not dates:
        return "", ""
    m = dates[0]
    start = f"{m[1]}-{m[2]}-{m[3]}"
    rest = t[m.end():]
    if len(dates) >= 2:
        m2 = dates[1]
        return start, f"{m2[1]}-{m2[2]}-{m2[3]}"
    years = re.search(r"(\d{1,2})年", rest)
    if years:
        n = int(years[1])
        n = min((6, 10), key=lambda k: abs(k - n)) if n not in (6, 10) else n
        d = parse_date(start)
        return start, fmt(add_years(d, n)) if d else ""
    if "长" in rest or rest.endswith("期"):
        return start, "长期"
    return start, ""


def _cross_check_front(reading: Reading) -> None:
    f = reading.fields
    number = f["number"].value
    if not (_number_ok(number) and f["number"].confidence >= CONFIDENT):
        return
    birth_n, sex_n = birth_from_number(number), sex_from_number(number)
    if birth_n and f["birth"].value != birth_n and f["birth"].confidence < CONFIDENT:
        f["birth"] = Field(birth_n, f["birth"].confidence, f["birth"].quad)
        reading.corrections.append(("birth", "agrees with the ID number"))
    if sex_n and f["sex"].value != sex_n and f["sex"].confidence < CONFIDENT:
        f["sex"] = Field(sex_n, f["sex"].confidence, f["sex"].quad)
        reading.corrections.append(("sex", "agrees with the ID number"))
    sar = SAR_PREFIX.get(number[:6])
    if sar and f["nationality"].value != sar and f["nationality"].confidence < CONFIDENT:
        f["nationality"] = Field(sar, f["nationality"].confidence, f["nationality"].quad)


# -- the seal --------------------------------------------------------------------------------

ISO_Y = (CARD_W / 88) / (CARD_H / 60)  # stretch of y that makes card pixels square on the page
SEAL_LIST_PRIOR = 8.0  # nats: a local authority (local_authorities) is that much likelier a priori


def _redness(img: np.ndarray) -> np.ndarray:
    """Red ink over the page: how far red stands above the brighter of green and blue,
    beyond what the page's own colour gives (float, 0 on the page and the green guilloche).
    Measured against the page's median first and only then cut at 0: on a lavender or green
    page red is below blue or green everywhere, and a thin blurred stroke of red ink only
    brings it less far below. Black print is 0 on a white page but not on a tinted one (its
    grey stands above the page's red-minus-blue); the seal's ink gate takes it in there."""
    f = img.astype(np.float32)
    signed = f[..., 2] - np.maximum(f[..., 1], f[..., 0])
    return np.maximum(signed - float(np.median(signed)), 0.0)


def _read_seal(card: Card, engine: OcrEngine, dy: float,
               local: list[str]) -> tuple[str, float, np.ndarray | None]:
    """The issuing authority from the red seal at the lower left: found by its ink, told
    round from square by its outline, the rim (round) or rows (square) straightened into
    lines, and the name chosen from the closed list by CTC likelihood over those lines."""
    x0, x1, y0, y1 = SEAL_REGION
    px0, py0 = int(x0 * CARD_W), int((y0 + dy) * CARD_H)
    region = crop_box(card.image, px0, py0, x1 * CARD_W, (y1 + dy) * CARD_H)
    py0 = max(0, py0)
    # square page pixels, so a round seal is a circle
    region = cv2.resize(region, (region.shape[1], int(round(region.shape[0] * ISO_Y))),
                        interpolation=cv2.INTER_LINEAR)
    found = _find_seal(region)
    if found is None:
        return "", 0.0, None
    red, seal, pts = found
    ink = _seal_ink(region, red, seal)
    hull = cv2.convexHull(pts)
    rect = cv2.minAreaRect(hull)
    # a disc fills pi/4 of its bounding square (measured: round <= 0.84, square >= 0.94)
    if cv2.contourArea(hull) < 0.88 * rect[1][0] * rect[1][1]:
        circle = _fit_rim(pts)
        if circle is None:
            (ex, ey), er = cv2.minEnclosingCircle(hull)
            circle = (float(ex), float(ey), float(er))
        cx, cy, rad = circle
        crops = _unwrap_round(ink, cx, cy, rad)
        bbox = (cx - rad, cy - rad, cx + rad, cy + rad)
    else:
        crops, bbox = _square_rows(ink, hull)
    bx0, by0, bx1, by1 = bbox
    quad = np.float32([[px0 + bx0, py0 + by0 / ISO_Y], [px0 + bx1, py0 + by0 / ISO_Y],
                       [px0 + bx1, py0 + by1 / ISO_Y], [px0 + bx0, py0 + by1 / ISO_Y]])
    quad[:, 0] = np.clip(quad[:, 0], 0, CARD_W)
    quad[:, 1] = np.clip(quad[:, 1], 0, CARD_H)
    lines = engine.recognize([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]) if crops else []
    probs = [ln.probs for ln in lines if ln.probs is not None and len(ln.probs)]
    if not probs:
        # a seal, but no line to read on it: nothing was read, so nothing is answered
        return "", 0.0, quad
    cs = engine.charset
    raw = Line("".join(ln.text for ln in lines), [p for ln in lines for p in ln.char_probs],
               np.concatenate(probs))
    name, conf = _choose_authority(raw, local, cs)
    return name, conf, quad


def _find_seal(region: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The seal's red ink: (redness above the page's own, mask of the seal's ink, its pixel
    coordinates as x, y), or None when there is too little red ink for a seal."""
    red = _redness(cv2.GaussianBlur(region, (3, 3), 0))
    top = float(np.percentile(red, 99))  # the ink's level (the solid star is rarer than 1 %)
    if top < 12:
        return None
    mask = (red > max(8.0, 0.3 * top)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 12
    mask = keep[labels].astype(np.uint8)
    if mask.sum() < 300:
        return None
    # the seal is where red ink is densest; its ink is what lies within a seal's reach of
    # the ink's middle there
    dens = cv2.boxFilter(mask.astype(np.float32), -1, (71, 71))
    sy, sx = np.unravel_index(int(np.argmax(dens)), dens.shape)
    ys, xs = np.nonzero(mask)
    for reach in (160, 130):
        y0, y1, x0, x1 = max(0, sy - reach), sy + reach, max(0, sx - reach), sx + reach
        inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
        pts = np.column_stack((xs[inside], ys[inside])).astype(np.float32)
        if len(pts) < 100:
            return None
        sx, sy = (int(v) for v in np.median(pts, axis=0))
    win = np.zeros_like(mask)
    win[y0:y1, x0:x1] = 1  # the last window, as a mask
    return red, mask & win, pts


def _seal_ink(region: np.ndarray, red: np.ndarray, seal: np.ndarray) -> np.ndarray:
    """The seal as dark ink on white. The detail comes from the green channel (red ink is
    dark in it, and a JPEG keeps it at full resolution, where it halves the chroma that
    redness is made of); redness only says which dark pixels are seal ink (not black print,
    not the green or pink guilloche)."""
    green = region[..., 1]
    g = green.astype(np.float32)
    bg = percentile_u8(green, 50)
    ink_level = percentile_u8(green[seal > 0], 10) if seal.any() else 0.0
    dark = np.clip((bg - g) / max(bg - ink_level, 1.0), 0, 1)
    level = float(np.percentile(red[seal > 0], 90)) if seal.any() else 1.0
    gate = np.clip(red / max(0.35 * level, 1.0), 0, 1)
    return (255 - 255 * dark * gate).astype(np.uint8)


def _fit_rim(pts: np.ndarray) -> tuple[float, float, float] | None:
    """A round seal's rim: the outermost ink in every direction lies on one circle; fitted
    to those points with stray specks dropped. Returns (centre, outer radius) or None."""
    c = np.median(pts, axis=0)
    d = pts - c
    ang = np.arctan2(d[:, 1], d[:, 0])
    dist = np.hypot(d[:, 0], d[:, 1])
    bins = ((ang + np.pi) / (2 * np.pi) * 90).astype(int) % 90
    # per direction bin, its farthest point (the first of equals): sorted by bin, then
    # farthest first, then by index, each bin's first entry
    order = np.lexsort((np.arange(len(dist)), -dist, bins))
    _, first = np.unique(bins[order], return_index=True)
    edge_idx = order[first]
    edge = pts[edge_idx[dist[edge_idx] > 0]].astype(np.float64)
    if len(edge) < 45:
        return None
    use = np.ones(len(edge), bool)
    for tol in (0.25, 0.12, 0.07, 0.07):  # least-squares circle (Kåsa), dropping stray specks
        e = edge[use]
        a = np.column_stack([2 * e[:, 0], 2 * e[:, 1], np.ones(len(e))])
        sol, *_ = np.linalg.lstsq(a, (e ** 2).sum(axis=1), rcond=None)
        cx, cy = sol[0], sol[1]
        r = float(np.sqrt(max(sol[2] + cx * cx + cy * cy, 1.0)))
        res = np.abs(np.hypot(edge[:, 0] - cx, edge[:, 1] - cy) - r)
        use = res < max(4.0, tol * r)
        if use.sum() < 20:
            return None
    if use.sum() < 45 or not 60 <= r <= 140:
        return None
    return float(cx), float(cy), r


# Unwrapped at the band's own scale, rim glyphs come out about 1.35 times as wide as tall
# (median 65 px a character at 48 px high, over 37 generated seals), and the recogniser's
# cost grows with the strip's width. Narrowed to 0.55, glyphs are about 3/4 as wide as tall,
# still some 4 timesteps each: on 180 generated main pages the names chosen and every other
# field were the same as at 0.75 (and at 0.5; at 0.4 one name was lost), and a round seal
# took ~5 ms less.
# Short strips are left as they are: a name needs at least a timestep (8 px) a character,
# plus one between repeats.
RIM_SQUEEZE = 0.55
RIM_MIN_SQUEEZED = 600


def _unwrap_round(ink: np.ndarray, cx: float, cy: float, rad: float) -> list[np.ndarray]:
    """The rim text as one straight line: radius outer→inner becomes rows, the angle
    clockwise over the top becomes columns. `rad` is the rim's outer radius. The band the
    name fills (its glyph size depends on its length) and the arc it spans are measured on
    a polar image first, so the line handed to the recogniser is the text, filling its
    height, from its first character to its last."""
    step = np.radians(0.5)
    th = np.arange(-np.pi, np.pi, step, dtype=np.float32)
    rho = np.linspace(0.98 * rad, 0.5 * rad, 60, dtype=np.float32)
    polar = _polar(ink, cx, cy, th, rho)
    dark = 1.0 - polar.astype(np.float32) / 255.0
    upper = np.abs(th) <= np.radians(120)
    prof = dark[:, upper].mean(axis=1)
    # the rim is the outermost peak; the name starts inside the dip that follows it
    rel = rho / rad
    ring = int(np.argmax(np.where(rel > 0.85, prof, -1)))
    inner = np.nonzero((rel < rel[ring]) & (rel > 0.55))[0]
    if inner.size < 5:
        return []
    gap = inner[0] + int(np.argmin(prof[inner[0]: inner[0] + int(0.15 * len(rho))]))
    body = np.arange(gap, int(np.nonzero(rel > 0.55)[0][-1]) + 1)
    peak = prof[body].max()
    on = body[prof[body] > 0.3 * peak]
    if on.size == 0 or peak < 0.02:
        return []
    a, b = on[0], on[-1]
    # keep rows from the dip down to where the glyphs end, with a small margin
    r_out = float(rho[max(gap, a - 2)])
    r_in = float(rho[min(len(rho) - 1, b + 3)])
    band = dark[max(gap, a - 2): b + 4]
    col = band.mean(axis=0)
    # characters of the name, and the gaps between them bridged (up to 18 degrees). Faint
    # ones count: a long name's first characters, down the left of the rim, can sit in a
    # reflection (scan 100102 lost 广西壮族自治 at 0.08 of the darkest column, and with it
    # the name; at 0.05, 2 more of 180 main pages were right and 1 small seal wrong)
    bridge = 37
    ink_c = col > 0.05 * float(col[upper].max())
    on_c = cv2.dilate(ink_c.astype(np.uint8)[None], np.ones((1, bridge), np.uint8))[0] > 0
    mid = len(th) // 2
    near = np.nonzero(on_c[mid - 60: mid + 60])[0]
    if near.size == 0:
        return []
    lo = hi = mid - 60 + int(near[np.argmin(np.abs(near - 60))])
    while lo > 0 and on_c[lo - 1]:
        lo -= 1
    while hi < len(th) - 1 and on_c[hi + 1]:
        hi += 1
    lo, hi = lo + bridge // 2, hi - bridge // 2
    if hi - lo < 20:
        return []
    # a little beyond the ink found: a faded first or last character, which the likelihood
    # of a name (blank over the empty part) does not mind
    th0, th1 = float(th[lo]) - 12 * step, float(th[hi]) + 12 * step
    th0, th1 = max(th0, np.radians(-160)), min(th1, np.radians(160))
    out_h = 48
    scale = out_h / max(r_out - r_in, 1.0)
    r_mid = (r_out + r_in) / 2
    out_w = max(16, int(r_mid * (th1 - th0) * scale))
    if out_w >= RIM_MIN_SQUEEZED:
        out_w = int(out_w * RIM_SQUEEZE)
    strip = _polar(ink, cx, cy, np.linspace(th0, th1, out_w, dtype=np.float32),
                   np.linspace(r_out, r_in, out_h, dtype=np.float32))
    return [strip]


def _polar(ink: np.ndarray, cx: float, cy: float, th: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Sample `ink` on a polar grid: rows are radii, columns angles clockwise from 12 o'clock."""
    T, RR = np.meshgrid(th, rho)
    mx = (cx + RR * np.sin(T)).astype(np.float32)
    my = (cy - RR * np.cos(T)).astype(np.float32)
    return cv2.remap(ink, mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _square_rows(ink: np.ndarray, hull: np.ndarray) -> tuple[list[np.ndarray], tuple]:
    """A square seal deskewed by its border, its inner area split into text rows."""
    rect = cv2.minAreaRect(hull)
    box = cv2.boxPoints(rect)
    # order TL, TR, BR, BL
    s = box.sum(axis=1)
    d = np.diff(box, axis=1).ravel()
    tl, br = box[np.argmin(s)], box[np.argmax(s)]
    tr, bl = box[np.argmin(d)], box[np.argmax(d)]
    side = 240
    src = np.float32([tl, tr, br, bl])
    dst = np.float32([[0, 0], [side, 0], [side, side], [0, side]])
    m = cv2.getPerspectiveTransform(src, dst)
    sq = cv2.warpPerspective(ink, m, (side, side), borderValue=255)
    x0, y0 = box[:, 0].min(), box[:, 1].min()
    x1, y1 = box[:, 0].max(), box[:, 1].max()
    inner = sq[int(side * 0.06): int(side * 0.94), int(side * 0.05): int(side * 0.95)]
    prof = (inner < 128).sum(axis=1).astype(np.float32)
    prof = np.convolve(prof, np.ones(3) / 3, mode="same")
    on = prof > max(2.0, 0.08 * prof.max())
    rows: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            rows.append((start, i))
            start = None
    if start is not None:
        rows.append((start, len(on)))
    rows = [r for r in rows if r[1] - r[0] >= 0.06 * side]
    crops = []
    for a, b in rows:
        pad = int(0.15 * (b - a))
        row = inner[max(0, a - pad): b + pad]
        # the row's extent from fainter ink than its rows: a glyph in a reflection stays in
        cols = np.nonzero((row < 192).sum(axis=0) > 0)[0]
        if cols.size:
            row = row[:, max(0, cols[0] - 6): cols[-1] + 6]
        crops.append(row)
    return crops, (x0, y0, x1, y1)


def _ctc_scores(logp: np.ndarray, labels: list[list[int]]) -> np.ndarray:
    """log P(label | posteriors) under CTC for several labels at once: the forward algorithm,
    vectorised over labels and label positions (logp: T x classes, natural log)."""
    n = len(labels)
    lens = np.array([2 * len(lb) + 1 for lb in labels], np.int64)
    ext = np.zeros((n, int(lens.max())), np.int64)
    for i, lb in enumerate(labels):
        ext[i, 1: 2 * len(lb): 2] = lb
    S = ext.shape[1]
    can_skip = np.zeros((n, S), bool)
    can_skip[:, 2:] = (ext[:, 2:] != 0) & (ext[:, 2:] != ext[:, :-2])
    valid = np.arange(S)[None, :] < lens[:, None]
    lp = np.where(valid[None], logp[:, ext], -np.inf)  # T x n x S
    alpha = np.full((n, S), -np.inf)
    alpha[:, :2] = lp[0, :, :2]
    neg = np.full((n, 2), -np.inf)
    for t in range(1, lp.shape[0]):
        a = alpha.copy()
        a[:, 1:] = np.logaddexp(a[:, 1:], alpha[:, :-1])
        skip = np.where(can_skip, np.concatenate([neg, alpha[:, :-2]], axis=1), -np.inf)
        alpha = np.logaddexp(a, skip) + lp[t]
    rows = np.arange(n)
    return np.logaddexp(alpha[rows, lens - 1], alpha[rows, lens - 2])


AUTHORITY_ENDINGS = ("支队", "总队", "大队", "管理局")


def _skips_from(text: str, name: str) -> bool:
    """`text` is `name` with one or two of its characters left out."""
    if not 0 < len(name) - len(text) <= 2:
        return False
    rest = iter(name)
    return all(ch in rest for ch in text)


def _choose_authority(raw: Line, local: list[str], cs: list[str]) -> tuple[str, float]:
    """The known authority name the seal's pixels support best (CTC likelihood over the
    whole rim or all rows, local names favoured by SEAL_LIST_PRIOR), among the local names
    and those sharing most characters with the raw reading. A raw reading that is confident
    in every character and looks like a whole authority name (a province first, an office
    last) is kept even when it is not listed, unless it is a listed name with a character
    or two left out (a glyph the recogniser skipped, in a reflection or a faint row)."""
    index = char_index(cs)
    cands = [c for c in dict.fromkeys(local + similar_licence_authorities(raw.text, 24))
             if all(ch in index for ch in c)]
    if raw.min_prob >= CONFIDENT and raw.text.endswith(AUTHORITY_ENDINGS) \
            and raw.text.startswith(_provinces()) and raw.text not in _authority_table()[0] \
            and not any(_skips_from(raw.text, c) for c in cands):
        return raw.text, line_conf(raw)
    if not cands or raw.probs is None:
        return raw.text, line_conf(raw)
    labels = [[index[ch] for ch in c] for c in cands]
    # only the classes some name uses (and the blank, class 0, which stays column 0): the
    # log of the whole posterior matrix, ~18,700 classes a timestep, was most of this
    used = np.unique(np.concatenate([[0], *map(np.asarray, labels)])).astype(np.int64)
    logp = np.log(np.clip(raw.probs[:, used], 1e-12, None))
    scores = _ctc_scores(logp, [np.searchsorted(used, lb).tolist() for lb in labels])
    scores = scores + SEAL_LIST_PRIOR * np.isin(np.array(cands, dtype=object), local)
    if not np.isfinite(scores).any():  # too few timesteps for any name: keep what was read
        return raw.text, line_conf(raw)
    k = int(np.argmax(scores))
    best = cands[k]
    share = np.exp(scores - scores[k])
    return best, round(float(1.0 / share.sum()), 4)
