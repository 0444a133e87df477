"""Hong Kong identity card (smart ID card of 2003 and new smart ID card of 2018), front.

The two generations print the same fields in different places (the 2003 card has its
portrait on the right, the 2018 card on the left, with a ghost portrait on the right), but
every field has a shape of its own: `Z683365(5)`, `26-11-18`, `(06-96)`, `03-06-1985 女 F`,
`***AZ`, `2867 3057 2532`, `LOK, Wing Ching`. So the reader recognises the lines the
detector finds on the straightened card and gives each line the role its text fits, using
the position on the card only to break ties; then it re-decodes each line under the
alphabet of its role. Lines that sit where the generation prints a label, the English title
or the 2018 oval number are read only when the other lines leave a field missing.

What the card repeats is cross-checked: the number's check digit, the Chinese name against
its telegraph codes, and the dates' order (birth ≤ first issue ≤ issue). A check chooses
among the recogniser's uncertain readings and raises or lowers the reported confidence; it
never replaces a character read with confidence (specimen cards fail their check digit on
purpose and come back as printed). The field readers and the checks are in hk_fields.py;
this module finds the lines and gives each its role.
"""

from __future__ import annotations

import numpy as np

from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from .checks.hkid import telegraph_code
from .contract import MISSING_LANDMARKS, DocumentType
from .hk_dates import RE_INITIAL_LOOSE, adult_at_issue, choose_dates, cross_check, read_initial_loose
from .hk_fields import (
    RE_BIRTH,
    RE_CJK,
    RE_INITIAL,
    RE_ISSUE,
    RE_LATIN_NAME,
    RE_NAME_EN,
    RE_NUMBER,
    RE_NUMBER_LOOSE,
    RE_TELEGRAPH,
    decode,
    name_and_codes,
    read_birth_sex,
    read_number,
    read_pattern,
    read_permanent,
    read_telegraph,
)
from .hk_lines import Seen, ink_before_first_character, pick, recognise, row_mates
from .hk_name_en import match_chinese, near_common_name, read_name_en, surname_upper, unvouched_given_name
from .hk_stars import count_stars
from .hk_symbols import read_symbols

NAME = "hk-id-card"
SIDES = ("front",)
FIELDS = {
    "front": ("name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code",
              "permanent", "initial_issue_date", "issue_date"),
}
# number: the check digit holds; dates: birth <= first issue <= issue, all real dates
CHECKS = {"front": ("number", "dates")}


class Layout:
    """Where things are printed, as fractions of the card, per generation ("2003", "2018").
    Where these were measured was not recorded. Positions decide the portrait and which
    boxes are read only when a field is missing; which line holds which field is decided by
    its text (the rows _read_fields prefers for a role only break ties, and stay there)."""

    # large portrait, (x0, x1, y0, y1)
    PORTRAIT = {"2018": (0.035, 0.335, 0.30, 0.93), "2003": (0.655, 0.955, 0.27, 0.90)}
    # rows of the printed labels and the x range a label box spans: (x0 range, x1 range)
    LABEL_ROWS = {"2003": ((0.49, 0.56), (0.71, 0.775)), "2018": ((0.49, 0.555), (0.70, 0.77))}
    LABEL_X = {"2003": ((0.0, 0.12), (0.19, 0.30)), "2018": ((0.34, 0.44), (0.52, 0.66))}
    # the 2018 card's oval number: a box starting right of OVAL_MIN_X0, centred in OVAL_ROWS
    OVAL_MIN_X0 = 0.68
    OVAL_ROWS = (0.16, 0.30)
    ENGLISH_TITLE_ROWS = (0.11, 0.19)  # a box centred here and wider than 0.25
    # the generation, before anything is read: the lower data lines (boxes centred in
    # DATA_ROWS) start left of DATA_LEFT_X0 on the 2003 card, right of its portrait on 2018
    DATA_ROWS = (0.45, 0.85)
    DATA_LEFT_X0 = 0.22
    # and after: the median x0 of the birth, telegraph and first-issue lines
    READ_LEFT_X0 = 0.3


LABEL_WORDS = ("出生", "日期", "簽發", "签发", "Date", "Birth", "Issue", "香港", "HONG", "KONG",
               "IDENTITY", "身份", "居民")


def classify_side(card: Card, engine: OcrEngine) -> tuple[str, float]:
    return "front", 1.0


def portrait_quad(reading: Reading) -> np.ndarray | None:
    x0, x1, y0, y1 = Layout.PORTRAIT[reading.meta.get("layout", "2018")]
    return np.array([[x0 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y0 * CARD_H],
                     [x1 * CARD_W, y1 * CARD_H], [x0 * CARD_W, y1 * CARD_H]], np.float32)


