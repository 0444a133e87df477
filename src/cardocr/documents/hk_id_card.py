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
purpose and come back as printed).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass

import numpy as np

from ..ocr.ctc import alphabet, best_of, char_index, greedy_decode, sequence_log_prob
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..vision.geometry import crop_box
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from .contract import DocumentType
from .checks.hkid import chars_for_code, hong_kong_name_chars, is_valid_hkid, telegraph_code

NAME = "hk-id-card"
SIDES = ("front",)
FIELDS = {
    "front": ("name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code",
              "permanent", "initial_issue_date", "issue_date"),
}
# number: the check digit holds; dates: birth <= first issue <= issue, all real dates
CHECKS = {"front": ("number", "dates")}
NAME_MARGIN = 8.0  # log-likelihood a name the telegraph codes propose may trail the raw reading by

# large portrait, (x0, x1, y0, y1) card fractions, per generation
PORTRAIT = {"2018": (0.035, 0.335, 0.30, 0.93), "2003": (0.655, 0.955, 0.27, 0.90)}

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECS = {
    "number": UPPER + DIGITS + "()",
    "issue_date": DIGITS + "-() ",  # the 2003 card prints it beside the (MM-YY) first issue
    "initial_issue_date": DIGITS + "-()",
    "birth": DIGITS + "-男女MF ",
    "symbols": UPPER + "*",
    "telegraph": DIGITS + " ",
    "name_en": UPPER + UPPER.lower() + ", -'",
}
LABEL_WORDS = ("出生", "日期", "簽發", "签发", "Date", "Birth", "Issue", "香港", "HONG", "KONG",
               "IDENTITY", "身份", "居民")

RE_NUMBER = re.compile(r"[A-Z]{1,2}\d{6}\(?[0-9A]\)?")
RE_NUMBER_LOOSE = re.compile(r"[A-Z0-9]{1,2}\d{6}\([0-9A]\)?")  # the letter misread as a digit
RE_ISSUE = re.compile(r"(?<![\d(])\d{2}-\d{2}-\d{2}(?![\d)])")
RE_INITIAL = re.compile(r"\(\d{2}-\d{2}\)")
RE_BIRTH = re.compile(r"\d{2}-\d{2}-\d{4}")
RE_TELEGRAPH = re.compile(r"^\d{4}(?: ?\d{4}){0,4}$")
RE_NAME_EN = re.compile(r"^[A-Z][A-Z' -]*,\s*[A-Za-z' -]+$")
RE_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z' -]{2,}$")
RE_CJK = re.compile(r"^[\u3400-\u9fff]{1,6}$")


def classify_side(card: Card, engine: OcrEngine) -> tuple[str, float]:
    return "front", 1.0


def portrait_quad(reading: Reading) -> np.ndarray | None:
    x0, x1, y0, y1 = PORTRAIT[reading.meta.get("layout", "2018")]
    return np.float32([[x0 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y0 * CARD_H],
                       [x1 * CARD_W, y1 * CARD_H], [x0 * CARD_W, y1 * CARD_H]])


_FOLD = str.maketrans({"，": ",", "（": "(", "）": ")", "－": "-", "＊": "*", "：": ":"})


@dataclass
class _Seen:
    line: Line
    box: tuple[float, float, float, float]  # card pixels

    @property
    def text(self) -> str:
        """The raw reading with full-width punctuation folded, for telling roles apart."""
        return self.line.text.translate(_FOLD)

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2 / CARD_H

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2 / CARD_W

    @property
    def quad(self) -> np.ndarray:
        x0, y0, x1, y1 = self.box
        return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


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
    seen = _recognise(card, engine, [b for b in boxes if b not in later])
    reading = _read_fields(card, seen, engine)
    if later and _incomplete(reading):
        reading = _read_fields(card, seen + _recognise(card, engine, later), engine)
    return reading


