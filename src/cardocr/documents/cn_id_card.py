"""Mainland China resident identity card (second generation): the front, a temporary card's
data side, and the document's entry points; the back is read in cn_id_back.py, both by the
layout in cn_id_layout.py moved onto the card's printed labels (landmarks.py).

Validation chooses among the recogniser's uncertain readings; it never replaces a character
read with confidence (specimen cards fail their check character on purpose and must come
back as printed, with the failed check reported).
"""

from __future__ import annotations

import re

import numpy as np

from ..ocr.ctc import alphabet, greedy_decode
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from . import cn_temporary
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
from .checks import ETHNIC_GROUPS, birth_from_number, group_after_label, parse_date, sex_from_number
from .cn_id_back import back_fields, read_back
from .cn_id_layout import (
    ADDRESS_CHARS,
    BACK_MAX_LINES,
    CHECKS,
    DIGITS,
    FIELDS,
    FRONT_MAX_LINES,
    NAME,
    SIDES,
    ZONE_MIN_WIDTH,
    ZONE_SIMILAR_WIDTH,
    Layout,
    layout_shift,
)
from .cn_validity import joint_temporary, parse_validity
from .contract import MISSING_LANDMARKS, DocumentType
from .identify import ANOTHER_DOCUMENT
from .identify import identify as identify_lines
from .landmarks import Zone, column_labels, fit_rows, values_right_of

__all__ = ["CHECKS", "DOCUMENT", "FIELDS", "NAME", "SIDES", "Layout", "classify_side", "portrait_quad", "read"]

# Reading.meta: the layout read ("temporary": a temporary card's data side) and, on it, the
# printed validity period's length in days
LAYOUT, TEMPORARY, VALIDITY_DAYS = "layout", "temporary", "validity_days"


def classify_side(card: Card, engine: OcrEngine) -> tuple[str, float]:
    """Front or back, from where the text is: the back's title runs wide across the top
    right, where the front has its portrait and no text at all."""
    title = 0.0
    for q in card.boxes:
        (x0, y0), (x1, y1) = q.min(axis=0) / (CARD_W, CARD_H), q.max(axis=0) / (CARD_W, CARD_H)
        if (y0 + y1) / 2 < Layout.BACK_TITLE_MAX_Y and (x0 + x1) / 2 > 0.5 and x1 - x0 > Layout.BACK_TITLE_MIN_W:
            title = max(title, x1 - x0)
    if title:
        return "back", min(1.0, 0.5 + title)
    return "front", 0.8


def portrait_quad(reading: Reading) -> np.ndarray | None:
    """The portrait on the front, in card pixels; the back has none."""
    if reading.side != "front":
        return None
    x0, x1, y0, y1 = Layout.PORTRAIT
    return np.array([[x0 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y0 * CARD_H],
                     [x1 * CARD_W, y1 * CARD_H], [x0 * CARD_W, y1 * CARD_H]], np.float32)


def read(card: Card, side: str, engine: OcrEngine, optional: frozenset[str] = frozenset()) -> Reading:
    if cn_temporary.is_temporary(card):  # a temporary card's data side (cn_temporary.py)
        reading = _read_temporary(card, side, engine)
    else:
        reading = read_back(card, engine) if side == "back" else _read_front(card, engine)
    # rows read aslant, and the reading short of a field or a check: the pipeline reads the
    # card's other outlines around this one (a full reading that holds is kept as it is)
    full = all(f.value for f in reading.fields.values()) and all(reading.checks.values())
    if not full and _aslant(card):
        reading.meta[MISSING_LANDMARKS] = "level_rows"
    if not _plausible(reading):
        other = _titled_as_another(card, engine)
        if other:  # nothing read, and the pipeline told whose card it is (it answers "no card")
            reading = Reading(NAME, side, {name: Field("", 0.0) for name in FIELDS[side]})
            reading.meta[ANOTHER_DOCUMENT] = other
    return reading


