"""Hong Kong identity card (smart ID card of 2003 and new smart ID card of 2018), front.

The two generations print the same fields in different places (the 2003 card has its
portrait on the right, the 2018 card on the left, with a ghost portrait on the right), but
every field has a shape of its own: `Z683365(5)`, `26-11-18`, `(06-96)`, `03-06-1985 女 F`,
`***AZ`, `2867 3057 2532`, `LOK, Wing Ching`. So the reader recognises every line the
detector finds on the straightened card and gives each line the role its text fits, using
the position on the card only to break ties; then it re-decodes each line under the
alphabet of its role.

What the card repeats is cross-checked: the number's check digit, the Chinese name against
its telegraph codes, and the dates' order (birth ≤ first issue ≤ issue). A check chooses
among the recogniser's uncertain readings and raises or lowers the reported confidence; it
never replaces a character read with confidence (specimen cards fail their check digit on
purpose and come back as printed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

import numpy as np

from ..ocr.ctc import alphabet, best_of, greedy_decode
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..vision.geometry import crop_box
from ..vision.locate import CARD_H, CARD_W
from .base import Card, Field, Reading
from .checks.hkid import chars_for_code, is_valid_hkid, telegraph_code

NAME = "hk-id-card"
SIDES = ("front",)
HUAWEI_FIELDS = {
    "front": ("name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code",
              "permanent", "initial_issue_date", "issue_date"),
}
HUAWEI_VERIFICATION: dict[str, tuple[str, ...]] = {}
HUAWEI_CONFIDENCE = True
CONFIDENT = 0.9  # a character read at or above this is never changed by a check

# large portrait, (x0, x1, y0, y1) card fractions, per generation
PORTRAIT = {"2018": (0.035, 0.335, 0.30, 0.93), "2003": (0.655, 0.955, 0.27, 0.90)}

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECS = {
    "number": UPPER + DIGITS + "()",
    "issue_date": DIGITS + "-",
    "initial_issue_date": DIGITS + "-()",
    "birth": DIGITS + "-男女MF ",
    "symbols": UPPER + "*",
    "telegraph": DIGITS + " ",
    "name_en": UPPER + UPPER.lower() + ", -'",
    "name": "{cjk}",
}
LABEL_WORDS = ("出生", "日期", "簽發", "签发", "Date", "Birth", "Issue", "香港", "HONG", "KONG",
               "IDENTITY", "身份", "居民")

RE_NUMBER = re.compile(r"[A-Z]{1,2}\d{6}\(?[0-9A]\)?")
RE_ISSUE = re.compile(r"(?<![\d(])\d{2}-\d{2}-\d{2}(?![\d)])")
RE_INITIAL = re.compile(r"\(\d{2}-\d{2}\)")
RE_BIRTH = re.compile(r"\d{2}-\d{2}-\d{4}")
RE_SYMBOLS = re.compile(r"^\*{1,3}[A-Z]{0,6}$|^[A-Z]{1,2}\*?[A-Z]{0,5}$")
RE_TELEGRAPH = re.compile(r"^\d{4}(?: ?\d{4}){0,4}$")
RE_NAME_EN = re.compile(r"^[A-Z][A-Z' -]*,\s*[A-Za-z' -]+$")
RE_CJK = re.compile(r"^[\u3400-\u9fff]{1,6}$")


def classify_side(card: Card) -> tuple[str, float]:
    return "front", 1.0


def portrait_quad(reading: Reading) -> np.ndarray | None:
    x0, x1, y0, y1 = PORTRAIT[reading.meta.get("layout", "2018")]
    return np.float32([[x0 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y0 * CARD_H],
                       [x1 * CARD_W, y1 * CARD_H], [x0 * CARD_W, y1 * CARD_H]])


@dataclass
class _Seen:
    line: Line
    box: tuple[float, float, float, float]  # card pixels

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


def read(card: Card, side: str, engine: OcrEngine) -> Reading:
    seen = _recognise_all(card, engine)
    charset = engine.charset
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "front", fields)

    title = [s for s in seen if s.cy < 0.25 and _is_title(s.line.text)]
    number_s = _pick(seen, lambda t: RE_NUMBER.search(t.replace(" ", "")), prefer_y=0.9)
    if number_s is None and not title:
        # neither the card's number nor its title: not a Hong Kong identity card
        return Reading(NAME, "front", {name: Field("", 0.0) for name in HUAWEI_FIELDS["front"]})
    used = {id(s) for s in title}

    # -- number ------------------------------------------------------------------------
    number, number_conf = "", 0.0
    if number_s is not None:
        used.add(id(number_s))
        number, number_conf = _read_number(number_s.line, charset)
    fields["number"] = Field(number, number_conf, number_s.quad if number_s else None)

    # -- dates -------------------------------------------------------------------------
    birth_s = _pick(seen, lambda t: RE_BIRTH.search(t), used=used)
    birth, sex, birth_conf, sex_conf = "", "", 0.0, 0.0
    if birth_s is not None:
        used.add(id(birth_s))
        birth, sex, birth_conf, sex_conf = _read_birth_sex(birth_s.line, charset)
    fields["birth_date"] = Field(birth, birth_conf, birth_s.quad if birth_s else None)
    fields["sex"] = Field(sex, sex_conf, birth_s.quad if birth_s else None)

    init_s = _pick(seen, lambda t: RE_INITIAL.search(t.replace(" ", "")), used=used)
    initial, initial_conf = "", 0.0
    if init_s is not None:
        used.add(id(init_s))
        initial, initial_conf = _read_pattern(init_s.line, charset, "initial_issue_date", RE_INITIAL)
    fields["initial_issue_date"] = Field(initial, initial_conf, init_s.quad if init_s else None)

    issue_s = _pick(seen, lambda t: RE_ISSUE.search(t.replace(" ", "")), used=used, prefer_y=0.9)
    issue, issue_conf = "", 0.0
    if issue_s is not None:
        used.add(id(issue_s))
        issue, issue_conf = _read_pattern(issue_s.line, charset, "issue_date", RE_ISSUE)
    fields["issue_date"] = Field(issue, issue_conf, issue_s.quad if issue_s else None)

    # -- names, codes, symbols ----------------------------------------------------------
    tele_s = _pick(seen, lambda t: RE_TELEGRAPH.match(t.strip()) and len(t.replace(" ", "")) % 4 == 0,
                   used=used, prefer_y=0.3)
    codes, tele_probs = [], []
    if tele_s is not None:
        used.add(id(tele_s))
        codes, tele_probs = _read_telegraph(tele_s.line, charset)

    en_s = _pick(seen, lambda t: RE_NAME_EN.match(t.strip()), used=used, prefer_y=0.25)
    name_en, en_conf = "", 0.0
    if en_s is not None:
        used.add(id(en_s))
        ln = _decode(en_s.line, charset, "name_en")
        name_en, en_conf = _tidy_name_en(ln.text), _conf(ln)
    fields["name_en"] = Field(name_en, en_conf, en_s.quad if en_s else None)

    zh_s = _pick(seen, lambda t: RE_CJK.match(t.strip()) and not _is_label(t), used=used,
                 prefer_y=0.2, max_y=0.45)
    name, name_conf = "", 0.0
    if zh_s is not None:
        used.add(id(zh_s))
        name, name_conf, codes, tele_conf = _name_and_codes(zh_s.line, charset, codes, tele_probs, reading)
    else:
        tele_conf = min(tele_probs) if tele_probs else 0.0
    fields["name"] = Field(name, name_conf, zh_s.quad if zh_s else None)
    fields["name_telegraph_code"] = Field(" ".join(codes), round(tele_conf, 4), tele_s.quad if tele_s else None)

    sym_s = _pick(seen, lambda t: RE_SYMBOLS.match(t.replace(" ", "")) and "*" in t, used=used)
    symbols, sym_conf = "", 0.0
    if sym_s is not None:
        used.add(id(sym_s))
        ln = _decode(sym_s.line, charset, "symbols")
        symbols, sym_conf = ln.text, _conf(ln)
    fields["symbols"] = Field(symbols, sym_conf, sym_s.quad if sym_s else None)

    permanent, perm_conf = _permanent(title)
    fields["permanent"] = Field(permanent, perm_conf, title[0].quad if title else None)

    reading.meta["layout"] = _layout([s for s in (birth_s, tele_s, init_s) if s is not None])
    _cross_check(reading)
    return reading


# -- recognition ------------------------------------------------------------------------

def _recognise_all(card: Card, engine: OcrEngine) -> list[_Seen]:
    boxes = []
    for q in card.boxes:
        x0, y0 = q.min(axis=0)
        x1, y1 = q.max(axis=0)
        if x1 - x0 < 0.02 * CARD_W or y1 - y0 < 0.025 * CARD_H:
            continue
        boxes.append((float(x0), float(y0), float(x1), float(y1)))
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = 0.12 * (y1 - y0)
        crops.append(crop_box(card.image, x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    lines = engine.recognize(crops) if crops else []
    return [_Seen(ln, b) for ln, b in zip(lines, boxes)]


def _pick(seen: list[_Seen], fits, used: set[int] | None = None, prefer_y: float | None = None,
          max_y: float = 1.0) -> _Seen | None:
    """The line whose text fits a role; among several, the one nearest the preferred row,
    then the most confident."""
    cands = [s for s in seen if (used is None or id(s) not in used) and s.cy <= max_y and fits(s.line.text)]
    if not cands:
        return None
    return min(cands, key=lambda s: (abs(s.cy - prefer_y) if prefer_y is not None else 0.0, -s.line.score))


def _decode(line: Line, charset: list[str], role: str) -> Line:
    if line.probs is None:
        return line
    return greedy_decode(line.probs, charset, alphabet(charset, SPECS[role]))


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
        return ln.text, _conf(ln) * 0.5
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


def _format_number(raw: str) -> str:
    """Letters+6 digits+check → `L123456(C)`; anything else comes back as read."""
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})([0-9A])", raw)
    return f"{m.group(1)}{m.group(2)}({m.group(3)})" if m else raw


def _read_birth_sex(line: Line, charset: list[str]) -> tuple[str, str, float, float]:
    ln = _decode(line, charset, "birth")
    m = RE_BIRTH.search(ln.text)
    if not m:
        return "", "", 0.0, 0.0
    birth, birth_conf = m.group(0), _span_conf(ln, *m.span())
    rest = ln.text[m.end():]
    # the sex is printed twice, 女 F / 男 M: each half votes with its probability
    votes = {"F": 0.0, "M": 0.0}
    for i, c in enumerate(rest, start=m.end()):
        if c in "女F":
            votes["F"] += ln.char_probs[i]
        elif c in "男M":
            votes["M"] += ln.char_probs[i]
    total = votes["F"] + votes["M"]
    if total == 0:
        return birth, "", birth_conf, 0.0
    sex = "F" if votes["F"] >= votes["M"] else "M"
    sex_conf = votes[sex] / max(total, 1e-6) * min(1.0, total)
    return birth, sex, birth_conf, round(sex_conf, 4)


def _read_pattern(line: Line, charset: list[str], role: str, pattern: re.Pattern) -> tuple[str, float]:
    ln = _decode(line, charset, role)
    m = pattern.search(ln.text)
    if not m:
        return "", 0.0
    return m.group(0), _span_conf(ln, *m.span())


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
    """The Chinese name and its telegraph codes, each checked against the other."""
    ln = _decode(line, charset, "name")
    name, probs = ln.text, ln.char_probs
    name_codes = [telegraph_code(c) for c in name]
    if codes and len(codes) == len(name) and name_codes == codes:
        both = _boost(min(min(probs), min(code_probs)))
        return name, both, codes, both
    # where the codes are sure and a name character is not, the codes choose among the
    # characters they stand for (by how well the pixels support each)
    if codes and len(codes) == len(name) and line.probs is not None:
        options = []
        for c, p, code, cp in zip(name, probs, codes, code_probs):
            alts = chars_for_code(code)
            if telegraph_code(c) != code and p < CONFIDENT and cp >= CONFIDENT and alts:
                options.append(alts)
            else:
                options.append([c])
        words = ["".join(w) for w in itertools.product(*options)][:64]
        if len(words) > 1 or words[0] != name:
            best, share = best_of(line.probs, charset, words + [name])
            if best != name:
                reading.corrections.append(("name", "agrees with the telegraph codes"))
                fixed = [telegraph_code(c) for c in best]
                ok = fixed == codes
                return best, round(min(share, 0.89), 4), codes, round(min(code_probs), 4) if ok else 0.5
    # where the name is sure and a code is not, the name's own code stands in
    if name and all(k is not None for k in name_codes) and min(probs) >= CONFIDENT:
        if len(codes) == len(name) and all(k == c or cp < CONFIDENT
                                           for k, c, cp in zip(name_codes, codes, code_probs)):
            reading.corrections.append(("name_telegraph_code", "agrees with the Chinese name"))
            return name, _boost(min(probs)), list(name_codes), 0.89  # type: ignore[arg-type]
    name_conf = round(min(probs) * 0.7, 4) if probs else 0.0
    return name, name_conf, codes, round(min(code_probs) * 0.7, 4) if code_probs else 0.0


def _tidy_name_en(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,")
    return re.sub(r"\s*,\s*", ", ", text)


def _is_title(text: str) -> bool:
    t = text.upper().replace(" ", "")
    return "香港" in text or "HONGKONG" in t or "IDENTITY" in t or "身份證" in text


def _is_label(text: str) -> bool:
    return any(w in text for w in LABEL_WORDS)


def _permanent(title: list[_Seen]) -> tuple[bool, float]:
    """From the card's title: 香港永久性居民身份證 / HONG KONG PERMANENT IDENTITY CARD."""
    if not title:
        return False, 0.0
    votes = []
    for s in title:
        t = s.line.text.upper().replace(" ", "")
        if "HONGKONG" in t or "IDENTITY" in t:
            votes.append("PERMANENT" in t or "PERMAN" in t)
        if "香港" in s.line.text or "身份" in s.line.text:
            votes.append("永久" in s.line.text)
    if not votes:
        return False, 0.0
    yes = sum(votes)
    permanent = yes * 2 >= len(votes) if yes * 2 != len(votes) else yes > 0
    agree = sum(v == permanent for v in votes) / len(votes)
    conf = 0.99 if agree == 1 and len(votes) >= 2 else 0.9 if agree == 1 else 0.6
    return permanent, conf


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
    initial = _initial(f["initial_issue_date"].value)
    issue = _issue(f["issue_date"].value)
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
        "valid_number": is_valid_hkid(f["number"].value),
        "valid_dates": len(order) == 3 and order[0][1] <= order[1][1] <= order[2][1],
    })


def _date(text: str, fmt: str):
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _initial(text: str):
    """`(MM-YY)` → the first day of that month; two-digit years pivot on 2030."""
    m = re.fullmatch(r"\((\d{2})-(\d{2})\)", text)
    if not m:
        return None
    mo, yy = int(m.group(1)), int(m.group(2))
    year = 2000 + yy if yy < 30 else 1900 + yy
    return _date(f"01-{mo:02d}-{year}", "%d-%m-%Y")


def _issue(text: str):
    m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    yy = int(m.group(3))
    year = 2000 + yy if yy < 70 else 1900 + yy
    return _date(f"{m.group(1)}-{m.group(2)}-{year}", "%d-%m-%Y")