def _read_fields(card: Card, seen: list[_Seen], engine: OcrEngine) -> Reading:
    charset = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    title = [s for s in seen if s.cy < 0.25 and _is_title(s.text)]
    number_s = _pick(seen, lambda t: RE_NUMBER.search(t.replace(" ", "")), prefer_y=0.9)
    if number_s is None:
        number_s = _pick(seen, lambda t: RE_NUMBER_LOOSE.search(t.replace(" ", "")), prefer_y=0.9,
                         min_y=0.5, role="number", charset=charset)
    if number_s is None and not title:
        # neither the card's number nor its title: not a Hong Kong identity card
        return Reading(NAME, "front", {name: Field("", 0.0) for name in FIELDS["front"]})
    used = {id(s) for s in title}

    # -- number ------------------------------------------------------------------------
    number, number_conf = "", 0.0
    if number_s is not None:
        used.add(id(number_s))
        number, number_conf = _read_number(number_s.line, charset)
    fields["number"] = Field(number, number_conf, number_s.quad if number_s else None)

    # -- dates -------------------------------------------------------------------------
    birth_s = _pick(seen, lambda t: RE_BIRTH.search(t), used=used, role="birth", charset=charset)
    birth, sex, birth_conf, sex_conf = "", "", 0.0, 0.0
    if birth_s is not None:
        used.add(id(birth_s))
        # the sex may sit in a box of its own to the right of the date
        mates = [m for m in _row_mates(seen, birth_s, used) if len(m.text.replace(" ", "")) <= 3]
        used.update(id(m) for m in mates)
        birth, sex, birth_conf, sex_conf = _read_birth_sex([birth_s.line] + [m.line for m in mates], charset)
        if birth and not sex:  # 女 F / 男 M too faint for the detector: read where it must be
            x0, y0, x1, y1 = birth_s.box
            h = y1 - y0
            crop = crop_box(card.image, x1 - 0.1 * h, y0 - 0.12 * h, min(CARD_W, x1 + 4.5 * h), y1 + 0.12 * h)
            extra = engine.recognize([crop])[0]
            _, sex, _, sex_conf = _read_birth_sex([Line("00-00-0000", [1.0] * 10)], charset,
                                                  extra=[extra])
    fields["birth_date"] = Field(birth, birth_conf, birth_s.quad if birth_s else None)
    fields["sex"] = Field(sex, sex_conf, birth_s.quad if birth_s else None)

    init_s = _pick(seen, lambda t: RE_INITIAL.search(t.replace(" ", "")), used=used,
                   role="initial_issue_date", charset=charset)
    initial, initial_conf = "", 0.0
    if init_s is not None:
        used.add(id(init_s))
        initial, initial_conf = _read_pattern(init_s.line, charset, "initial_issue_date", RE_INITIAL)

    # the 2003 card prints the issue date on the first-issue line: that line may hold both
    issue_s = _pick(seen, lambda t: RE_ISSUE.search(RE_INITIAL.sub("", t.replace(" ", ""))),
                    used=used - {id(init_s)}, prefer_y=0.9, role="issue_date", charset=charset)
    issue, issue_conf = "", 0.0
    if issue_s is not None:
        used.add(id(issue_s))
        issue, issue_conf = _read_pattern(issue_s.line, charset, "issue_date", RE_ISSUE,
                                             after=RE_INITIAL)
    fields["initial_issue_date"] = Field(initial, initial_conf, init_s.quad if init_s else None)
    fields["issue_date"] = Field(issue, issue_conf, issue_s.quad if issue_s else None)

    # -- names, codes, symbols ----------------------------------------------------------
    tele_s = _pick(seen, lambda t: RE_TELEGRAPH.match(t.strip()) and len(t.replace(" ", "")) % 4 == 0,
                   used=used, prefer_y=0.4)
    codes, tele_probs = [], []
    if tele_s is not None:
        used.add(id(tele_s))
        codes, tele_probs = _read_telegraph(tele_s.line, charset)

    en_s = _pick(seen, lambda t: RE_NAME_EN.match(t.strip()), used=used, prefer_y=0.33)
    if en_s is None:  # the comma lost: a line of Latin letters in the name rows
        en_s = _pick(seen, lambda t: RE_LATIN_NAME.match(t.strip()) and not _is_label(t), used=used,
                     prefer_y=0.33, min_y=0.2, max_y=0.5)
    name_en, en_conf = "", 0.0
    if en_s is not None:
        used.add(id(en_s))
        ln = _decode(en_s.line, charset, "name_en")
        name_en, en_conf = _tidy_name_en(ln), _conf(ln)
        if "," not in ln.text:
            en_conf = round(en_conf * 0.5, 4)
    fields["name_en"] = Field(name_en, en_conf, en_s.quad if en_s else None)

    zh_s = _pick(seen, lambda t: RE_CJK.match(t.strip()) and not _is_label(t), used=used,
                 prefer_y=0.25, max_y=0.45)
    name, name_conf = "", 0.0
    if zh_s is not None:
        used.add(id(zh_s))
        name, name_conf, codes, tele_conf = _name_and_codes(zh_s.line, charset, codes, tele_probs, reading)
    else:
        tele_conf = min(tele_probs) if tele_probs else 0.0
    fields["name"] = Field(name, name_conf, zh_s.quad if zh_s else None)
    fields["name_telegraph_code"] = Field(" ".join(codes), round(tele_conf, 4), tele_s.quad if tele_s else None)

    # symbols: the line right below the birth line
    below = (birth_s.cy + 0.03, birth_s.cy + 0.13) if birth_s is not None else (0.55, 0.75)
    sym_s = _pick(seen, lambda t: 2 <= len(t.replace(" ", "")) <= 9 and "-" not in t
                  and not _is_label(t), used=used,
                  prefer_y=sum(below) / 2, min_y=below[0], max_y=below[1])
    symbols, sym_conf = "", 0.0
    if sym_s is not None:
        used.add(id(sym_s))
        symbols, sym_conf = _read_symbols(sym_s.line, charset, _adult_at_issue(birth, issue))
    fields["symbols"] = Field(symbols, sym_conf, sym_s.quad if sym_s else None)

    permanent, perm_conf = _permanent(title, charset)
    fields["permanent"] = Field(permanent, perm_conf, title[0].quad if title else None)

    reading.meta["layout"] = _layout([s for s in (birth_s, tele_s, init_s) if s is not None])
    _cross_check(reading)
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
    lower = [b for b in boxes if 0.45 * CARD_H < (b[1] + b[3]) / 2 < 0.85 * CARD_H]
    if not lower:
        return "2018"
    left = sum(1 for b in lower if b[0] < 0.22 * CARD_W)
    return "2003" if 2 * left >= len(lower) else "2018"