def read(card: Card, side: str, engine: OcrEngine, optional: frozenset[str] = frozenset()) -> Reading:
    """Recognise the lines that can hold a field, give each its role, read the fields.

    Before recognition the boxes' positions already tell the generation, and with it where
    the printed labels (出生日期 Date of Birth, 簽發日期 Date of Issue), the English title and
    the 2018 card's oval number sit: none of them holds a field, so they are read only when
    the first pass leaves a field missing or the title undecided (a card straightened off
    its true frame puts data lines where labels should be)."""
    boxes = _line_boxes(card)
    layout = _box_layout(boxes)
    later = [b for b in boxes if _deferred(b, layout)]
    seen = recognise(card, engine, [b for b in boxes if b not in later])
    reading = _read_fields(card, seen, engine)
    if later and _incomplete(reading):
        reading = _read_fields(card, seen + recognise(card, engine, later), engine)
    return reading


def _read_fields(card: Card, seen: list[Seen], engine: OcrEngine) -> Reading:
    charset = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    title = [s for s in seen if s.cy < 0.25 and _is_title(s.text)]
    number_s = pick(seen, lambda t: RE_NUMBER.search(t.replace(" ", "")), prefer_y=0.9)
    if number_s is None:
        number_s = pick(seen, lambda t: RE_NUMBER_LOOSE.search(t.replace(" ", "")), prefer_y=0.9,
                         min_y=0.5, role="number", charset=charset)
    if number_s is None and not title:
        # neither the card's number nor its title: not a Hong Kong identity card, or an outline
        # that lost both (it must not outrank one that lost either: pipeline._recheck)
        empty = Reading(NAME, "front", {name: Field("", 0.0) for name in FIELDS["front"]})
        empty.meta[MISSING_LANDMARKS] = "title,number"
        return empty
    used = {id(s) for s in title}

    # -- number ------------------------------------------------------------------------
    number, number_conf = "", 0.0
    if number_s is not None:
        used.add(id(number_s))
        number, number_conf = read_number(number_s.line, charset)
    fields["number"] = Field(number, number_conf, number_s.quad if number_s else None)

    # -- dates -------------------------------------------------------------------------
    birth_s = pick(seen, lambda t: RE_BIRTH.search(t), used=used, role="birth", charset=charset)
    birth, sex, birth_conf, sex_conf = "", "", 0.0, 0.0
    if birth_s is not None:
        used.add(id(birth_s))
        # the sex may sit in a box of its own to the right of the date
        mates = [m for m in row_mates(seen, birth_s, used) if len(m.text.replace(" ", "")) <= 3]
        used.update(id(m) for m in mates)
        birth, sex, birth_conf, sex_conf = read_birth_sex([birth_s.line] + [m.line for m in mates], charset)
        if birth and not sex:  # 女 F / 男 M too faint for the detector: read where it must be
            x0, y0, x1, y1 = birth_s.box
            h = y1 - y0
            crop = crop_box(card.image, x1 - 0.1 * h, y0 - 0.12 * h, min(CARD_W, x1 + 4.5 * h), y1 + 0.12 * h)
            extra = engine.recognize([crop])[0]
            _, sex, _, sex_conf = read_birth_sex([Line("00-00-0000", [1.0] * 10)], charset,
                                                 extra=[extra])
    fields["birth_date"] = Field(birth, birth_conf, birth_s.quad if birth_s else None)
    fields["sex"] = Field(sex, sex_conf, birth_s.quad if birth_s else None)

    init_s = pick(seen, lambda t: RE_INITIAL.search(t.replace(" ", "")), used=used,
                   role="initial_issue_date", charset=charset)
    initial, initial_conf = "", 0.0
    if init_s is not None:
        initial, initial_conf = read_pattern(init_s.line, charset, "initial_issue_date", RE_INITIAL)
    elif loose := pick(seen, RE_INITIAL_LOOSE.match, used=used, role="initial_issue_date",
                        charset=charset, min_y=0.5):  # its parentheses read as 1s
        initial, initial_conf = read_initial_loose(loose.line, charset)
        init_s = loose if initial else None
    used.update({id(init_s)} if init_s is not None else set())

    # the 2003 card prints the issue date on the first-issue line: that line may hold both;
    # the 2018 card prints it on the number's row, and the detector may take the row as one
    # line (PP-OCRv6, dev HK 1500038 small: the date was lost)
    issue_s = pick(seen, lambda t: RE_ISSUE.search(RE_INITIAL.sub("", t.replace(" ", ""))),
                    used=used - {id(init_s), id(number_s)}, prefer_y=0.9, role="issue_date",
                    charset=charset)
    issue, issue_conf = "", 0.0
    if issue_s is not None:
        used.add(id(issue_s))
        issue, issue_conf = read_pattern(issue_s.line, charset, "issue_date", RE_ISSUE,
                                         after=RE_INITIAL)
    fields["initial_issue_date"] = Field(initial, initial_conf, init_s.quad if init_s else None)
    fields["issue_date"] = Field(issue, issue_conf, issue_s.quad if issue_s else None)
    choose_dates(reading, {k: s.line for k, s in (("birth_date", birth_s), ("initial_issue_date", init_s),
                                                   ("issue_date", issue_s)) if s is not None}, charset)
    birth, issue = str(fields["birth_date"].value), str(fields["issue_date"].value)

    # -- names, codes, symbols ----------------------------------------------------------
    tele_s = pick(seen, lambda t: RE_TELEGRAPH.match(t.strip()) and len(t.replace(" ", "")) % 4 == 0,
                   used=used, prefer_y=0.4)
    codes: list[str] = []
    tele_probs: list[float] = []
    if tele_s is not None:
        used.add(id(tele_s))
        codes, tele_probs = read_telegraph(tele_s.line, charset)

    # a '.' for the comma or a digit for a letter: the lines are tried again under the
    # name's alphabet before the comma is given up
    en_s = pick(seen, lambda t: RE_NAME_EN.match(surname_upper(t.strip())), used=used, prefer_y=0.33,
                role="name_en", charset=charset)
    if en_s is None:  # the comma lost: a line of Latin letters in the name rows
        en_s = pick(seen, lambda t: RE_LATIN_NAME.match(t.strip()[:1].upper() + t.strip()[1:])
                    and not _is_label(t), used=used, prefer_y=0.33, min_y=0.2, max_y=0.5)
    name_en, en_conf, en_ln = "", 0.0, None
    if en_s is not None:
        used.add(id(en_s))
        ln = en_ln = decode(en_s.line, charset, "name_en")
        name_en, en_conf, chosen = read_name_en(ln, charset)
        if chosen:
            reading.corrections.append(("name_en", "romanisation syllables"))
        if "," not in ln.text:
            en_conf = round(en_conf * 0.5, 4)
    fields["name_en"] = Field(name_en, en_conf, en_s.quad if en_s else None)

    zh_s = pick(seen, lambda t: RE_CJK.match(t.strip()) and not _is_label(t), used=used,
                 prefer_y=0.25, max_y=0.45)
    name, name_conf = "", 0.0
    if zh_s is not None:
        used.add(id(zh_s))
        name, name_conf, codes, tele_conf = name_and_codes(zh_s.line, charset, codes, tele_probs, reading)
    else:
        tele_conf = min(tele_probs) if tele_probs else 0.0
    fields["name"] = Field(name, name_conf, zh_s.quad if zh_s else None)
    # the Chinese name as its telegraph codes confirm it (or read with confidence)
    if en_ln is not None and name and (name_conf >= CONFIDENT or [telegraph_code(c) for c in name] == codes):
        matched = match_chinese(en_ln, name_en, name, charset)
        if matched != name_en:
            fields["name_en"] = Field(matched, round(min(en_conf, CONFIDENT - 0.05), 4), en_s.quad if en_s else None)
            reading.corrections.append(("name_en", "spellings of the Chinese name"))
    if en_ln is not None and near_common_name(en_ln, str(fields["name_en"].value), charset):
        fields["name_en"].evidence["name_near"] = 1.0  # cardocr.confidence: sent to review
    if en_ln is not None and unvouched_given_name(en_ln, str(fields["name_en"].value)):
        fields["name_en"].evidence["name_unvouched"] = 1.0  # likewise
    fields["name_telegraph_code"] = Field(" ".join(codes), round(tele_conf, 4), tele_s.quad if tele_s else None)

    # symbols: the line right below the birth line
    below = (birth_s.cy + 0.03, birth_s.cy + 0.13) if birth_s is not None else (0.55, 0.75)
    sym_s = pick(seen, lambda t: 2 <= len(t.replace(" ", "")) <= 9 and "-" not in t
                  and not _is_label(t), used=used,
                  prefer_y=sum(below) / 2, min_y=below[0], max_y=below[1])
    symbols, sym_conf, stars_off = "", 0.0, 0.0
    if sym_s is not None:
        used.add(id(sym_s))
        seen_stars = count_stars(card.image, sym_s.box)
        symbols, sym_conf = read_symbols(sym_s.line, charset, adult_at_issue(birth, issue),
                                         ink_before_first_character(card, sym_s), seen_stars)
        # the stars counted in the pixels are not those read: a reading confident enough to
        # stand without the count (`**NUZ` at 0.90, three counted) is two reads that disagree
        stars_off = float(bool(symbols) and seen_stars is not None
                          and seen_stars != len(symbols) - len(symbols.lstrip("*")))
    fields["symbols"] = Field(symbols, sym_conf, sym_s.quad if sym_s else None, {"stars_off": stars_off})

    permanent, perm_conf = read_permanent([s.line for s in title], charset)
    fields["permanent"] = Field(permanent, perm_conf, title[0].quad if title else None)

    reading.meta["layout"] = _layout([s for s in (birth_s, tele_s, init_s) if s is not None])
    # the title and the number are printed next to the card's top and bottom edges: a quad
    # that missed a strip of the card loses them first (the pipeline then looks again)
    if missing := [name for name, found in (("title", bool(title)), ("number", number_s is not None)) if not found]:
        reading.meta[MISSING_LANDMARKS] = ",".join(missing)
    cross_check(reading)
    return reading


