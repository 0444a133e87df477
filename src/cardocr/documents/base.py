"""What every document module shares: zone reading and line decoding.

A document module describes *where* its fields sit on the canonical card (as fractions of the
card's width and height) and *what* they may contain; `read_zone` turns that into pixels,
using the text detector's boxes to find the exact line and the zone's edges to cut away
printed labels that the detector merged into the same box.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..ocr.ctc import alphabet, best_of, greedy_decode
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..vision.geometry import crop_box
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field, Reading


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
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


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
        return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def read_zones(
    card: Card,
    engine: OcrEngine,
    zones: dict[str, tuple[float, float, float, float]],
    fallback_rows: dict[str, tuple[float, float]] | None = None,
    max_lines: dict[str, int] | None = None,
    similar_width: float | None = None,
    squeeze: dict[str, float] | None = None,
) -> dict[str, ZoneText]:
    """Recognise every zone in one batch. `zones`: name → (x0, x1, y0, y1) as card fractions.
    `similar_width`: passed to engine.recognize (batches of crops of similar width).
    `squeeze`: zone name → factor its crops' width is scaled by before recognition.

    A zone with no detected text falls back to its nominal row band (`fallback_rows`), so a
    faint line the detector missed is still read rather than silently dropped.
    """
    jobs: list[tuple[str, tuple[float, float, float, float]]] = []
    for name, (x0, x1, y0, y1) in zones.items():
        lines = group_lines(card.boxes_in(x0, x1, y0, y1))
        if max_lines and name in max_lines:
            lines = lines[: max_lines[name]]
        if not lines and fallback_rows and name in fallback_rows:
            r0, r1 = fallback_rows[name]
            lines = [(x0 * CARD_W, r0 * CARD_H, x1 * CARD_W, r1 * CARD_H)]
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
    results = engine.recognize(crops, similar_width) if crops else []
    out: dict[str, ZoneText] = {name: ZoneText([], []) for name in zones}
    for (name, box), line in zip(jobs, results):
        out[name].lines.append(line)
        out[name].quads.append(box_quad(box))
    return out


# -- decoding a zone's line, shared by the document modules ---------------------------------

def strip_label(text: str, label: str) -> str:
    """Drop the tail of a printed label that the detector merged into the value's box
    (the zone edge cuts most of it away; a character or two can survive)."""
    for k in range(len(label), 0, -1):
        if text.startswith(label[-k:]) and len(text) > k:
            return text[k:]
    return text


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


__all__ = ["CONFIDENT", "Card", "Field", "Reading", "ZoneText", "box_quad", "closed_choice", "decode_line",
           "decode_zone", "group_lines", "line_conf", "read_zones", "strip_label"]
