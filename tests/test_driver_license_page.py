"""Where the printed page lies in the straightened licence: inside a dark holder, or the
whole card. Drawn cards, so the expected page edges are known exactly."""

from __future__ import annotations

import cv2
import numpy as np

from cardocr.documents import driver_license as dl
from cardocr.types import CARD_H, CARD_W, Card
from cardocr.vision.page import find_page

PAGE = (200, 228, 205)  # pale green, BGR


def _page_with_print() -> np.ndarray:
    img = np.full((CARD_H, CARD_W, 3), PAGE, np.uint8)
    for y in range(120, 500, 45):  # rows of characters: ink covers well under a quarter
        for x in range(60, 780, 48):
            cv2.rectangle(img, (x, y), (x + 8, y + 20), (50, 50, 50), -1)
    return img


def test_a_blurred_title_is_not_a_holder_margin() -> None:
    """A bold title near the top, blurred: its rows dip below the page's brightness, but
    there is pale page above it, so it is print, not the dark margin of a holder."""
    img = _page_with_print()
    cv2.rectangle(img, (120, 16), (740, 40), (40, 40, 40), -1)  # title strokes, merged
    img = cv2.GaussianBlur(img, (0, 0), 5)
    card = Card(img, [])
    page, to_card = find_page(card)
    assert page is card


def test_a_holder_is_cropped_even_with_a_green_table_beyond_it() -> None:
    """The locator's quad took in a strip of green table outside the holder: bright in the
    green channel, but not pale, so the holder's margin below it still counts."""
    img = np.full((CARD_H, CARD_W, 3), (30, 30, 30), np.uint8)  # the holder
    img[:10] = (40, 200, 60)  # the table
    x0, y0, x1, y1 = 40, 40, CARD_W - 40, CARD_H - 36
    img[y0:y1, x0:x1] = _page_with_print()[y0:y1, x0:x1]
    page, to_card = find_page(Card(img, []))
    assert page.image.shape == (CARD_H, CARD_W, 3)
    corners = to_card(np.float32([[0, 0], [CARD_W, CARD_H]]))
    assert np.abs(corners - np.float32([[x0, y0], [x1, y1]])).max() <= 3, corners


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def test_the_layout_is_anchored_on_the_labelled_number_line() -> None:
    """Generated scan 300024: the English subtitle's box (ascenders and descenders) was a
    pixel taller than the number's, so the tallest-line rule anchored the layout on the
    subtitle and every zone was read a line too high. The number has its 证号 label box
    just to its left; the subtitle has none."""
    boxes = [_box(198, 34, 656, 69),  # title
             _box(236, 71, 616, 98),  # English subtitle, 27 px
             _box(233, 109, 287, 134),  # 证号 label
             _box(300, 110, 633, 136)]  # the number, 26 px
    dy = dl._anchor_shift(Card(np.zeros((CARD_H, CARD_W, 3), np.uint8), boxes), dl.Layout.FRONT_NUMBER_Y)
    assert abs(dy - (123 / CARD_H - dl.Layout.FRONT_NUMBER_Y)) < 1e-6
    # without a label box the taller line still wins, as before
    dy = dl._anchor_shift(Card(np.zeros((CARD_H, CARD_W, 3), np.uint8), [boxes[0], boxes[1], boxes[3]]),
                          dl.Layout.FRONT_NUMBER_Y)
    assert dy == -0.04


def test_squeezed_zones_are_read_narrower_and_located_where_printed() -> None:
    """read_zones' squeeze (the licence's digit lines and address) narrows only what the
    recogniser is given: the zone's quad, which return_text_location reports, stays the
    detected line's."""
    from cardocr.documents.base import read_zones
    from cardocr.ocr.types import Line

    class Recorder:
        def __init__(self):
            self.widths: list[int] = []

        def recognize(self, crops, similar_width=None, min_width=0):
            self.widths = [c.shape[1] for c in crops]
            return [Line(text="", char_probs=[]) for _ in crops]

    box = np.float32([[300, 100], [700, 100], [700, 130], [300, 130]])
    card = Card(_page_with_print(), [box])
    zone = {"number": (0.3, 0.9, 0.15, 0.3)}
    engine = Recorder()
    plain = read_zones(card, engine, zone)["number"]
    full = engine.widths[0]
    squeezed = read_zones(card, engine, zone, squeeze={"number": 0.8})["number"]
    assert abs(engine.widths[0] - 0.8 * full) <= 1
    assert np.array_equal(plain.quad, squeezed.quad)
    assert squeezed.quad[0, 0] == 300 and squeezed.quad[2, 0] == 700