# Every row of either side is printed level with the card's long edges, so on a card
# straightened from its own outline the detector's wide lines run level (0.7 degrees at most on
# the dev photos looked at). An outline that took in a sheet beside the card turns the card inside
# the quad (photo 1500157: its lines at -6 to -8 degrees, 2 of 6 fields read).
ASLANT_DEG = 3.0
ASLANT_MIN_W = 0.25  # of the card's width: the number, the address, the validity, the title


def _aslant(card: Card) -> bool:
    """The card's wide lines run, by their median, more than ASLANT_DEG off level."""
    angles = [np.degrees(np.arctan2(q[1, 1] - q[0, 1], q[1, 0] - q[0, 0])) for q in card.boxes
              if np.ptp(q[:, 0]) > ASLANT_MIN_W * CARD_W]
    return len(angles) >= 2 and abs(float(np.median(angles))) > ASLANT_DEG


def _plausible(reading: Reading) -> bool:
    """What any readable ID side gives: a back an authority named as one or a calendar start
    of validity, a front a number of the right shape or a calendar birth date."""
    f = reading.fields
    if reading.side == "back":
        return text_value(f["authority"]).endswith("局") or parse_date(text_value(f["valid_from"])) is not None
    return bool(re.fullmatch(r"\d{17}[\dX]", text_value(f["number"]))) or parse_date(text_value(f["birth"])) is not None


def _titled_as_another(card: Card, engine: OcrEngine) -> str | None:
    """A licence page or a Hong Kong card sent to this document's endpoint: the widest line
    near the top (the back's 中华人民共和国; the front has none that wide) is read, and a title
    another document prints there (documents.identify) means the card is not this one. One
    short recognition, only for a reading that is not plausible."""
    top = [q for q in card.boxes if q[:, 1].mean() < Layout.TITLE_MAX_Y * CARD_H
           and np.ptp(q[:, 0]) > Layout.TITLE_MIN_W * CARD_W]
    if not top:
        return None
    q = max(top, key=lambda b: np.ptp(b[:, 0]))
    line = engine.recognize([crop_box(card.image, *q.min(axis=0), *q.max(axis=0))])[0]
    told = identify_lines([line.text])
    return told[0] if told is not None and told[0] != NAME else None


# -- front ---------------------------------------------------------------------------------

def _front_zones(card: Card, dy: float
                 ) -> tuple[dict[str, Zone], dict[str, tuple[float, float]]]:
    """The front's zones on this card. The number row follows its own line (dy); the rows
    above it follow the printed labels where they are found (landmarks.RowFit), else the
    number's shift too. A label in a box of its own also says where its value starts."""
    keys = ("name", "sex", "birth", "address")
    labels = column_labels(card, keys, Layout.FRONT_LABEL_MAX_X0,
                           0.0, Layout.NUMBER_ROW_MIN_Y, Layout.LABEL_ALONE_W, Layout.FRONT_LABEL_ROWS)
    fit = fit_rows(labels, Layout.FRONT_LABEL_ROWS)
    if fit is None or fit.labels < 2:
        # labels too faint or blurred for the detector (or a quad that took in the margin
        # pushed them out of their column): the values' first boxes stand on the same rows.
        # They place the rows only; where a value starts still comes from the labels.
        values = column_labels(card, keys, Layout.FRONT_VALUE_MAX_X0, 0.0, Layout.NUMBER_ROW_MIN_Y,
                               0.0, Layout.FRONT_LABEL_ROWS)
        by_values = fit_rows(values, Layout.FRONT_LABEL_ROWS)
        if by_values is not None and by_values.labels > (fit.labels if fit else 0):
            fit = by_values
    upper = {k: v for k, v in Layout.FRONT_ZONES.items() if k != "number"}
    upper_rows = {k: v for k, v in Layout.FRONT_ROWS.items() if k != "number"}
    if fit is None:
        zones, rows = shifted(upper, dy), shifted(upper_rows, dy)
    else:
        zones, rows = fit.zones(upper), fit.rows(upper_rows)
    zones["number"] = shifted(Layout.FRONT_ZONES, dy)["number"]
    rows["number"] = shifted(Layout.FRONT_ROWS, dy)["number"]
    # the address stops where the number's zone starts
    x0, x1, y0, y1 = zones["address"]
    zones["address"] = (x0, x1, y0, min(y1, zones["number"][2]))
    values_right_of(zones, labels, Layout.LABEL_GAP)
    return zones, rows


