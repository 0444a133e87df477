"""The card search's image levels, computed the fast way, agree with the plain numpy ones."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cardocr.vision.locate import _masks, percentile_u8


@pytest.mark.parametrize("seed", range(20))
def test_percentile_u8_is_numpys_percentile(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 80, 2)
    img = rng.integers(0, rng.integers(1, 257), (h, w)).astype(np.uint8)
    for q in (0, 3, 40, 50, 60, 75, 99, 100, float(rng.uniform(0, 100))):
        assert percentile_u8(img, q) == pytest.approx(float(np.percentile(img, q)), abs=1e-9)


def test_not_border_map_is_what_differs_from_the_border_colour():
    """A pale card on a brown table, with a shadow a little darker than the table: the map
    holds the card and not the table; numpy's int16 sum over the channels says the same."""
    table = np.full((300, 400, 3), (40, 70, 110), np.uint8)
    cv2.rectangle(table, (60, 50), (360, 240), (235, 235, 230), -1)
    cv2.rectangle(table, (0, 260), (400, 300), (34, 64, 104), -1)  # 6 + 6 + 6 = 18: not > 18
    small, gray = table, cv2.cvtColor(table, cv2.COLOR_BGR2GRAY)
    got = dict(_masks(small, gray))["not_border"] > 0
    bg = np.array([40, 70, 110], np.int16)
    want = np.abs(cv2.GaussianBlur(small, (7, 7), 0).astype(np.int16) - bg).sum(axis=2) > 18
    # the map is opened and closed after the threshold: compare away from the outlines
    assert got[100:200, 100:320].all() and not got[5:40, 5:395].any()
    assert want[100:200, 100:320].all() and not want[5:40, 5:395].any()
    assert not got[280:295, 20:380].any() and not want[280:295, 20:380].any()