# -- recognition ------------------------------------------------------------------------

def _line_boxes(card: Card) -> list[tuple[float, float, float, float]]:
    """The detector's boxes as (x0, y0, x1, y1) card pixels, specks dropped."""
    boxes = []
    for q in card.boxes:
        x0, y0 = q.min(axis=0)
        x1, y1 = q.max(axis=0)
        if x1 - x0 < 0.02 * CARD_W or y1 - y0 < 0.025 * CARD_H:
            continue
        boxes.append((float(x0), float(y0), float(x1), float(y1)))
    return boxes


def _box_layout(boxes: list[tuple[float, float, float, float]]) -> str:
    """The generation from where the lower data lines start, before anything is read: the
    2003 card prints them from the left edge, the 2018 card right of its large portrait."""
    top, bottom = Layout.DATA_ROWS
    lower = [b for b in boxes if top * CARD_H < (b[1] + b[3]) / 2 < bottom * CARD_H]
    if not lower:
        return "2018"
    left = sum(1 for b in lower if b[0] < Layout.DATA_LEFT_X0 * CARD_W)
    return "2003" if 2 * left >= len(lower) else "2018"


def _deferred(box: tuple[float, float, float, float], layout: str) -> bool:
    """A box that holds no field where it sits: the 2018 oval number (it repeats the number
    without its check digit), the English title (the Chinese one says the same), a label."""
    x0, y0, x1, y1 = box[0] / CARD_W, box[1] / CARD_H, box[2] / CARD_W, box[3] / CARD_H
    cy = (y0 + y1) / 2
    oval_top, oval_bottom = Layout.OVAL_ROWS
    if layout == "2018" and x0 > Layout.OVAL_MIN_X0 and oval_top <= cy <= oval_bottom:
        return True
    title_top, title_bottom = Layout.ENGLISH_TITLE_ROWS
    if title_top <= cy <= title_bottom and x1 - x0 > 0.25:
        return True
    (a0, a1), (b0, b1) = Layout.LABEL_X[layout]
    return any(r0 <= cy <= r1 for r0, r1 in Layout.LABEL_ROWS[layout]) and a0 <= x0 <= a1 and b0 <= x1 <= b1


