"""What every document module shares: zone reading, line decoding, the layout's anchor and
the Mainland ID number that the ID card and the driving licence both print.

A document module describes *where* its fields sit on the canonical card (as fractions of the
card's width and height) and *what* they may contain; `read_zones` turns that into pixels,
using the text detector's boxes to find the exact line and the zone's edges to cut away
printed labels that the detector merged into the same box. `anchor_shift` moves the whole
layout to where one long printed line was actually found.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import cv2
import numpy as np

from ..ocr.ctc import alphabet, best_of, greedy_decode
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from .checks import (
    birth_from_number,
    candidates_repairing_check,
    is_valid_check,
    region_known,
    sex_from_number,
)
from .checks.address import with_division_names
from .checks.names import customary_given_name, name_weight
from .checks.surnames import choose_surname
from .checks.traditional import in_gb2312, traditional_forms
from .seen import record as record_seen

# corrections that complete part of a free-text field from a list, among readings the
# recogniser was unsure of: the rest of the value was read from the same pixels, so
# cardocr.confidence sends such a field to review (evidence.contradicted)
GUESS_SURNAME = "closed list of surnames"
GUESS_COMMON_FORM = "simplified characters of GB 2312"
GUESS_DIVISIONS = "division names"
GUESS_NAME_CUSTOMS = "characters given names bear"
GUESSES = frozenset({GUESS_SURNAME, GUESS_COMMON_FORM, GUESS_DIVISIONS, GUESS_NAME_CUSTOMS})


def group_lines(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Merge boxes that sit on the same text line (vertical overlap) into one box per line."""
    lines: list[list[float]] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        for ln in lines:
            overlap = min(ln[3], b[3]) - max(ln[1], b[1])
            if overlap > 0.5 * min(ln[3] - ln[1], b[3] - b[1]):
                ln[0], ln[1] = min(ln[0], b[0]), min(ln[1], b[1])
                ln[2], ln[3] = max(ln[2], b[2]), max(ln[3], b[3])
                break
        else:
            lines.append(list(b))
    return [tuple(ln) for ln in sorted(lines, key=lambda ln: ln[1])]  # type: ignore[misc]


