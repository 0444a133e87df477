"""Mainland China resident identity card (second generation), front and back.

Layout (fractions of the card, from the published specimen): the front prints labels in a
left column and values from x≈0.18; ethnicity shares the sex row at x≈0.42; the portrait
fills the right third; the 18-character number runs along the bottom from x≈0.36. The back
carries the national emblem top-left, the title top-right, and two rows — issuing authority
and validity period — with values from x≈0.38.

Validation chooses among the recogniser's uncertain readings; it never replaces a character
read with confidence (specimen cards fail their check character on purpose and must come
back as printed, with the failed check reported).
"""

from __future__ import annotations

import re

import numpy as np

from ..ocr.ctc import alphabet, char_index, greedy_decode, sequence_log_prob
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from . import cn_temporary
from .base import (
    Span,
    ZoneText,
    anchor_shift,
    choose_number,
    closed_choice,
    decode_line,
    decode_zone,
    let_number_decide,
    line_conf,
    number_ok,
    read_name,
    read_zones,
    shifted,
    strip_label,
    text_value,
)
from .checks import ETHNIC_GROUPS, birth_from_number, group_after_label, parse_date, sex_from_number
from .checks.address import choose_prefix
from .checks.authority import similar_authorities
from .cn_validity import joint_temporary, joint_validity, parse_validity
from .contract import DocumentType
from .identify import ANOTHER_DOCUMENT
from .identify import identify as identify_lines
from .landmarks import Zone, column_labels, fit_rows, values_right_of

NAME = "id-card"
SIDES = ("front", "back")
FIELDS = {
    "front": ("name", "sex", "birth", "ethnicity", "address", "number"),
    "back": ("authority", "valid_from", "valid_to"),
}
# number: check character, known region, real birth date; birth / sex: agree with the number;
# dates: a real start before the end (or 长期); validity_span: 5, 10 or 20 years to the day
CHECKS = {
    "front": ("number", "birth", "sex"),
    "back": ("dates", "validity_span"),
}
AUTHORITY_MARGIN = 6.0  # log-likelihood an authority name may trail the raw reading by
# Reading.meta: the layout read ("temporary": a temporary card's data side) and, on it, the
# printed validity period's length in days
LAYOUT, TEMPORARY, VALIDITY_DAYS = "layout", "temporary", "validity_days"


class Layout:
    """Where things are printed, as fractions of the card, from the published specimen (see
    the module docstring)."""

    # (x0, x1, y0, y1): x0 sits between the printed label and the value, cutting labels away
    FRONT_ZONES = {
        "name": (0.155, 0.62, 0.08, 0.22),
        "sex": (0.155, 0.29, 0.22, 0.35),
        "ethnicity": (0.385, 0.62, 0.22, 0.35),
        "birth": (0.155, 0.62, 0.35, 0.48),
        "address": (0.155, 0.63, 0.48, 0.79),
        "number": (0.33, 0.99, 0.79, 0.97),
    }
    # (y0, y1): the row read when the detector found no line in a zone
    FRONT_ROWS = {"name": (0.10, 0.21), "sex": (0.23, 0.33), "ethnicity": (0.23, 0.33),
                  "birth": (0.36, 0.47), "number": (0.80, 0.93)}
    BACK_ZONES = {
        "authority": (0.365, 0.99, 0.65, 0.80),
        "validity": (0.365, 0.99, 0.80, 0.96),
    }
    BACK_ROWS = {"authority": (0.68, 0.78), "validity": (0.81, 0.92)}
    # the printed labels (landmarks.py) and their centre rows on the template: the centres
    # of the rows above (the address: its first line). The number row has its own anchor.
    FRONT_LABEL_ROWS = {"name": 0.155, "sex": 0.28, "birth": 0.415, "address": 0.545}
    BACK_LABEL_ROWS = {"authority": 0.73, "validity": 0.865}
    # the label column: the front's labels start at ~0.06 of the card (the specimen ~0.08),
    # its values at ~0.18; the back's labels at ~0.20, its values at ~0.38
    FRONT_LABEL_MAX_X0 = 0.13
    BACK_LABEL_MAX_X0 = 0.30
    # a two-character label alone is at most ~0.09 of the card wide (a four-character one
    # ~0.16); a box holding a value too is wider
    LABEL_ALONE_W = 0.13
    BACK_LABEL_ALONE_W = 0.19
    LABEL_GAP = 0.005  # a value starts this far right of a label box of its own
    # the layout's anchors, each the widest line below its y_min whose right end passes 0.6
    NUMBER_ROW_Y = 0.86  # centre of the number line on the front
    NUMBER_ROW_MIN_Y = 0.68
    VALIDITY_ROW_Y = 0.86  # centre of the validity line on the back
    VALIDITY_ROW_MIN_Y = 0.78
    ANCHOR_CLAMP = 0.06  # the layout moves by at most this much
    PORTRAIT = (0.60, 0.94, 0.10, 0.80)  # x0, x1, y0, y1
    # the back's title: wider than BACK_TITLE_MIN_W, centred above BACK_TITLE_MAX_Y and
    # right of the middle, where the front has its portrait and no text
    BACK_TITLE_MAX_Y = 0.45
    BACK_TITLE_MIN_W = 0.25
    # another document's title (a licence's, a Hong Kong card's) is a line this wide this
    # high up; neither ID side prints one that another document's landmarks name
    TITLE_MAX_Y = 0.3
    TITLE_MIN_W = 0.3