# rows of the printed labels (card fractions) and the x range a label box spans, per generation
LABEL_ROWS = {"2003": ((0.49, 0.56), (0.71, 0.775)), "2018": ((0.49, 0.555), (0.70, 0.77))}
LABEL_X = {"2003": ((0.0, 0.12), (0.19, 0.30)), "2018": ((0.34, 0.44), (0.52, 0.66))}  # x0 range, x1 range


def _deferred(box: tuple[float, float, float, float], layout: str) -> bool:
    """A box that holds no field where it sits: the 2018 oval number (it repeats the number
    without its check digit), the English title (the Chinese one says the same), a label."""
    x0, y0, x1, y1 = box[0] / CARD_W, box[1] / CARD_H, box[2] / CARD_W, box[3] / CARD_H
    cy = (y0 + y1) / 2
    if layout == "2018" and x0 > 0.68 and 0.16 <= cy <= 0.30:
        return True
    if 0.11 <= cy <= 0.19 and x1 - x0 > 0.25:
        return True
    (a0, a1), (b0, b1) = LABEL_X[layout]
    return any(r0 <= cy <= r1 for r0, r1 in LABEL_ROWS[layout]) and a0 <= x0 <= a1 and b0 <= x1 <= b1


NEEDED = ("number", "birth_date", "sex", "symbols", "initial_issue_date", "issue_date", "name_en")


def _incomplete(reading: Reading) -> bool:
    f = reading.fields
    return any(not f[k].value for k in NEEDED) or f["permanent"].confidence < CONFIDENT