def box_quad(b: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = b
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


@dataclass
class ZoneText:
    lines: list[Line]
    quads: list[np.ndarray]

    @property
    def quad(self) -> np.ndarray | None:
        """One quad around all lines of the zone."""
        if not self.quads:
            return None
        pts = np.concatenate(self.quads)
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def read_zones(
    card: Card,
    engine: OcrEngine,
    zones: dict[str, tuple[float, float, float, float]],
    fallback_rows: dict[str, tuple[float, float]] | None = None,
    max_lines: dict[str, int] | None = None,
    similar_width: float | None = None,
    squeeze: dict[str, float] | None = None,
    min_width: int = 0,
) -> dict[str, ZoneText]:
    """Recognise every zone in one batch. `zones`: name → (x0, x1, y0, y1) as card fractions.
    `similar_width`, `min_width`: passed to engine.recognize (how crops are batched and padded).
    `squeeze`: zone name → factor its crops' width is scaled by before recognition.

    A zone with no detected text falls back to its nominal row band (`fallback_rows`), so a
    faint line the detector missed is still read rather than silently dropped.
    """
    jobs: list[tuple[str, tuple[float, float, float, float]]] = []
    fallback: set[str] = set()
    for name, (x0, x1, y0, y1) in zones.items():
        lines = group_lines(card.boxes_in(x0, x1, y0, y1))
        if max_lines and name in max_lines:
            lines = lines[: max_lines[name]]
        if not lines and fallback_rows and name in fallback_rows:
            r0, r1 = fallback_rows[name]
            lines = [(x0 * CARD_W, r0 * CARD_H, x1 * CARD_W, r1 * CARD_H)]
            fallback.add(name)
        for ln in lines:
            jobs.append((name, ln))
    crops = []
    for name, (x0, y0, x1, y1) in jobs:
        pad = 0.12 * (y1 - y0)
        crop = crop_box(card.image, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        if squeeze and name in squeeze and crop.shape[1] > 8:
            crop = cv2.resize(crop, (max(2, round(crop.shape[1] * squeeze[name])), crop.shape[0]),
                              interpolation=cv2.INTER_AREA)
        crops.append(crop)
    results = engine.recognize(crops, similar_width, min_width) if crops else []
    out: dict[str, ZoneText] = {name: ZoneText([], []) for name in zones}
    for (name, box), line in zip(jobs, results):
        out[name].lines.append(line)
        out[name].quads.append(box_quad(box))
        record_seen(line, box, zones[name], name in fallback)  # evidence for cardocr.confidence
    return out


# -- decoding a zone's line, shared by the document modules ---------------------------------

def strip_label(text: str, label: str) -> str:
    """Drop the tail of a printed label that the detector merged into the value's box
    (the zone edge cuts most of it away; a character or two can survive)."""
    for k in range(len(label), 0, -1):
        if text.startswith(label[-k:]) and len(text) > k:
            return text[k:]
    return text


def read_name(zone: ZoneText, charset: list[str], reading: Reading, label: str = "姓名",
              customs: bool = True) -> Field:
    """A Mainland name: CJK and the middle dot, a label's tail dropped, a first character
    that is no surname and was read without confidence chosen from the surnames the pixels
    support (checks.surnames), and, with `customs` (not for a holder the card says is of
    another people), the given name's characters read without confidence chosen as names
    bear them (checks.names)."""
    read_as = decode_zone(zone, charset, "{cjk}·")
    line = common_forms(read_as)
    if line is not read_as:
        reading.corrections.append(("name", GUESS_COMMON_FORM))
    if customs and "·" not in line.text and strip_label(line.text, label) == line.text:
        customary = customary_given_name(line)
        if customary is not line:
            reading.corrections.append(("name", GUESS_NAME_CUSTOMS))
            line = customary
    value = strip_label(line.text, label)
    if value == line.text:
        value, chosen = choose_surname(line, charset)
        if chosen:
            reading.corrections.append(("name", GUESS_SURNAME))
    return Field(value, line_conf(line), zone.quad)


def read_divisions(lines: list[Line], address: str, charset: list[str], reading: Reading) -> str:
    """A Mainland address whose uncertain start is chosen among the division names
    (checks.address.with_division_names), the choice recorded as a guess."""
    address, chosen = with_division_names(lines, address, charset)
    if chosen:
        reading.corrections.append(("address", GUESS_DIVISIONS))
    return address


def common_forms(line: Line) -> Line:
    """A Mainland card prints simplified characters. A character outside GB 2312 (瑤, 暁: a
    traditional or Japanese form) read without confidence gives way to the likeliest of the
    recogniser's alternatives that is in it (瑶, 晓); a rarer character read with confidence
    stays (堃 and 喆 are printed in names, and GB 2312 lacks them), and so does one read
    unsure that is no traditional form and that names bear more than that alternative
    (checks.names: dev 1300108's 高健堃, 堃 read unsure, had become 高健堕)."""
    chars, probs = list(line.text), list(line.char_probs)
    for i, (ch, p) in enumerate(zip(chars, probs)):
        if p >= CONFIDENT or in_gb2312(ch) or i >= len(line.alternatives):
            continue
        alt = next(((a, q) for a, q in line.alternatives[i] if a != ch and in_gb2312(a)), None)
        if alt is not None and (ch in traditional_forms() or name_weight(alt[0]) >= name_weight(ch)):
            chars[i], probs[i] = alt
    if chars == list(line.text):
        return line
    return Line("".join(chars), probs, line.probs, line.quad, line.alternatives)


def decode_zone(zone: ZoneText, charset: list[str], spec: str) -> Line:
    """Re-decode a zone's first line under a restricted alphabet (see ctc.alphabet)."""
    if not zone.lines:
        return Line(text="", char_probs=[])
    return decode_line(zone.lines[0], charset, spec)


def decode_line(line: Line, charset: list[str], spec: str) -> Line:
    if line.probs is None:
        return line
    return greedy_decode(line.probs, charset, alphabet(charset, spec))


def closed_choice(zone: ZoneText, charset: list[str], words: list[str]) -> tuple[str, float]:
    """The word of a closed list the zone's first line supports best, and its share."""
    if not zone.lines or zone.lines[0].probs is None:
        return "", 0.0
    return best_of(zone.lines[0].probs, charset, words)


def line_conf(line: Line) -> float:
    """A line is as trustworthy as its least certain character."""
    return round(line.min_prob, 4) if line.char_probs else 0.0


# -- where the layout sits ------------------------------------------------------------------

# a zone (x0, x1, y0, y1) or a row (y0, y1), as card fractions
Box = TypeVar("Box", tuple[float, float, float, float], tuple[float, float])


def shifted(zones: dict[str, Box], dy: float) -> dict[str, Box]:
    """Zones or rows, moved down by dy."""
    return {k: _moved(v, dy) for k, v in zones.items()}


def _moved(v: Any, dy: float) -> Any:
    return (v[0], v[1], v[2] + dy, v[3] + dy) if len(v) == 4 else (v[0] + dy, v[1] + dy)


class Span(NamedTuple):
    """A detected box as fractions of the card."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def box_spans(card: Card) -> list[Span]:
    """The detector's boxes as card fractions, in the detector's order."""
    out = []
    for q in card.boxes:
        (x0, y0), (x1, y1) = q.min(axis=0) / (CARD_W, CARD_H), q.max(axis=0) / (CARD_W, CARD_H)
        out.append(Span(x0, y0, x1, y1))
    return out


def anchor_shift(card: Card, expected_y: float, accept: Callable[[Span], bool],
                 rank: Callable[[Span, list[Span]], Any], clamp: float) -> float:
    """Vertical offset of the layout, from one long printed line (the anchor): a
    straightening that is a few percent off moves every row, and a long line is found
    reliably. Of the boxes `accept` admits, the one `rank` puts highest (the first of equals;
    `rank` also sees every box, to look for a label beside it) is the anchor; its centre row
    against `expected_y`, kept within +-`clamp`. No anchor, no shift."""
    spans = box_spans(card)
    best, best_key = None, None
    for s in spans:
        if accept(s):
            key = rank(s, spans)
            if best is None or key > best_key:
                best, best_key = s, key
    if best is None:
        return 0.0
    return float(np.clip(best.cy - expected_y, -clamp, clamp))


# -- the Mainland ID number (the ID card's number, the licence's 证号) -----------------------

def number_ok(n: str, extra_regions: Container[str] = ()) -> bool:
    """An 18-character ID number that holds together: its check character, a real birth
    date and a known region code (or one of `extra_regions`)."""
    if len(n) != 18 or not is_valid_check(n) or birth_from_number(n) is None:
        return False
    return n[:6] in extra_regions or region_known(n[:6])


def choose_number(line: Line, reading: Reading, extra_regions: Container[str] = (),
                  drop_stray_digit: bool = False) -> tuple[str, float]:
    """The number as read, unless up to two characters read without confidence can be
    changed to make the check character, region and birth date all hold (see number_ok).
    `drop_stray_digit`: a 19th character at either end is a label fragment read as a digit,
    and the end read with less confidence is dropped."""
    text, conf = line.text, line_conf(line)
    if drop_stray_digit and len(text) == 19 and line.char_probs:
        k = 0 if line.char_probs[0] < line.char_probs[-1] else 18
        if number_ok(text[:k] + text[k + 1:], extra_regions) or not number_ok(text, extra_regions):
            text = text[:k] + text[k + 1:]
            alts = line.alternatives[:k] + line.alternatives[k + 1:]
            line = Line(text, line.char_probs[:k] + line.char_probs[k + 1:], line.probs, None, alts)
    if len(text) != 18 or number_ok(text, extra_regions):
        return text, conf
    for cand, _p in candidates_repairing_check(line.alternatives, max_changes=2, confident=CONFIDENT):
        if number_ok(cand, extra_regions):
            reading.corrections.append(("number", "check character with uncertain digits"))
            return cand, conf * 0.9
    return text, conf


def text_value(field: Field) -> str:
    """The value of a field that holds text, which is every field but a flag (the Hong Kong
    card's `permanent`, a bool)."""
    if not isinstance(field.value, str):
        raise TypeError(f"not a text field: {field.value!r}")
    return field.value


def let_number_decide(reading: Reading, extra_regions: Container[str] = ()) -> bool:
    """The number repeats the birth date and sex: when it is sound and read with confidence,
    it decides the `birth` and `sex` fields wherever they were read without confidence.
    Returns whether the number was trusted."""
    f = reading.fields
    number = f["number"].value
    if not (isinstance(number, str) and number_ok(number, extra_regions)
            and f["number"].confidence >= CONFIDENT):
        return False
    birth_n, sex_n = birth_from_number(number), sex_from_number(number)
    if birth_n and f["birth"].value != birth_n and f["birth"].confidence < CONFIDENT:
        f["birth"] = Field(birth_n, f["birth"].confidence, f["birth"].quad)
        reading.corrections.append(("birth", "agrees with the ID number"))
    if sex_n and f["sex"].value != sex_n and f["sex"].confidence < CONFIDENT:
        f["sex"] = Field(sex_n, f["sex"].confidence, f["sex"].quad)
        reading.corrections.append(("sex", "agrees with the ID number"))
    return True


__all__ = ["CONFIDENT", "Card", "Field", "Reading", "Span", "ZoneText", "anchor_shift", "box_quad",
           "box_spans", "choose_number", "closed_choice", "decode_line", "decode_zone", "group_lines",
           "let_number_decide", "line_conf", "number_ok", "read_zones", "shifted", "strip_label"]
