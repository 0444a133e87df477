"""Mainland China motor-vehicle driving licence (机动车驾驶证): main page and second page (副页).

The licence is an 88 x 60 mm booklet page; the locator warps it to the canonical 856 x 540
card, so the zones below are fractions of the page (it is stretched a little, which fractions
do not mind). A page in a dark plastic holder is cut out of the holder first (vision.page).

Main page: title on top, 证号 + number, a row of name / sex / nationality, the address (one or
two lines), a middle column of birth date, first issue date and the class box, and a bottom
row that is either "有效期限 <from> 至 <to|长期>" (new layout, round seal) or
"有效起始日期 <from>  有效期限 6年|10年|长期" (old layout, square seal). The red seal at the
lower left carries the issuing authority: along the rim of a round seal, in rows in a square
one. Second page: title ending in 副页, number, name, 档案编号 (12 digits) and the record lines.

Black text is read from a red-suppressed copy of the page (max of the colour channels), so the
seal does not disturb the labels and values it overlaps; the seal is read from its red ink
alone (vision.seal straightens its text into lines), and the name chosen from the closed list
of authorities (checks.licence_authority) by CTC likelihood, the authority of the licence's
own city (证号 region, address) favoured as a prior. Validation chooses among the
recogniser's uncertain readings (closed lists, the ID number's check character, birth date
and sex inside the number, validity spans); it never replaces a character read with
confidence. Field values are never logged.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from ..vision.page import PageMap, channel_extremes, find_page
from .base import (
    ZoneText,
    choose_number,
    closed_choice,
    decode_line,
    decode_zone,
    let_number_decide,
    line_conf,
    number_ok,
    read_divisions,
    read_name,
    read_zones,
    shifted,
    strip_label,
    text_value,
)
from .checks.licence_authority import local_authorities
from .checks.licence_lists import NATIONALITIES, SAR_PREFIX, class_legal, class_list
from .contract import DocumentType
from .licence_dates import calendar_date, parse_validity, start_after_issue
from .licence_glare import glared_lines
from .licence_labels import (
    from_line_start,
    number_anchor,
    read_digits,
    split_row,
    under_label,
    up_to_next_label,
    with_tail_room,
    without_next_label,
    without_tail_room,
)
from .licence_seal import read_seal

NAME = "driver-license"
SIDES = ("front", "back")
ASPECT = 88 / 60
FIELDS = {
    "front": ("number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
              "valid_from", "valid_to", "authority"),
    "back": ("number", "name", "file_number", "record"),
}
OPTIONAL_FIELDS = frozenset({"authority"})  # the seal is read only when asked for


class Layout:
    """Where things are printed, as fractions of the page. Where they were measured was not
    recorded; they lie close to the boxes the generator prints values in (tools/cardgen/
    licence.py, licence_layout_boxes), and the date zones were widened leftwards to reach
    "the real layout" of the reference mock-up (commit 659e0ff; the mock-up is
    /work/shared/reference/cn-driving-licence-mockup.png)."""

    # (x0, x1, y0, y1); x0 sits between the printed label and the value
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
        "validity": (0.15, 0.78, 0.875, 0.985),
    }
    # (y0, y1): the row read when the detector found no line in a zone
    FRONT_ROWS = {"number": (0.175, 0.255), "name": (0.27, 0.34), "sex": (0.27, 0.34),
                  "nationality": (0.27, 0.34), "birth": (0.56, 0.63), "issue_date": (0.655, 0.725),
                  "class": (0.75, 0.825), "validity": (0.89, 0.965)}
    FRONT_NUMBER_Y = 0.215  # centre of the number line on the main page: the layout's anchor
    BACK_ZONES = {
        "title": (0.5, 0.92, 0.03, 0.16),  # (驾)驶证副页 only, as on the main page
        "number": (0.12, 0.66, 0.175, 0.275),
        "name": (0.125, 0.44, 0.28, 0.385),
        "file_number": (0.556, 0.93, 0.28, 0.385),
        "record": (0.06, 0.95, 0.515, 0.815),
    }
    BACK_ROWS = {"number": (0.19, 0.26), "name": (0.29, 0.37), "file_number": (0.295, 0.365)}
    BACK_NUMBER_Y = 0.225
    # 记录 at the top left of the record's box (licence_labels.under_label): starts left of this,
    # narrower than this, its centre from this far above the record zone's top (nominally 0.07
    # above; the name row 0.18) to this far below it
    RECORD_LABEL = (0.25, 0.2, 0.13, 0.02)
    # the anchor is looked for this far either side of where it should be, and the layout
    # moved by at most ANCHOR_CLAMP (the ID card's is 0.06)
    ANCHOR_WINDOW = 0.06
    ANCHOR_CLAMP = 0.04
    # telling the pages apart: the number row, where the second page's 证号 box starts at
    # the left edge (x0 below NUMBER_LEFT_X0) and the main page's a third of the way in,
    # and the title above TITLE_MAX_Y
    NUMBER_ROW = (0.15, 0.29)
    NUMBER_LEFT_X0 = 0.2
    TITLE_MAX_Y = 0.17
    # x0, x1, y0, y1: where the seal is looked for on the main page: below the address, left
    # of the dates column's values (the seal may run over their labels). Within it the seal is
    # found by its own evidence (vision.seal: the densest red ink, a rim drawn all the way
    # round), so the region only keeps other red print out: blocks moved by +-5% (the layout
    # condition) put the seal's edge up to 0.40 across and 0.43 down
    SEAL_REGION = (0.0, 0.42, 0.40, 0.99)
    # how far left the number's and the file number's lines are looked for (left of the 证号
    # and 档案编号 labels, moved by up to 5%)
    NUMBER_LEFT = 0.15
    BACK_NUMBER_LEFT = 0.0
    FILE_NUMBER_LEFT = 0.38


# this page's lines run from two characters (sex) to the whole page (address): batched by
# similar width, short crops are not padded to the long ones (see engine.recognize)
ZONE_BATCH_WIDTH = 1.4

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

DIGITS = "0123456789"
DATE_CHARS = DIGITS + "-"
ADDRESS_CHARS = "{cjk}0123456789-()（）·"
RECORD_CHARS = "{cjk}0123456789ABCDEFMNP"
# a line in the record's zone with this many Chinese characters is print (the shortest clause,
# 实习期至 and a date, has four), not a speck or the seal's edge
RECORD_MIN_CJK = 4
CJK_CHAR = re.compile("[\u3400-\u9fff]")
# the bottom row: dates, 至 / 年 / 长期, and the label characters a crop may still hold
VALIDITY_CHARS = DATE_CHARS + "至长期年有效限起始日"
# the older layout's bottom row: its two parts stand further apart than 至 from its dates
VALIDITY_GAP = 0.04

TITLE_CHARS = set("机动车驾驶证副页")


# -- side ------------------------------------------------------------------------------------

def classify_side(card: Card, engine: OcrEngine) -> tuple[str, float]:
    """Main page or 副页: the second page's 证号 box sits at the left edge, where the main
    page's number row starts a third of the way in. Only when that row says nothing (or
    both) is the title read: the second page's ends in 副页."""
    card, _ = _page_frame(card)
    left_number = right_number = 0.0
    title = None
    row_top, row_bottom = Layout.NUMBER_ROW
    for q in card.boxes:
        (x0, y0), (x1, y1) = q.min(axis=0) / (CARD_W, CARD_H), q.max(axis=0) / (CARD_W, CARD_H)
        cy = (y0 + y1) / 2
        if row_top < cy < row_bottom and x1 - x0 > 0.25:
            if x0 < Layout.NUMBER_LEFT_X0:
                left_number = max(left_number, x1 - x0)
            else:
                right_number = max(right_number, x1 - x0)
        if cy < Layout.TITLE_MAX_Y and x1 - x0 > 0.4 and (title is None or x1 - x0 > title[2] - title[0]):
            title = (x0, y0, x1, y1)
    score = 0.5 * (left_number > 0) - 0.5 * (right_number > 0)
    if score == 0 and title is not None:
        x0, y0, x1, y1 = title
        line = engine.recognize([crop_box(_grey(card), x0 * CARD_W - 4, y0 * CARD_H - 3,
                                                x1 * CARD_W + 4, y1 * CARD_H + 3)])[0]
        if "副" in line.text or line.text.endswith("页"):
            score += 1.0
        elif "驾驶证" in line.text or line.text.endswith("证"):
            score -= 1.0
    if score > 0:
        return "back", min(1.0, 0.5 + score / 3)
    return "front", min(1.0, 0.5 - score / 3)