def _recognise(card: Card, engine: OcrEngine, boxes: list[tuple[float, float, float, float]]) -> list[_Seen]:
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = 0.12 * (y1 - y0)
        crops.append(crop_box(card.image, x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    # a card's lines run from one character to the whole card: batch only similar widths
    lines = engine.recognize(crops, similar_width=1.4) if crops else []
    return [_Seen(ln, b) for ln, b in zip(lines, boxes)]


def _pick(seen: list[_Seen], fits, used: set[int] | None = None, prefer_y: float | None = None,
          max_y: float = 1.0, min_y: float = 0.0, role: str | None = None,
          charset: list[str] | None = None) -> _Seen | None:
    """The line whose text fits a role; among several, the one nearest the preferred row,
    then the most confident. When no raw reading fits and a role is named, the lines are
    re-decoded under the role's alphabet and tried again (a '-' read as '=' in a date)."""
    pool = [s for s in seen if (used is None or id(s) not in used) and min_y <= s.cy <= max_y]
    cands = [s for s in pool if fits(s.text)]
    if not cands and role is not None and charset is not None:
        cands = [s for s in pool if fits(_decode(s.line, charset, role).text)]
    if not cands:
        return None
    return min(cands, key=lambda s: (abs(s.cy - prefer_y) if prefer_y is not None else 0.0, -s.line.score))


def _row_mates(seen: list[_Seen], anchor: _Seen, used: set[int]) -> list[_Seen]:
    """Unused boxes on the same text row, right of the anchor."""
    h = anchor.box[3] - anchor.box[1]
    return sorted((s for s in seen if id(s) not in used and s is not anchor
                   and abs(s.cy - anchor.cy) * CARD_H < 0.5 * h and s.cx > anchor.cx + 0.02),
                  key=lambda s: s.box[0])


def _decode(line: Line, charset: list[str], role: str) -> Line:
    if line.probs is None:
        return line
    return greedy_decode(line.probs, charset, alphabet(charset, _name_spec() if role == "name" else SPECS[role]))


@functools.cache
def _name_spec() -> str:
    """A name the card prints with telegraph codes is written in characters of the code book:
    this alphabet keeps the recogniser's simplified forms (阳 for 陽) out."""
    return "".join(sorted(hong_kong_name_chars()))


def _conf(line: Line, chars: slice | None = None) -> float:
    probs = line.char_probs[chars] if chars is not None else line.char_probs
    return round(float(min(probs)), 4) if probs else 0.0


def _span_conf(line: Line, start: int, end: int) -> float:
    return _conf(line, slice(start, end))


# -- fields ------------------------------------------------------------------------------

def _read_number(line: Line, charset: list[str]) -> tuple[str, float]:
    """`C668668(E)` as printed. When the check digit fails, a character read without confidence
    may change to an alternative the recogniser offered, if that makes the check hold."""
    ln = _decode(line, charset, "number")
    m = RE_NUMBER.search(ln.text)
    if not m:
        ln = _letter_prefix(ln, charset)
        m = RE_NUMBER.search(ln.text)
    if not m:
        return ln.text, round(_conf(ln) * 0.5, 4)
    s, e = m.span()
    text, probs, alts = ln.text[s:e], ln.char_probs[s:e], ln.alternatives[s:e]
    body = [(c, p, a) for c, p, a in zip(text, probs, alts) if c not in "()"]
    printed = _format_number("".join(c for c, _, _ in body))
    conf = min(p for _, p, _ in body)
    if is_valid_hkid(printed):
        return printed, _boost(conf)
    # try changing up to two uncertain characters
    uncertain = [i for i, (_, p, _) in enumerate(body) if p < CONFIDENT]
    chars = [c for c, _, _ in body]
    best: tuple[float, str] | None = None
    for k in (1, 2):
        for pos in itertools.combinations(uncertain, k):
            options = [[(a, pa) for a, pa in body[i][2] if a != chars[i] and a not in "()"] for i in pos]
            for combo in itertools.product(*options):
                trial = chars[:]
                score = 1.0
                for i, (a, pa) in zip(pos, combo):
                    trial[i] = a
                    score *= pa / max(body[i][1], 1e-6)
                cand = _format_number("".join(trial))
                if is_valid_hkid(cand) and (best is None or score > best[0]):
                    best = (score, cand)
        if best is not None:
            return best[1], round(min(conf, 0.85), 4)
    return printed, round(conf * 0.6, 4)


def _letter_prefix(ln: Line, charset: list[str]) -> Line:
    """Seven digits before the parenthesis: the number starts with a letter, so its first
    character is a letter the recogniser misread as a digit (Z→2, S→5, B→8). The letter the
    pixels support best takes its place, with its share of the likelihood as probability."""
    m = re.match(r"^\d(\d{6}\(?[0-9A]\)?)", ln.text)
    if not m or ln.probs is None:
        return ln
    rest = ln.text[1:]
    best, share = best_of(ln.probs, charset, [a + rest for a in UPPER])
    if not best:
        return ln
    return Line(text=best, char_probs=[share] + ln.char_probs[1:], probs=ln.probs,
                alternatives=[[(best[0], share)]] + ln.alternatives[1:])


def _format_number(raw: str) -> str:
    """Letters+6 digits+check → `L123456(C)`; anything else comes back as read."""
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})([0-9A])", raw)
    return f"{m.group(1)}{m.group(2)}({m.group(3)})" if m else raw