def _read_front(card: Card, engine: OcrEngine) -> Reading:
    dy = layout_shift(card, Layout.NUMBER_ROW_Y, Layout.NUMBER_ROW_MIN_Y)
    zones, rows = _front_zones(card, dy)
    z = read_zones(card, engine, zones, rows, max_lines=FRONT_MAX_LINES,
                   similar_width=ZONE_SIMILAR_WIDTH, min_width=ZONE_MIN_WIDTH)
    return _front_fields(card, engine, z, zones)


def _front_fields(card: Card, engine: OcrEngine, z: dict[str, ZoneText], zones: dict[str, Zone]) -> Reading:
    """The front's fields from its zones' lines, whichever layout placed the zones."""
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    fields["name"] = Field("", 0.0)  # read after the ethnicity (below), listed first

    # nothing printed (a blank or wrong card) stays empty; otherwise the likelier of the two
    sex, sex_conf = closed_choice(z["sex"], cs, ["男", "女"]) if decode_zone(z["sex"], cs, "男女").text else ("", 0.0)
    fields["sex"] = Field(sex, sex_conf, z["sex"].quad)

    eth_read = decode_zone(z["ethnicity"], cs, "{cjk}")
    eth, eth_conf = eth_read.text, line_conf(eth_read)
    # the label's tail (族, or a misread of it) merged into the value's box: the group is
    # what follows it
    group = group_after_label(eth)
    # ink found but no Chinese character emitted under the restricted decode (a blurred 汉
    # read as '1%', dev ID photo 1500145): the group is printed there all the same, so the
    # pixels choose among the 56, at no more confidence than the free reading's nor than an
    # even chance (dev 1500385, a tiny card upside down: its '2' at 0.76 became 京)
    unread = not eth and bool(z["ethnicity"].lines) and bool(z["ethnicity"].lines[0].text.strip())
    if group:
        eth = group
    elif (eth or unread) and eth not in ETHNIC_GROUPS and eth_read.min_prob < CONFIDENT:
        choice, share = closed_choice(z["ethnicity"], cs, list(ETHNIC_GROUPS))
        if choice:
            cap = eth_conf if eth else min(UNREAD_CONF, line_conf(z["ethnicity"].lines[0]))
            eth, eth_conf = choice, min(share, cap)
            reading.corrections.append(("ethnicity", "closed list of 56 ethnic groups"
                                        + (" (no character read)" if unread else "")))
    fields["ethnicity"] = Field(eth, eth_conf, z["ethnicity"].quad)
    # a Han name's uncertain characters are chosen as given names bear them; other peoples'
    # names are read as the recogniser read them. (The peoples that name as the Han do,
    # HAN_NAMING, are held to the customs by the review verdict only: read by them too, 126
    # such names on the dev read of session 30 came out the same, and one held-out field
    # came out wrong.)
    fields["name"] = read_name(z["name"], cs, reading, customs=eth in ("", "汉"))

    birth_line = decode_zone(z["birth"], cs, DIGITS + "年月日")
    number_line = decode_zone(z["number"], cs, DIGITS + "X")
    number, number_conf = choose_number(number_line, reading)
    birth = _parse_birth(birth_line.text, birth_from_number(number) if number_ok(number) else None)
    fields["birth"] = Field(birth, line_conf(birth_line), z["birth"].quad)

    # addresses are printed in Chinese with Arabic numerals; no Latin letters
    addr_lines = [decode_line(ln, cs, ADDRESS_CHARS) for ln in z["address"].lines]
    tail = _probe_next_line(card, engine, z["address"], zones["address"], z["number"].quad)
    if tail is not None:
        addr_lines.append(tail)
    address = strip_label("".join(ln.text for ln in addr_lines).replace(" ", ""), "住址")
    address = read_divisions(addr_lines, address, cs, reading)
    fields["address"] = Field(address, float(np.mean([line_conf(ln) for ln in addr_lines])) if addr_lines else 0.0,
                              z["address"].quad)

    fields["number"] = Field(number, number_conf, z["number"].quad)
    if not sex and z["sex"].lines and number_ok(number):
        # a sex too blurred for the restricted decode to emit anything (dev 1500331): the
        # likelier of 男/女 by the pixels, kept only where the sound number says the same
        choice, share = closed_choice(z["sex"], cs, ["男", "女"])
        if choice and choice == sex_from_number(number):
            fields["sex"] = Field(choice, min(share, number_conf), z["sex"].quad)
            reading.corrections.append(("sex", "the pixels' likelier of 男/女 agrees with the ID number"))

    _cross_check_front(reading)
    return reading


