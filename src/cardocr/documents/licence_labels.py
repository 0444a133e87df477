"""The licence's printed labels as the edges of its values: a value starts where its own line
starts and ends where the next label begins, and never carries label text.

A page from another printer moves its blocks by several percent, so a value can begin left of
the template's edge (the first digit of the 证号 or the 档案编号 was cut away) and a name can run
into the next label (`钟鹏档` from 档案编号). The detector's boxes say where each line really
starts; a box that holds the label and its value together is read whole, with the label's
characters in the alphabet, and cut after them (`after_label`). A line of known length read
short, its box ending early or starting late (a faint or glared end), is read again further
right or left (`read_digits`). The layout's vertical anchor is the labelled number line (`number_anchor`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_W, CONFIDENT, Card, Field, Reading
from ..vision.geometry import crop_box
from .base import Span, ZoneText, anchor_shift, box_spans, decode_line, decode_zone

Zone = tuple[float, float, float, float]  # x0, x1, y0, y1, page fractions

# the labels printed on either page, in the order they are read across a row; a value's tail
# that is the start of one of them is label text the zone's edge did not cut away
LABELS = ("姓名", "性别", "国籍", "住址", "出生日期", "初次领证日期", "准驾车型", "有效期限", "有效起始日期",
          "证号", "档案编号", "记录")


def from_line_start(card: Card, zone: Zone, left_limit: float, min_width: float) -> Zone:
    """The zone starting where its value's own line starts, when that is left of the zone's
    edge (a page printed with its blocks further left would lose the first character to it).
    The line is the widest box of at least `min_width` whose centre lies in the zone's rows
    and that starts between `left_limit` and the zone's edge; it may hold the label too (read
    it with `after_label`)."""
    x0, x1, y0, y1 = zone
    lines = [s for s in box_spans(card) if y0 <= s.cy <= y1 and s.width > min_width
             and left_limit < s.x0 < x0 and s.x1 > x0]
    if not lines:
        return zone
    line = max(lines, key=lambda s: s.width)
    return (line.x0 - 0.005, x1, y0, y1)


def up_to_next_label(card: Card, zone: Zone, label_width: float, min_gap: float) -> Zone:
    """The zone ending where the next label on its row begins (性别 after the name, 档案编号
    after the second page's name): a short box (narrower than `label_width`) inside the zone
    that stands at least `min_gap` right of the box before it. A name the detector split in
    two (wide letter spacing) has a smaller gap than that between a value and the next label."""
    x0, x1, y0, y1 = zone
    row = sorted((s for s in box_spans(card) if y0 <= s.cy <= y1 and s.x1 > x0 and s.x0 < x1), key=lambda s: s.x0)
    for before, s in zip(row, row[1:]):
        if s.width < label_width and s.x0 > x0 + 0.1 and s.x0 - before.x1 >= min_gap:
            return (x0, s.x0 - 0.005, y0, y1)
    return zone


def under_label(card: Card, zone: Zone, label_x_max: float, label_width: float, above: float,
                below: float) -> Zone:
    """The zone starting under the label printed at the top left of its block (the second page's
    记录 above the record's lines), as tall as before: a page printed with that block moved
    against the number row, from which the zone was placed, had its first line's centre above
    the zone (tune 1505177's one-line record read empty, stated 0.9999). The label is the
    topmost short box (narrower than `label_width`) starting left of `label_x_max` whose centre
    lies from `above` over the zone's top to `below` under it; none found: the zone as it was.
    The record's lines start about as far left, but the shortest clause is three times as wide;
    `below` is small, so that a short last line of a record whose label went undetected is not
    taken for it."""
    x0, x1, y0, y1 = zone
    labels = [s for s in box_spans(card) if s.x0 < label_x_max and s.width < label_width
              and y0 - above <= s.cy <= y0 + below and s.height > 0.02]
    if not labels:
        return zone
    label = min(labels, key=lambda s: s.cy)
    return (x0, x1, label.y1, label.y1 + (y1 - y0))


def after_label(line: Line, label: str) -> Line:
    """The line after the last of `label`'s characters read in it (a crop that holds the
    label and its value, decoded with the label's characters in the alphabet)."""
    cut = max((i for i, c in enumerate(line.text) if c in label), default=-1) + 1
    if cut == 0:
        return line
    return Line(line.text[cut:], line.char_probs[cut:], None, line.quad, line.alternatives[cut:])


def strip_next_label(text: str, labels: tuple[str, ...] = LABELS) -> str:
    """A value's tail that is the start of a printed label (`钟鹏档`, `武磊性别`) is that label,
    merged into the value's box: dropped, as long as something is left."""
    for label in labels:
        for k in range(len(label), 0, -1):
            if text.endswith(label[:k]) and len(text) > k:
                return text[:-k]
    return text


def without_next_label(name: Field, label: str, reading: Reading) -> Field:
    """A name whose box ran into the next label on its row (性别, 档案编号) keeps the name."""
    value = name.value if isinstance(name.value, str) else ""
    kept = strip_next_label(value, (label,))
    if kept == value:
        return name
    reading.corrections.append(("name", "the next label's characters dropped"))
    return Field(kept, name.confidence, name.quad)


def split_row(card: Card, zones: dict[str, Zone], key: str, min_gap: float) -> list[str]:
    """The zone `key` as one zone per detected box when its row holds boxes apart by more
    than `min_gap` (the older layout's bottom row: 有效起始日期 <from> and, further right,
    有效期限 6年|10年|长期): read as one crop, the gap and the second label between them
    were misread (`2012-05-13 板` for `2012-05-13 有效期限 长期`). Returns the zones' keys,
    left to right (`key` first)."""
    x0, x1, y0, y1 = zones[key]
    spans = sorted((s for s in box_spans(card) if y0 <= s.cy <= y1 and s.x1 > x0 + 0.012 and s.x0 < x1 - 0.012),
                   key=lambda s: s.x0)
    parts: list[list[float]] = []
    for s in spans:
        if parts and s.x0 < parts[-1][1] + min_gap:
            parts[-1][1] = max(parts[-1][1], s.x1)
        else:
            parts.append([s.x0, s.x1])
    if len(parts) < 2:
        return [key]
    keys = [key] + [f"{key}#{i}" for i in range(1, len(parts))]
    for k, (a, b) in zip(keys, parts):
        zones[k] = (max(x0, a - 0.005), min(x1, b + 0.005), y0, y1)
    return keys


TAIL_ROOM = 0.3  # of a box's height


def with_tail_room(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """The detector's boxes, each reaching TAIL_ROOM of its height further right: a box that
    ends at the last character's last stroke lost it to the recogniser (`2029-03-0`, a file
    number's twelfth digit). The zones' edges still cut what they cut."""
    out = []
    for q in boxes:
        q = q.astype(np.float32).copy()
        h = float(q[:, 1].max() - q[:, 1].min())
        right = q[:, 0] >= np.median(q[:, 0])
        q[right, 0] += TAIL_ROOM * h
        out.append(q)
    return out


def without_tail_room(zones: dict[str, ZoneText]) -> dict[str, ZoneText]:
    """The zones' quads as the detector found them (with_tail_room widened them for the
    recogniser only): a field's reported location ends where its text does."""
    for zone in zones.values():
        for q in zone.quads:
            h = float(q[:, 1].max() - q[:, 1].min())
            right = q[:, 0] >= np.median(q[:, 0])
            q[right, 0] = np.maximum(q[right, 0] - TAIL_ROOM * h, q[~right, 0].max() + 1)
    return zones


def reread_wider(card: Card, engine: OcrEngine, zone: ZoneText, zone_x1: float, read: int, wanted: int,
                 leftwards: bool = False) -> Line | None:
    """A line of known length (the 18-character 证号, the 12-digit 档案编号) read short, its box
    ending before its zone does: glare or a faint print end took the last characters out of
    the detector's box (`2102041974081`, the tail of 210204197408174889 faded). Its crop is
    read again, reaching as many characters further right as are missing (at the width of
    those read), up to the zone's edge; `leftwards`: further left instead (a faint first digit
    the box began after: `30143526253` for 330143526253), up to the page's edge (a label
    reached is cut off by after_label). None when there is no room or nothing was read."""
    if not zone.quads or read <= 0 or read >= wanted:
        return None
    (x0, y0), (x1, y1) = zone.quads[0].min(axis=0), zone.quads[0].max(axis=0)
    reach = (wanted - read + 0.5) * (x1 - x0) / read
    if leftwards:
        left, right = max(0.0, x0 - reach), x1
        if left >= x0 - 2:
            return None
    else:
        left, right = x0, min(zone_x1 * CARD_W, x1 + reach)
        if right <= x1 + 2:
            return None
    pad = 0.12 * (y1 - y0)
    crop = crop_box(card.image, left - pad, y0 - pad, right + pad, y1 + pad)
    return engine.recognize([crop])[0]


def read_digits(grey: Card, engine: OcrEngine, zone: ZoneText, zone_x1: float, label: str, wanted: int,
                 sound: Callable[[str], bool] | None = None) -> Line:
    """A line of `wanted` digits after its label; read short, read again further right
    (reread_wider), then further left, and the first reading taken that has the length (and is
    `sound`)."""
    cs, spec = engine.charset, "0123456789" + "X" * (wanted == 18) + label
    line = after_label(decode_zone(zone, cs, spec), label)
    for leftwards in (False, True):
        longer = reread_wider(grey, engine, zone, zone_x1, len(line.text), wanted, leftwards)
        if longer is not None:
            again = after_label(decode_line(longer, cs, spec), label)
            if len(again.text) == wanted and (sound is None or sound(again.text)):
                return again
    if sound is None and len(line.text) > wanted and max(line.char_probs[:-wanted]) < CONFIDENT:
        # the label merged into the value's box, its glyphs too faint to read as themselves
        # and read as digits under the alphabet (PP-OCRv6 boxes, dev 1500005 small:
        # `89330143526253`): the value is the last `wanted`, the label ends where it starts
        return Line(line.text[-wanted:], line.char_probs[-wanted:], None, line.quad,
                    line.alternatives[-wanted:])
    return line


def number_anchor(card: Card, expected_y: float, window: float, clamp: float) -> float:
    """Vertical offset of the layout from the number line (long, near the top). Of the long
    lines within `window` of where the number should be, the one with its 证号 label just to its left is
    taken (the detector may let the label's box overlap the number's by a little: 1300136), and
    among those (or if none has one) the tallest: the English subtitle just above the number
    can be as long (and as near, on a page shifted in its holder), and
    its box as tall, where its letters' ascenders and descenders count (measured: 27 px
    against the number's 26). Kept within +-`clamp`."""

    def near_and_long(s: Span) -> bool:
        return abs(s.cy - expected_y) < window and s.width > 0.25 and s.height < 0.1

    def labelled_then_tallest(s: Span, spans: list[Span]) -> tuple[bool, float, float]:
        labelled = any(s.x0 - 0.08 < lb.x1 < s.x0 + 0.03 and lb.x0 < s.x0 - 0.04 and lb.width < 0.12
                       and min(s.y1, lb.y1) - max(s.y0, lb.y0) > 0.5 * s.height for lb in spans)
        return labelled, s.height, -abs(s.cy - expected_y)

    return anchor_shift(card, expected_y, near_and_long, labelled_then_tallest, clamp)