def _read_birth_sex(lines: list[Line], charset: list[str], extra: list[Line] | None = None
                    ) -> tuple[str, str, float, float]:
    """`03-06-1985 女 F`: the date, then the sex printed twice (the second part may come as
    boxes of its own, `lines[1:]`, or from a crop read on purpose, `extra`)."""
    lines = lines + (extra or [])
    ln = _decode(lines[0], charset, "birth")
    m = RE_BIRTH.search(ln.text)
    if not m:
        return "", "", 0.0, 0.0
    birth, birth_conf = m.group(0), _span_conf(ln, *m.span())
    tail = list(zip(ln.text[m.end():], ln.char_probs[m.end():]))
    for extra in lines[1:]:
        e = _decode(extra, charset, "birth")
        tail += list(zip(e.text, e.char_probs))
    # each half of 女 F / 男 M votes with its probability
    votes = {"F": 0.0, "M": 0.0}
    for c, p in tail:
        if c in "女F":
            votes["F"] += p
        elif c in "男M":
            votes["M"] += p
    total = votes["F"] + votes["M"]
    if total == 0 and lines[0].probs is not None:
        # nothing read after the date: the pixels choose between the two printed forms
        forms = {"M": ("男M", "男 M", "M"), "F": ("女F", "女 F", "F")}
        words = [birth + sep + f for k in forms for f in forms[k] for sep in ("", " ")]
        best, share = best_of(lines[0].probs, charset, words)
        if best:
            sex = "F" if best.endswith("F") else "M"
            return birth, sex, birth_conf, round(min(share, 0.8), 4)
    if total == 0:
        return birth, "", birth_conf, 0.0
    sex = "F" if votes["F"] >= votes["M"] else "M"
    sex_conf = votes[sex] / total * min(1.0, total)
    return birth, sex, birth_conf, round(sex_conf, 4)


def _read_pattern(line: Line, charset: list[str], role: str, pattern: re.Pattern,
                  after: re.Pattern | None = None) -> tuple[str, float]:
    """The first match of `pattern` in the line re-decoded for its role (past a match of
    `after`, when given), and its confidence."""
    ln = _decode(line, charset, role)
    start = 0
    if after is not None:
        a = after.search(ln.text)
        start = a.end() if a else 0
    m = pattern.search(ln.text, start)
    if not m:
        return "", 0.0
    return m.group(0), _span_conf(ln, *m.span())


