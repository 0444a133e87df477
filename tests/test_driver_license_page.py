"""Where the printed page lies in the straightened licence: inside a dark holder, or the
whole card. Drawn cards, so the expected page edges are known exactly."""

from __future__ import annotations

import cv2
import numpy as np

from cardocr.documents import driver_license as dl
from cardocr.documents.base import Card
from cardocr.vision.locate import CARD_H, CARD_W

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
    page, to_card = dl._find_page(card)
    assert page is card


def test_a_holder_is_cropped_even_with_a_green_table_beyond_it() -> None:
    """The locator's quad took in a strip of green table outside the holder: bright in the
    green channel, but not pale, so the holder's margin below it still counts."""
    img = np.full((CARD_H, CARD_W, 3), (30, 30, 30), np.uint8)  # the holder
    img[:10] = (40, 200, 60)  # the table
    x0, y0, x1, y1 = 40, 40, CARD_W - 40, CARD_H - 36
    img[y0:y1, x0:x1] = _page_with_print()[y0:y1, x0:x1]
    page, to_card = dl._find_page(Card(img, []))
    assert page.image.shape == (CARD_H, CARD_W, 3)
    corners = to_card(np.float32([[0, 0], [CARD_W, CARD_H]]))
    assert np.abs(corners - np.float32([[x0, y0], [x1, y1]])).max() <= 3, corners