DIGITS = "0123456789"
ADDRESS_CHARS = "{cjk}0123456789-()（）·"


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
        reading = _read_back(card, engine) if side == "back" else _read_front(card, engine)
    if not _plausible(reading):
        other = _titled_as_another(card, engine)
        if other:  # nothing read, and the pipeline told whose card it is (it answers "no card")
            reading = Reading(NAME, side, {name: Field("", 0.0) for name in FIELDS[side]})
            reading.meta[ANOTHER_DOCUMENT] = other
    return reading


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

def _anchor_shift(card: Card, expected_y: float, y_min: float) -> float:
    """Vertical offset of the layout, from the widest line in the lower part of the card
    (the number on the front, the validity period on the back): a straightening that is a
    few percent off moves every row, and this line is long enough to find reliably."""

    def long_and_low(s: Span) -> bool:
        return s.cy > y_min and s.x1 > 0.6 and s.width >= 0.25

    return anchor_shift(card, expected_y, long_and_low, lambda s, spans: s.width, Layout.ANCHOR_CLAMP)


def _front_zones(card: Card, dy: float
                 ) -> tuple[dict[str, Zone], dict[str, tuple[float, float]]]:
    """The front's zones on this card. The number row follows its own line (dy); the rows
    above it follow the printed labels where they are found (landmarks.RowFit), else the
    number's shift too. A label in a box of its own also says where its value starts."""
    labels = column_labels(card, ("name", "sex", "birth", "address"), Layout.FRONT_LABEL_MAX_X0,
                           0.0, Layout.NUMBER_ROW_MIN_Y, Layout.LABEL_ALONE_W)
    fit = fit_rows(labels, Layout.FRONT_LABEL_ROWS)
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


FRONT_MAX_LINES = {"name": 1, "sex": 1, "ethnicity": 1, "birth": 1, "number": 1, "address": 4}
BACK_MAX_LINES = {"authority": 2, "validity": 1}


def _read_front(card: Card, engine: OcrEngine) -> Reading:
    dy = _anchor_shift(card, Layout.NUMBER_ROW_Y, Layout.NUMBER_ROW_MIN_Y)
    zones, rows = _front_zones(card, dy)
    z = read_zones(card, engine, zones, rows, max_lines=FRONT_MAX_LINES)
    return _front_fields(card, engine, z, zones)