BIRTHPLACE = "ZXWO"  # the last symbol: born in Hong Kong, the Mainland, Macao, elsewhere
# stars, reported changes (B birth, N name), then the status (A right of abode, R right to
# land, C / U limited stay; C also marks a permanent resident first registered with a limited
# stay), then the place of birth
RE_SYMBOLS = re.compile(r"\*{0,3}[BN]{0,2}(?:C?[AR]|[CU])[ZXWO]")
STAR_PRIOR = {  # how many stars a card carries: *** for adults, * for 11-17 year olds
    True: (0.07, 0.02, 0.06, 0.85),
    False: (0.10, 0.85, 0.025, 0.025),
    None: (0.10, 0.20, 0.10, 0.60),
}


def _read_symbols(line: Line, charset: list[str], adult: bool | None = None) -> tuple[str, float]:
    """`***AZ`: up to three stars, then letters; a star never follows a letter. At this size
    a star is easily read as a letter (W, X, A, O, R), so whatever stands before the last star
    was a star, and so may be the letters after it that were read without confidence (one
    letter always stays: the place of birth). The pixels settle where the letters start and
    how many stars (0-3, at least as many as characters were taken for stars) precede them,
    by likelihood with the age-at-issue prior; the letters
    are read as they are, except a last letter read without confidence that names no place of
    birth (Z, X, W, O): the pixels choose which of the four it is. Among these candidates,
    those the card's conventions allow (`RE_SYMBOLS`) are preferred."""
    ln = _decode(line, charset, "symbols")
    text = ln.text
    if not text or line.probs is None:
        return text, _conf(ln)
    last_star = text.rfind("*")
    lead = last_star + 1 if last_star >= 0 else len(text) - len(text.lstrip("WX"))
    starts = [lead]
    while starts[-1] < len(text) - 1 and ln.char_probs[starts[-1]] < CONFIDENT:
        starts.append(starts[-1] + 1)
    index = char_index(charset)
    prior = STAR_PRIOR.get(adult, STAR_PRIOR[None])
    words, scores, tail_confs = [], [], []
    for j in starts:
        tails = [text[j:]]
        if text[-1] not in BIRTHPLACE and ln.char_probs[-1] < CONFIDENT:
            # the last letter says where the holder was born: one of four
            tails += [text[j:-1] + b for b in BIRTHPLACE]
        for tail in tails:
            if not all(c in index for c in tail + "*"):
                continue
            for k in range(min(3, j), 4):  # what stands before the letters was stars
                words.append("*" * k + tail)
                scores.append(sequence_log_prob(line.probs, [index[c] for c in words[-1]]) + np.log(prior[k]))
                tail_confs.append(min(ln.char_probs[j:], default=1.0))
    if not words:
        return text, _conf(ln)
    valid = [i for i, w in enumerate(words) if RE_SYMBOLS.fullmatch(w)]
    if valid:  # what the card's conventions allow, when any candidate is
        words, scores, tail_confs = ([x[i] for i in valid] for x in (words, scores, tail_confs))
    scores_a = np.array(scores)
    share_all = np.exp(scores_a - scores_a.max())
    share_all /= share_all.sum()
    k = int(np.argmax(scores_a))
    best, conf = words[k], min(float(share_all[k]), tail_confs[k])
    if best != text:
        conf = min(conf, CONFIDENT - 0.05)  # the grammar chose, not the reading alone
    return best, round(conf, 4)


def _read_telegraph(line: Line, charset: list[str]) -> tuple[list[str], list[float]]:
    """Four-digit groups; the spaces between them are not trusted (the detector's crop may
    squeeze them), the digit count is."""
    ln = _decode(line, charset, "telegraph")
    digits = [(c, p) for c, p in zip(ln.text, ln.char_probs) if c.isdigit()]
    if not digits or len(digits) % 4:
        return [], []
    codes = ["".join(c for c, _ in digits[i:i + 4]) for i in range(0, len(digits), 4)]
    probs = [min(p for _, p in digits[i:i + 4]) for i in range(0, len(digits), 4)]
    return codes, probs