UNREAD_CONF = 0.5  # at most, for a closed-list choice where no character was read

PROBE_CHARS = 6  # line heights of the probed band read: a short last line and its margin
PROBE_MARGIN = 0.15  # line heights read left of the zone (0.3 took in ink left of a v4-detected zone)
PROBE_GAP = 0.3  # line heights kept clear left of the number's first digit
# two characters of the number's label (公民身份号码): printed left of the number, where a
# band reaching the number's row would read it; no address ends in them
_NUMBER_LABEL = re.compile("公民|民身|身份|份号|号码")


def _probe_next_line(card: Card, engine: OcrEngine, zone: ZoneText,
                     bounds: tuple[float, float, float, float], number: np.ndarray | None) -> Line | None:
    """The detector can miss a last address line of one or two characters ("1", "室"):
    read the band one line pitch below the last line found, and keep it only if the
    recogniser is sure of it. Such a line starts at the zone's left edge, so only its first
    PROBE_CHARS line heights are read (the whole zone's width was 4% of a card's CPU)."""
    if not zone.quads or len(zone.quads) >= 3:
        return None
    top, bottom = zone.quads[-1][:, 1].min(), zone.quads[-1][:, 1].max()
    height = bottom - top
    y0, y1 = bottom + 0.15 * height, bottom + 1.3 * height
    # a margin left of the zone's edge, as the detector's boxes have one: where the address
    # label was found in a box of its own the zone starts at the value's first ink, and a
    # last line "1室" read from there lost its 1 (PP-OCRv6 detector, ID front 100036 scan)
    x0 = max(0.0, bounds[0] * CARD_W - PROBE_MARGIN * height)
    x1 = min(bounds[1] * CARD_W, x0 + PROBE_CHARS * height)
    if y1 > bounds[3] * CARD_H:
        # the band reaches the number's row: on some layouts a short last line ("4室") is
        # printed left of the number, level with it (check 1600440). Read only the columns
        # left of the number's first digit, if a line of two characters fits there.
        clear = None if number is None else float(number[:, 0].min()) - PROBE_GAP * height
        if clear is None or clear - x0 < 2 * height:
            return None
        x1 = min(x1, clear)
    crop = crop_box(card.image, x0, y0, x1, y1)
    line = engine.recognize([crop])[0]
    if line.probs is None:
        return None
    line = greedy_decode(line.probs, engine.charset, alphabet(engine.charset, ADDRESS_CHARS))
    if not line.text or line.min_prob < 0.8 or _NUMBER_LABEL.search(line.text):
        return None
    zone.quads.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32))
    return line