def _front_fields(card: Card, engine: OcrEngine, z: dict[str, ZoneText], zones: dict[str, Zone]) -> Reading:
    """The front's fields from its zones' lines, whichever layout placed the zones."""
    cs = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    fields["name"] = read_name(z["name"], cs, reading)

    # nothing printed (a blank or wrong card) stays empty; otherwise the likelier of the two
    sex, sex_conf = closed_choice(z["sex"], cs, ["男", "女"]) if decode_zone(z["sex"], cs, "男女").text else ("", 0.0)
    fields["sex"] = Field(sex, sex_conf, z["sex"].quad)

    eth_read = decode_zone(z["ethnicity"], cs, "{cjk}")
    eth, eth_conf = eth_read.text, line_conf(eth_read)
    # the label's tail (族, or a misread of it) merged into the value's box: the group is
    # what follows it
    group = group_after_label(eth)
    if group:
        eth = group
    elif eth and eth not in ETHNIC_GROUPS and eth_read.min_prob < CONFIDENT:
        choice, share = closed_choice(z["ethnicity"], cs, list(ETHNIC_GROUPS))
        if choice:
            eth, eth_conf = choice, min(share, eth_conf if eth_read.text else share)
            reading.corrections.append(("ethnicity", "closed list of 56 ethnic groups"))
    fields["ethnicity"] = Field(eth, eth_conf, z["ethnicity"].quad)

    birth_line = decode_zone(z["birth"], cs, DIGITS + "年月日")
    birth = _parse_birth(birth_line.text)
    fields["birth"] = Field(birth, line_conf(birth_line), z["birth"].quad)

    # addresses are printed in Chinese with Arabic numerals; no Latin letters
    addr_lines = [decode_line(ln, cs, ADDRESS_CHARS) for ln in z["address"].lines]
    tail = _probe_next_line(card, engine, z["address"], zones["address"])
    if tail is not None:
        addr_lines.append(tail)
    address = strip_label("".join(ln.text for ln in addr_lines).replace(" ", ""), "住址")
    if addr_lines and address.startswith(addr_lines[0].text.replace(" ", "")):  # no label left
        start, chosen = choose_prefix(addr_lines[0], cs)
        if chosen:
            address = start + address[len(addr_lines[0].text.replace(" ", "")):]
            reading.corrections.append(("address", "division names"))
    fields["address"] = Field(address, float(np.mean([line_conf(ln) for ln in addr_lines])) if addr_lines else 0.0,
                              z["address"].quad)

    number_line = decode_zone(z["number"], cs, DIGITS + "X")
    number, number_conf = choose_number(number_line, reading)
    fields["number"] = Field(number, number_conf, z["number"].quad)

    _cross_check_front(reading)
    return reading


def _probe_next_line(card: Card, engine: OcrEngine, zone: ZoneText,
                     bounds: tuple[float, float, float, float]) -> Line | None:
    """The detector can miss a last address line of one or two characters ("1", "室"):
    read the band one line pitch below the last line found, and keep it only if the
    recogniser is sure of it."""
    if not zone.quads or len(zone.quads) >= 3:
        return None
    top, bottom = zone.quads[-1][:, 1].min(), zone.quads[-1][:, 1].max()
    height = bottom - top
    y0, y1 = bottom + 0.15 * height, bottom + 1.3 * height
    if y1 > bounds[3] * CARD_H:
        return None
    crop = crop_box(card.image, bounds[0] * CARD_W, y0, bounds[1] * CARD_W, y1)
    line = engine.recognize([crop])[0]
    if line.probs is None:
        return None
    line = greedy_decode(line.probs, engine.charset, alphabet(engine.charset, ADDRESS_CHARS))
    if not line.text or line.min_prob < 0.8:
        return None
    zone.quads.append(np.array([[bounds[0] * CARD_W, y0], [bounds[1] * CARD_W, y0],
                                [bounds[1] * CARD_W, y1], [bounds[0] * CARD_W, y1]], np.float32))
    return line


def _parse_birth(text: str) -> str:
    m = re.search(r"(\d{4})年?(\d{1,2})月?(\d{1,2})日?", text)
    if not m:
        return ""
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


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


# -- back ----------------------------------------------------------------------------------

def _back_zones(card: Card) -> tuple[dict[str, Zone], dict[str, tuple[float, float]]]:
    """The back's two rows from their printed labels where found (landmarks.RowFit), else
    from the validity line (the widest low line); a label in a box of its own also says
    where its value starts."""
    labels = column_labels(card, ("authority", "validity"), Layout.BACK_LABEL_MAX_X0, Layout.BACK_TITLE_MAX_Y,
                           1.0, Layout.BACK_LABEL_ALONE_W)
    fit = fit_rows(labels, Layout.BACK_LABEL_ROWS)
    if fit is None:
        dy = _anchor_shift(card, Layout.VALIDITY_ROW_Y, Layout.VALIDITY_ROW_MIN_Y)
        zones, rows = shifted(Layout.BACK_ZONES, dy), shifted(Layout.BACK_ROWS, dy)
    else:
        zones, rows = fit.zones(Layout.BACK_ZONES), fit.rows(Layout.BACK_ROWS)
    values_right_of(zones, labels, Layout.LABEL_GAP)
    return zones, rows