NEEDED = ("number", "birth_date", "sex", "symbols", "initial_issue_date", "issue_date", "name_en")


def _incomplete(reading: Reading) -> bool:
    f = reading.fields
    return any(not f[k].value for k in NEEDED) or f["permanent"].confidence < CONFIDENT


# -- title and generation -----------------------------------------------------------------

def _is_title(text: str) -> bool:
    t = text.upper().replace(" ", "")
    return "香港" in text or "HONGKONG" in t or "IDENTITY" in t or "身份證" in text


def _is_label(text: str) -> bool:
    return any(w in text for w in LABEL_WORDS)


def _layout(anchors: list[Seen]) -> str:
    """The 2018 card prints its data lines right of the large portrait (x ≈ 0.4); the 2003
    card prints them from the left edge, with the portrait on the right."""
    if not anchors:
        return "2018"
    left = float(np.median([s.box[0] / CARD_W for s in anchors]))
    return "2003" if left < Layout.READ_LEFT_X0 else "2018"


# The detector's input for the straightened card (the pipeline's default is 736, see
# vision.orient): PP-OCRv6 small costs ~1.5x PP-OCRv4 mobile at one size. Paired in one
# process (detector swapped), fields right v4@736 / v6@736 / v6@640: dev 1500000..1500100
# (115 cards, scan photo small thumb layout) 1131 / 1131 / 1132, check 1400000..1400050
# (63 cards) 623 / 625 / 624; median time per card v6@640 / v4@736 0.93 dev, 1.01 check.
DET_SIDE = 640

DOCUMENT = DocumentType(
    name=NAME, sides=SIDES, fields=FIELDS, checks=CHECKS,
    classify_side=classify_side, read=read, portrait=portrait_quad,
    boolean_fields=frozenset({"permanent"}), det_side=DET_SIDE,
)
