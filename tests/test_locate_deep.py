"""The slow card search: straight edges and opened region maps, for photos where the quick
search finds nothing (a card lying half on a sheet of paper, a card touched by a pen).

The drawn scenes check the geometry alone; the generated photos (seeds the benchmark lost to
NoCardFound before the slow search existed) check the whole pipeline, with the real models.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cardocr.pipeline import RecognizeOptions, recognize
from cardocr.vision import lines
from cardocr.vision.geometry import order_corners
from cardocr.vision.locate import ID1_ASPECT, find_cards, overlap
from tools.cardgen import make_hk_sample, make_sample
from bench.run import truth_fields


def _scene(gap_side: bool, stick: bool) -> tuple[np.ndarray, np.ndarray]:
    """A pale card-sized rectangle (rotated 12°) on a dark table, its left edge over a white
    sheet (so that edge is faint), with a pen touching its bottom edge."""
    img = np.full((900, 1200, 3), 60, np.uint8)
    if gap_side:
        cv2.rectangle(img, (120, 200), (470, 800), (236, 236, 236), -1)  # the sheet
    rect = ((560, 450), (428, 270), 12.0)
    corners = cv2.boxPoints(rect).astype(np.float32)
    cv2.fillConvexPoly(img, corners.astype(np.int32), (214, 220, 217))  # ~20 levels off the sheet
    for y in range(390, 520, 22):  # a few rows of print
        cv2.line(img, (470, y), (650, y + 38), (40, 40, 40), 3)
    if stick:
        cv2.line(img, (300, 820), (600, 590), (40, 160, 40), 9)
    return img, order_corners(corners)


@pytest.mark.parametrize("gap_side,stick", [(False, False), (True, False), (False, True), (True, True)])
def test_lines_find_the_outline(gap_side: bool, stick: bool) -> None:
    img, truth = _scene(gap_side, stick)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    edges = cv2.dilate(cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 8, 24), np.ones((3, 3), np.uint8))
    quads = lines.propose(gray, edges, ID1_ASPECT, 0.004 * gray.size)
    assert quads, "no outline proposed"
    best = order_corners(quads[0][0])
    assert np.abs(best - truth).max() < 6, (best, truth)


def test_lines_on_a_blank_image_propose_nothing() -> None:
    gray = np.full((600, 800), 128, np.uint8)
    assert lines.propose(gray, np.zeros_like(gray), ID1_ASPECT, 1000) == []


@pytest.mark.parametrize("seed,side,condition", [(100127, "front", "photo"), (100038, "front", "small")])
def test_id_card_on_paper_is_found_and_read(seed: int, side: str, condition: str) -> None:
    """Cards on printed sheets. 100127: blurred, the quick search finds no card-shaped region
    and the whole photo read as a card gives a poor answer that must not be returned. 100038:
    small, its edge on the sheet so faint that the region found is only part of the card; the
    wider zoom around it finds the whole card."""
    photo, person, corners = make_sample(seed, side, condition)
    deep = find_cards(photo, max_cards=4, deep=True)
    assert any(overlap(q.corners, order_corners(corners), of_larger=True) > 0.75 for q in deep)
    got = recognize("id-card", photo, RecognizeOptions())
    truth = truth_fields(person, side)
    wrong = [k for k, v in truth.items() if got.get(k) != v]
    assert len(wrong) <= 1, wrong


def test_hk_card_touched_by_a_pen_is_read() -> None:
    photo, person, _ = make_hk_sample(100073, "photo")
    got = recognize("hk-id-card", photo, RecognizeOptions())
    assert got["number"] == person.number
    assert got["birth_date"] == person.birth_date