# -- reading ---------------------------------------------------------------------------------

def read(card: Card, side: str, engine: OcrEngine, optional: frozenset[str] = frozenset()) -> Reading:
    """`optional`: the optional fields the request asked for; the seal is read only then."""
    page, to_card = _page_frame(card)
    reading = _read_back(page, engine) if side == "back" else \
        _read_front(page, engine, "authority" in optional)
    for f in reading.fields.values():
        if f.quad is not None:
            f.quad = to_card(f.quad)
    return reading


def _page_frame(card: Card) -> tuple[Card, PageMap]:
    """find_page, once per card: the pipeline asks classify_side and then read about it."""
    if "licence_page" not in card.derived:
        card.derived["licence_page"] = find_page(card)
    return card.derived["licence_page"]


def _empty(side: str) -> Reading:
    return Reading(NAME, side, {k: Field("", 0.0) for k in FIELDS[side]})


def _grey(card: Card) -> np.ndarray:
    """The page with red ink suppressed: the brightest channel, as a 3-channel image; once
    per page (classify_side and read both want it)."""
    if "grey" not in card.derived:
        card.derived["grey"] = cv2.cvtColor(channel_extremes(card)[0], cv2.COLOR_GRAY2BGR)
    return card.derived["grey"]


def _anchor_shift(card: Card, expected_y: float) -> float:
    """Vertical offset of the layout from the number line (see licence_labels.number_anchor)."""
    return number_anchor(card, expected_y, Layout.ANCHOR_WINDOW, Layout.ANCHOR_CLAMP)