def _parse_birth(text: str, number_birth: str | None = None) -> str:
    """The birth date as read. The month and day are printed without leading zeros, so with
    月 unread ('1967621') the digits after the year split more than one way: a split that
    makes a calendar date is taken, the one the sound ID number repeats where two do
    (1962年123日: 01-23 or 12-03). The digits are the recogniser's; only the split is chosen."""
    m = re.search(r"(\d{4})年?(\d{1,2})月?(\d{1,2})日?", text)
    if not m:
        return ""
    y, mo, d = m.groups()
    read = f"{y}-{int(mo):02d}-{int(d):02d}"
    run = re.fullmatch(r"\D*(\d{4})年?(\d{2,4})日?\D*", text)  # no 月 between month and day
    if run is None:
        return read
    digits = run[2]
    splits = [f"{run[1]}-{int(digits[:k]):02d}-{int(digits[k:]):02d}" for k in (1, 2)
              if 1 <= len(digits) - k <= 2 and digits[k] != "0"]
    real = [s for s in splits if parse_date(s) is not None]
    if number_birth in real:
        return str(number_birth)
    return read if read in real or not real else real[0]


def _cross_check_front(reading: Reading) -> None:
    let_number_decide(reading)
    f = reading.fields
    number = text_value(f["number"])
    birth_n = birth_from_number(number) if len(number) == 18 else None
    sex_n = sex_from_number(number) if len(number) == 18 else None
    reading.checks.update({
        "number": number_ok(number),
        "birth": bool(birth_n) and birth_n == f["birth"].value and parse_date(f["birth"].value) is not None,
        "sex": bool(sex_n) and sex_n == f["sex"].value,
    })


# -- a temporary card's data side (cn_temporary.py) ----------------------------------------

def _read_temporary(card: Card, side: str, engine: OcrEngine) -> Reading:
    """Every field is on the data side: the front's fields, or with side=back the authority
    and the validity, from the same zones. A front reading reads the validity too, in the
    same batch, for the interim signal (quality/interim.py): Reading.meta carries the span in
    days, not the dates."""
    zones, rows = cn_temporary.zones(card)
    keys: tuple[str, ...] = ("authority", "validity") if side == "back" else (
        "name", "sex", "ethnicity", "birth", "address", "number", "validity")
    z = read_zones(card, engine, {k: zones[k] for k in keys}, rows, max_lines={**FRONT_MAX_LINES, **BACK_MAX_LINES})
    if side == "back":
        reading = back_fields(z, engine.charset, temporary=True)
        start, end = reading.fields["valid_from"].value, reading.fields["valid_to"].value
    else:
        reading = _front_fields(card, engine, z, zones)
        v = decode_zone(z["validity"], engine.charset, DIGITS + ".-长期")
        start, end = joint_temporary(v) or parse_validity(v.text)
    reading.meta[LAYOUT] = TEMPORARY
    d_from, d_to = parse_date(str(start)), parse_date(str(end))
    if d_from is not None and d_to is not None:
        reading.meta[VALIDITY_DAYS] = str((d_to - d_from).days)
    return reading


# The detector's input for the straightened card (the pipeline's default is 736, see
# vision.orient): the card's text is large, and the PP-OCRv6 small detector costs ~1.5x
# PP-OCRv4 mobile's time at the same size. Paired in one process (models4 code, the detector
# swapped), fields right, v4 at 736 / v6 at 736 / v6 at 576: dev 1500000..1500040 (50 cards,
# scan photo small layout) 222 / 222 / 222 of 228, check 1400000..1400060 (75 cards)
# 336 / 336 / 335 of 339; median time per card v6 576 / v4 736 0.83 (dev), 0.91 (check).
DET_SIDE = 576

DOCUMENT = DocumentType(
    name=NAME, sides=SIDES, fields=FIELDS, checks=CHECKS,
    classify_side=classify_side, read=read, portrait=portrait_quad, det_side=DET_SIDE,
)