def _read_back(card: Card, engine: OcrEngine) -> Reading:
    zones, rows = _back_zones(card)
    z = read_zones(card, engine, zones, rows, max_lines=BACK_MAX_LINES)
    return _back_fields(z, engine.charset)


def _back_fields(z: dict[str, ZoneText], cs: list[str], temporary: bool = False) -> Reading:
    """The authority and the validity period from their zones' lines. A temporary card's
    period runs three months (cn_temporary.span_ok), a permanent card's 5, 10 or 20 years."""
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "back", fields)
    issue_lines = [decode_line(ln, cs, "{cjk}()（）") for ln in z["authority"].lines]
    issue = strip_label("".join(ln.text for ln in issue_lines).replace(" ", ""), "签发机关")
    issue_conf = float(np.mean([line_conf(ln) for ln in issue_lines])) if issue_lines else 0.0
    if len(issue_lines) == 1 and issue and issue_lines[0].min_prob < CONFIDENT:
        issue, issue_conf = _choose_authority(issue_lines[0], issue, issue_conf, cs, reading)
    fields["authority"] = Field(issue, issue_conf, z["authority"].quad)
    v = decode_zone(z["validity"], cs, DIGITS + ".-长期")
    start, end = parse_validity(v.text)
    joint = joint_temporary(v) if temporary else joint_validity(v)
    if joint and joint != (start, end):
        start, end = joint
        reading.corrections.append(("validity", "dates read together: three months on" if temporary
                                    else "dates read together: same day, 5/10/20 years on"))
    conf = line_conf(v)
    fields["valid_from"] = Field(start, conf, z["validity"].quad)
    fields["valid_to"] = Field(end, conf, z["validity"].quad)
    d_from, d_to = parse_date(start), parse_date(end) if end != "长期" else None
    reading.checks["dates"] = d_from is not None and (end == "长期" or (d_to is not None and d_to > d_from))
    span_ok = False
    if temporary:
        span_ok = d_from is not None and d_to is not None and cn_temporary.span_ok(d_from, d_to)
    elif d_from is not None and d_to is not None:
        span_ok = (d_to.month, d_to.day) == (d_from.month, d_from.day) and d_to.year - d_from.year in (5, 10, 20)
    elif d_from is not None and end == "长期":
        span_ok = True
    reading.checks["validity_span"] = span_ok
    return reading


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
        reading = _back_fields(z, engine.charset, temporary=True)
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


def _choose_authority(line: Line, text: str, conf: float, charset: list[str],
                      reading: Reading) -> tuple[str, float]:
    """An uncertain authority reading is compared with the real authority names that share its
    characters (from the division table); a name is taken only if the pixels support it
    nearly as well as the raw reading and it keeps every confidently read character."""
    index = char_index(charset)
    prefix = line.text[: len(line.text) - len(text)]  # label residue the crop still holds
    sure = {c for c, p in zip(line.text, line.char_probs) if p >= CONFIDENT} - set(prefix)

    def logp(s: str) -> float:
        if line.probs is None or not all(c in index for c in s):
            return -np.inf
        return sequence_log_prob(line.probs, [index[c] for c in prefix + s])

    base = logp(text)
    best, best_lp = text, base
    for cand in similar_authorities(text):
        if cand == text or not sure <= set(cand):
            continue
        lp = logp(cand)
        if lp > best_lp or (best == text and lp > base - AUTHORITY_MARGIN):
            best, best_lp = cand, lp
    if best != text:
        reading.corrections.append(("authority", "known issuing authority"))
        return best, round(min(conf, float(np.exp((best_lp - base) / max(len(best), 1)))), 4)
    return text, conf


DOCUMENT = DocumentType(
    name=NAME, sides=SIDES, fields=FIELDS, checks=CHECKS,
    classify_side=classify_side, read=read, portrait=portrait_quad,
)