def _is_licence(grey: Card, engine: OcrEngine, title_zone: tuple, number: str) -> bool:
    """Is this a licence page at all (the pipeline also offers it the portrait, the holder's
    print, other cards)? A valid ID number where the page prints its 证号 says so; only
    without one is the title read (one more recogniser call), and it must hold three of
    机动车驾驶证副页 (the engine's own reading: the title's characters are large and clear)."""
    if number_ok(number, SAR_PREFIX):
        return True
    title = read_zones(grey, engine, {"title": title_zone}, max_lines={"title": 1})["title"]
    return len(TITLE_CHARS & set("".join(ln.text for ln in title.lines))) >= 3


def _read_front(card: Card, engine: OcrEngine, seal: bool = True) -> Reading:
    dy = _anchor_shift(card, Layout.FRONT_NUMBER_Y)
    grey = Card(_grey(card), with_tail_room(card.boxes))
    zones = shifted(Layout.FRONT_ZONES, dy)
    zones["number"] = from_line_start(card, zones["number"], Layout.NUMBER_LEFT, 0.2)
    zones["name"] = up_to_next_label(card, zones["name"], 0.12, 0.04)
    title_zone = zones.pop("title")
    validity_keys = split_row(card, zones, "validity", VALIDITY_GAP)
    z = without_tail_room(read_zones(grey, engine, zones, shifted(Layout.FRONT_ROWS, dy),
        max_lines={"number": 1, "name": 1, "sex": 1, "nationality": 1, "address": 2, "birth": 1,
                   "issue_date": 1, "class": 1, **{k: 1 for k in validity_keys}},
        similar_width=ZONE_BATCH_WIDTH, squeeze=FRONT_SQUEEZED))
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    number_line = _read_number(grey, engine, z["number"], zones["number"][1])
    number, number_conf = _choose_number(number_line, reading)
    if not _is_licence(grey, engine, title_zone, number):
        return _empty("front")
    fields["number"] = Field(number, number_conf, z["number"].quad)

    fields["name"] = without_next_label(read_name(z["name"], cs, reading), "性别", reading)

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
    address = read_divisions(addr_lines, address, cs, reading)
    fields["address"] = Field(address, min((line_conf(ln) for ln in addr_lines), default=0.0),
                              z["address"].quad)

    for key in ("birth", "issue_date"):
        line = decode_zone(z[key], cs, DATE_CHARS + "证日期")
        fields[key] = Field(calendar_date(line, reading, key), line_conf(line), z[key].quad)

    cls, cls_conf = _read_class(z["class"], cs)
    fields["class"] = Field(cls, cls_conf, z["class"].quad)

    v = decode_zone(z["validity"], cs, VALIDITY_CHARS)
    v = start_after_issue(v, text_value(fields["issue_date"]), cs, reading)
    rest = [decode_zone(z[k], cs, VALIDITY_CHARS) for k in validity_keys[1:]]
    start, end = parse_validity(" ".join(ln.text for ln in [v, *rest]))
    conf = min(line_conf(ln) for ln in [v, *rest])
    fields["valid_from"] = Field(start, conf, z["validity"].quad)
    fields["valid_to"] = Field(end, conf, z["validity"].quad)

    fields["authority"] = Field("", 0.0, None)
    if seal:
        local = local_authorities(number, address)
        x0, x1, y0, y1 = Layout.SEAL_REGION
        fields["authority"] = read_seal(card, engine, (x0, x1, y0 + dy, y1 + dy), local)
        fields["authority"].evidence["asked"] = 1.0  # every main page has a seal: empty is unread

    _cross_check_front(reading)
    return reading