def _name_and_codes(line: Line, charset: list[str], codes: list[str], code_probs: list[float],
                    reading: Reading) -> tuple[str, float, list[str], float]:
    """The Chinese name and its telegraph codes, each checked against the other. Returns
    name, its confidence, codes, their confidence."""
    ln = _decode(line, charset, "name")
    name, probs = ln.text, ln.char_probs
    if not name:
        return "", 0.0, codes, round(min(code_probs), 4) if code_probs else 0.0
    name_codes = [telegraph_code(c) for c in name]
    code_conf = min(code_probs) if code_probs else 0.0
    if codes and name_codes == codes:
        both = _boost(min(min(probs), code_conf))
        return name, both, codes, both
    # Where a name character disagrees with its code and was read without confidence, the
    # code proposes the characters it stands for (a traditional form and its simplified
    # twin share codes); the pixels choose among them. The choice must stay close to what
    # was read, so a misread code cannot pull in an unrelated character.
    if codes and len(codes) == len(name) and line.probs is not None:
        options, changed = [], False
        for c, p, code in zip(name, probs, codes):
            alts = [a for a in chars_for_code(code) if a in hong_kong_name_chars()]
            if telegraph_code(c) != code and p < CONFIDENT and alts:
                options.append(alts)
                changed = True
            else:
                options.append([c])
        if changed:
            words = ["".join(w) for w in itertools.product(*options)][:64]
            index = char_index(charset)
            words = [w for w in words if all(ch in index for ch in w)]
            if words:
                best, share = best_of(line.probs, charset, words)
                raw_lp = sequence_log_prob(line.probs, [index[c] for c in name]) if all(
                    c in index for c in name) else -np.inf
                best_lp = sequence_log_prob(line.probs, [index[c] for c in best])
                if best_lp >= raw_lp - NAME_MARGIN:
                    reading.corrections.append(("name", "agrees with the telegraph codes"))
                    ok = [telegraph_code(c) for c in best] == codes
                    conf = min(share, code_conf, CONFIDENT - 0.01) if ok else 0.3
                    return best, round(conf, 4), codes, round(min(code_conf, CONFIDENT - 0.01), 4)
    # where the name is sure and a code is not, the name's own code stands in
    if all(k is not None for k in name_codes) and min(probs) >= CONFIDENT:
        if len(codes) == len(name) and all(k == c or cp < CONFIDENT
                                           for k, c, cp in zip(name_codes, codes, code_probs)):
            reading.corrections.append(("name_telegraph_code", "agrees with the Chinese name"))
            return name, _boost(min(probs)), list(name_codes), CONFIDENT - 0.01  # type: ignore[arg-type]
    # disagreement nobody can settle: both as read, neither vouched for
    return name, round(min(probs) * 0.6, 4), codes, round(code_conf * 0.6, 4)


def _tidy_name_en(ln: Line) -> str:
    """`SURNAME, Given Names`: the surname in capitals, each given name capitalised. The
    convention settles the case only of letters read without confidence (y/Y, o/O, s/S look
    alike at this size); a capital right after a small letter in the given names marks a
    space the crop squeezed out."""
    out = []
    comma_seen, word_start = False, True
    for c, p in zip(ln.text, ln.char_probs):
        if c == ",":
            comma_seen, word_start = True, True
        elif c in " -'":
            word_start = True
        elif c.isalpha():
            if p < CONFIDENT:
                c = c.upper() if (not comma_seen or word_start) else c.lower()
            if comma_seen and c.isupper() and out and out[-1].islower():
                out.append(" ")
            word_start = False
        out.append(c)
    text = re.sub(r"\s+", " ", "".join(out)).strip(" ,")
    return re.sub(r"\s*,\s*", ", ", text)


def _is_title(text: str) -> bool:
    t = text.upper().replace(" ", "")
    return "香港" in text or "HONGKONG" in t or "IDENTITY" in t or "身份證" in text


def _is_label(text: str) -> bool:
    return any(w in text for w in LABEL_WORDS)


TITLES = {  # permanent?: the title as printed, with and without the spaces a reading may drop
    True: ("香港永久性居民身份證", "HONG KONG PERMANENT IDENTITY CARD", "HONGKONGPERMANENTIDENTITYCARD"),
    False: ("香港居民身份證", "HONG KONG IDENTITY CARD", "HONGKONGIDENTITYCARD"),
}


