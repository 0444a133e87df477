"""A licence record read empty, looked at again through its darkest channel.

The licence pages are read from their brightest channel, which drops the red seal's ink
(driver_license._grey). Under glare that channel saturates: on a photographed second page
the record's zone, its line printed in the same ink as the number above it, stood at 245-255
in red (the median at 255) and 237-255 in green, and the detector saw nothing there, so a
printed record was read empty and stated right (tune 1506492, 实习期至2023年04月02日, stated
0.999). The blue
channel, where the page is darker than white and print darker still, kept the line; divided
by the page's own light (the glare's gradient flattened) and stretched between its dark and
light ends it reads as ordinary print. Where the detector did find the line on the colour
page, its crop of the brightest channel read as nothing, the same way. Only a record nothing
was read from is looked at again (driver_license._read_back), and what the look finds is
taken only when a line of it is print, so a page without glare reads as before.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..ocr.engine import OcrEngine
from ..types import CARD_H, CARD_W, Card
from ..vision.geometry import crop_box
from ..vision.page import channel_extremes
from .base import ZoneText, box_quad
from .seen import record as record_seen

Zone = tuple[float, float, float, float]  # x0, x1, y0, y1, page fractions

# the stretch maps these percentiles of the zone's darkest channel to black and white: print
# covers well under a tenth of a record's zone, the page the rest
DARK_PERCENTILE, PAGE_PERCENTILE = 1.0, 60.0
SATURATED = 250  # a channel this bright is page or glare, not print
GLARED = 0.25  # share of the zone saturated so: glare, whose light hides print in that channel
PAGE_SPAN = 31  # pixels: wider than a stroke of print (~3-5), narrower than the glare's fall-off
MIN_SPREAD = 6.0  # grey levels between the two: a flat zone holds nothing to look for
# a line of print is at least this tall and this wide (card pixels); shorter boxes are specks
MIN_LINE_H, MIN_LINE_W = 12, 40


def stretched(dark: np.ndarray) -> np.ndarray | None:
    """The zone's darkest channel divided by the page around it (the glare's gradient
    flattened: the page's light, the brightest value within PAGE_SPAN, smoothed), with its
    DARK_PERCENTILE..PAGE_PERCENTILE range stretched to 0..255, as a 3-channel image; None
    where the zone is flat."""
    dark = dark.astype(np.float32)
    page = cv2.blur(cv2.dilate(dark, np.ones((PAGE_SPAN, PAGE_SPAN), np.uint8)), (PAGE_SPAN, PAGE_SPAN))
    dark = 255.0 * dark / np.maximum(page, 1.0)
    lo, hi = np.percentile(dark, (DARK_PERCENTILE, PAGE_PERCENTILE))
    if hi - lo < MIN_SPREAD:
        return None
    out = np.clip((dark - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)


def glared(bright: np.ndarray) -> bool:
    """Whether the zone's brightest channel is saturated over at least GLARED of it: where it
    is not, the page was read from a channel that showed its print, and there is nothing to
    look for again (the look costs a detection of the zone: 86 ms measured on this 2-core
    machine shared with other reads)."""
    return float(np.mean(bright >= SATURATED)) >= GLARED


def glared_lines(card: Card, engine: OcrEngine, zone: Zone, max_lines: int) -> ZoneText:
    """The lines of print in `zone` (page fractions) as the darkest channel shows them, read,
    top to bottom, where glare saturated the brightest one (`glared`); each is recorded for
    the confidence evidence as a line the detector did not find on the page (`fallback`).
    Both channels are the page's own, once per card (vision.page.channel_extremes)."""
    x0, x1, y0, y1 = zone
    ox, oy = x0 * CARD_W, y0 * CARD_H
    bright, dark = (crop_box(ch, ox, oy, x1 * CARD_W, y1 * CARD_H) for ch in channel_extremes(card))
    out = ZoneText([], [])
    look = stretched(dark) if glared(bright) else None
    if look is None:
        return out
    boxes = []
    for q in engine.detect(look):
        bx0, by0 = q.min(axis=0)
        bx1, by1 = q.max(axis=0)
        if by1 - by0 >= MIN_LINE_H and bx1 - bx0 >= MIN_LINE_W:
            boxes.append((float(bx0), float(by0), float(bx1), float(by1)))
    boxes = sorted(boxes, key=lambda b: b[1])[:max_lines]
    crops = []
    for bx0, by0, bx1, by1 in boxes:
        pad = 0.12 * (by1 - by0)
        crops.append(crop_box(look, bx0 - pad, by0 - pad, bx1 + pad, by1 + pad))
    for (bx0, by0, bx1, by1), line in zip(boxes, engine.recognize(crops) if crops else []):
        box = (bx0 + ox, by0 + oy, bx1 + ox, by1 + oy)
        out.lines.append(line)
        out.quads.append(box_quad(box))
        record_seen(line, box, zone, fallback=True)
    return out