def _read_back(card: Card, engine: OcrEngine) -> Reading:
    dy = _anchor_shift(card, Layout.BACK_NUMBER_Y)
    grey = Card(_grey(card), with_tail_room(card.boxes))
    zones = shifted(Layout.BACK_ZONES, dy)
    title_zone = zones.pop("title")
    zones["number"] = from_line_start(card, zones["number"], Layout.BACK_NUMBER_LEFT, 0.2)
    zones["file_number"] = from_line_start(card, zones["file_number"], Layout.FILE_NUMBER_LEFT, 0.12)
    zones["name"] = up_to_next_label(card, zones["name"], 0.12, 0.04)
    zones["record"] = under_label(card, zones["record"], *Layout.RECORD_LABEL)
    z = without_tail_room(read_zones(grey, engine, zones, shifted(Layout.BACK_ROWS, dy),
        max_lines={"number": 1, "name": 1, "file_number": 1, "record": 4},
        similar_width=ZONE_BATCH_WIDTH, squeeze=BACK_SQUEEZED))
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "back", fields)
    number_line = _read_number(grey, engine, z["number"], zones["number"][1])
    number, number_conf = _choose_number(number_line, reading)
    if not _is_licence(grey, engine, title_zone, number):
        return _empty("back")
    fields["number"] = Field(number, number_conf, z["number"].quad)
    fields["name"] = without_next_label(read_name(z["name"], cs, reading), "档案编号", reading)
    fn = read_digits(grey, engine, z["file_number"], zones["file_number"][1], "档案编号", 12)
    digits = re.sub(r"\D", "", fn.text)
    fields["file_number"] = Field(digits, line_conf(fn), z["file_number"].quad)
    decoded = [decode_line(ln, cs, RECORD_CHARS) for ln in z["record"].lines]
    kept = [bool(ln.text) and ln.score > 0.5 for ln in decoded]
    if not any(kept):  # nothing read: glare may have hidden a record (licence_glare)
        again = glared_lines(card, engine, zones["record"], 4)
        looked = [decode_line(ln, cs, RECORD_CHARS) for ln in again.lines]
        # taken when a line of it is print (a few Chinese characters), not specks read
        if any(ln.score > 0.5 and len(CJK_CHAR.findall(ln.text)) >= RECORD_MIN_CJK for ln in looked):
            z["record"], decoded = again, looked
            kept = [bool(ln.text) and ln.score > 0.5 for ln in looked]
    rec_lines = [ln for ln, keep in zip(decoded, kept) if keep]
    record = "".join(ln.text for ln in rec_lines).replace(" ", "")
    fields["record"] = Field(record, min((line_conf(ln) for ln in rec_lines), default=0.0),
                             z["record"].quad if rec_lines else None)
    # lines of Chinese the detector found in the record's zone that the reader let go as too
    # unsure: a record printed there was read empty or in part (confidence.evidence)
    fields["record"].evidence["unread_lines"] = float(sum(
        1 for ln, keep in zip(decoded, kept) if not keep and len(CJK_CHAR.findall(ln.text)) >= RECORD_MIN_CJK))
    return reading


# -- fields ----------------------------------------------------------------------------------

def _read_class(zone: ZoneText, cs: list[str]) -> tuple[str, float]:
    raw = decode_zone(zone, cs, "ABCDEFMNP123456")
    if not raw.text:
        return "", 0.0
    if raw.text in class_list() and raw.min_prob >= CONFIDENT:
        return raw.text, line_conf(raw)
    choice, share = closed_choice(zone, cs, list(class_list()))
    if raw.text != choice and class_legal(raw.text) and raw.min_prob >= CONFIDENT:
        return raw.text, line_conf(raw)
    return (choice, share) if choice else (raw.text, line_conf(raw))


def _read_number(grey: Card, engine: OcrEngine, zone: ZoneText, zone_x1: float) -> Line:
    """The 证号's digits (see _read_digits), a longer reading taken when it is a sound number."""
    return read_digits(grey, engine, zone, zone_x1, "证号", 18, lambda t: number_ok(t, SAR_PREFIX))


def _choose_number(line: Line, reading: Reading) -> tuple[str, float]:
    """The 证号 (the holder's ID number, or a Hong Kong, Macao or Taiwan resident's with its
    SAR prefix); a 19th character, a label fragment read as a digit at either end, is dropped."""
    return choose_number(line, reading, SAR_PREFIX, drop_stray_digit=True)


def _cross_check_front(reading: Reading) -> None:
    """A sound number read with confidence decides birth date and sex (see let_number_decide)
    and, for a Hong Kong, Macao or Taiwan resident's number, the nationality."""
    if not let_number_decide(reading, SAR_PREFIX):
        return
    f = reading.fields
    sar = SAR_PREFIX.get(text_value(f["number"])[:6])
    if sar and f["nationality"].value != sar and f["nationality"].confidence < CONFIDENT:
        f["nationality"] = Field(sar, f["nationality"].confidence, f["nationality"].quad)


DOCUMENT = DocumentType(
    name=NAME, sides=SIDES, fields=FIELDS, checks={},
    classify_side=classify_side, read=read, optional_fields=OPTIONAL_FIELDS,
    aspect=ASPECT, det_side=DET_SIDE,
)