def _permanent(title: list[_Seen], charset: list[str]) -> tuple[bool, float]:
    """From the card's title (香港永久性居民身份證 / HONG KONG PERMANENT IDENTITY CARD or the
    shorter non-permanent one): each title line votes for the title the pixels support best,
    weighted by how sure it is."""
    score = {True: 0.0, False: 0.0}
    lines = 0
    for s in title:
        if s.line.probs is None:
            continue
        zh = any("\u3400" <= c <= "\u9fff" for c in s.text)
        words = [w for flag in (True, False) for w in TITLES[flag] if (w[0] == "香") == zh]
        best, share = best_of(s.line.probs, charset, words)
        if not best:
            continue
        flag = best in TITLES[True]
        score[flag] += share
        score[not flag] += 1.0 - share
        lines += 1
    if not lines:
        return False, 0.0
    permanent = score[True] > score[False]
    return permanent, round(score[permanent] / lines, 4)


def _layout(anchors: list[_Seen]) -> str:
    """The 2018 card prints its data lines right of the large portrait (x ≈ 0.4); the 2003
    card prints them from the left edge, with the portrait on the right."""
    if not anchors:
        return "2018"
    left = float(np.median([s.box[0] / CARD_W for s in anchors]))
    return "2003" if left < 0.3 else "2018"


def _boost(p: float) -> float:
    """A reading that also passes its check is more trustworthy than its weakest character
    says: the check would have caught most misreads."""
    return round(1.0 - (1.0 - p) * 0.2, 4)


def _cross_check(reading: Reading) -> None:
    """Dates must be real and ordered: birth ≤ first issue ≤ issue. A failure lowers the
    confidence of the least certain of the dates involved; nothing is rewritten."""
    f = reading.fields
    birth = _date(f["birth_date"].value, "%d-%m-%Y")
    issue = _issue(f["issue_date"].value)
    initial = _initial(f["initial_issue_date"].value, issue)
    for name, value in (("birth_date", birth), ("initial_issue_date", initial), ("issue_date", issue)):
        if f[name].value and value is None:
            f[name].confidence = round(f[name].confidence * 0.5, 4)
    order = [(n, v) for n, v in (("birth_date", birth), ("initial_issue_date", initial),
                                 ("issue_date", issue)) if v is not None]
    for (n1, v1), (n2, v2) in zip(order, order[1:]):
        if v1 > v2:
            weak = n1 if f[n1].confidence < f[n2].confidence else n2
            f[weak].confidence = round(f[weak].confidence * 0.5, 4)
    reading.checks.update({
        "number": is_valid_hkid(f["number"].value),
        "dates": len(order) == 3 and order[0][1] <= order[1][1] <= order[2][1],
    })


def _adult_at_issue(birth: str, issue: str) -> bool | None:
    b, i = _date(birth, "%d-%m-%Y"), _issue(issue)
    if b is None or i is None:
        return None
    return (i.year - b.year - ((i.month, i.day) < (b.month, b.day))) >= 18


def _date(text: str, fmt: str):
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _initial(text: str, issue: dt.date | None):
    """`(MM-YY)` → the first day of that month, in the latest century not after the issue."""
    m = re.fullmatch(r"\((\d{2})-(\d{2})\)", text)
    if not m:
        return None
    mo, yy = int(m.group(1)), int(m.group(2))
    limit = issue.year if issue else dt.date.today().year
    year = 2000 + yy if 2000 + yy <= limit else 1900 + yy
    return _date(f"01-{mo:02d}-{year}", "%d-%m-%Y")


def _issue(text: str):
    m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    yy = int(m.group(3))
    year = 2000 + yy if yy < 70 else 1900 + yy
    return _date(f"{m.group(1)}-{m.group(2)}-{year}", "%d-%m-%Y")



DOCUMENT = DocumentType(
    name=NAME, sides=SIDES, fields=FIELDS, checks=CHECKS,
    classify_side=classify_side, read=read, portrait=portrait_quad,
    boolean_fields=frozenset({"permanent"}),
)
