"""The `layout` condition of the generator (tools/cardgen/vary.py): cards of other printers,
years and third-party templates for the HK card and the licence, and the promise that every
other condition still draws exactly the card it always drew."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from tools.cardgen import (
    CARD_H,
    CARD_W,
    PAGE_H,
    PAGE_W,
    hk_template,
    licence_template,
    make_hk_sample,
    make_licence_sample,
    make_sample,
    random_hk_person,
    random_licence,
)
from tools.cardgen.licence_draw import _render_back, _render_front
from tools.cardgen.vary import frame_card

# The photos every other condition drew before the layout condition existed, as 128x128 grey
# thumbnails (tests/data/cardgen_before.npz). Not byte hashes: OpenCV picks its SIMD kernels by
# CPU, and on an AVX-512 machine three of these photos differ from an AVX2 machine's by a few
# levels in some pixels (max 4-14; cv2.setUseOptimized(False) gives the same size of
# difference), which moves no thumbnail pixel by more than 1. A changed card (another name,
# field, font or position) moves many by tens. `python -m tests.test_cardgen_layout` rewrites
# the file: only when a change to the other conditions is meant.
BEFORE = [("hk", 3, "", "scan"), ("hk", 8, "", "thumb"), ("dl", 3, "front", "scan"), ("dl", 8, "back", "photo"),
          ("dl", 3, "both", "small"), ("id", 3, "front", "photo")]
THUMBNAILS = Path(__file__).parent / "data" / "cardgen_before.npz"


def _photo(key: tuple) -> np.ndarray:
    doc, seed, side, condition = key
    if doc == "hk":
        return make_hk_sample(seed, condition)[0]
    if doc == "dl":
        return make_licence_sample(seed, side, condition)[0]
    return make_sample(seed, side, condition)[0]


def _thumbnail(photo: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (128, 128), interpolation=cv2.INTER_AREA).astype(np.float32)


def _name(key: tuple) -> str:
    return "-".join(str(k) for k in key)


@pytest.mark.parametrize("key", BEFORE, ids=_name)
def test_other_conditions_draw_the_same_cards_as_before(key):
    photo = _photo(key)
    before = np.load(THUMBNAILS)
    assert photo.shape[:2] == tuple(before[_name(key) + "-shape"])
    diff = np.abs(_thumbnail(photo) - before[_name(key)])
    assert diff.max() <= 3 and diff.mean() <= 0.05, (diff.max(), diff.mean())


def _all_boxes(t, blocks):
    return [t.box(name, b) for name, (boxes, _a) in blocks.items() for b in boxes]


def test_templates_stay_within_their_bounds_and_on_the_card():
    from tools.cardgen.hk import _BLOCKS
    from tools.cardgen.licence_draw import _BACK_BLOCKS, _FRONT_BLOCKS

    moved, framed = 0, {1: 0, -1: 0}
    for seed in range(150):
        design = ("2003", "2018")[seed % 2]
        for t, blocks in ((hk_template(random.Random(seed), design), _BLOCKS[design]),
                          (licence_template(random.Random(seed), "front"), _FRONT_BLOCKS),
                          (licence_template(random.Random(seed), "back"), _BACK_BLOCKS)):
            assert all(abs(dx) <= 0.05 + 1e-9 and abs(dy) <= 0.05 + 1e-9 for dx, dy in t.shifts.values())
            assert abs(t.pitch - 1) <= 0.1 and abs(t.scale - 1) <= 0.1 and abs(t.frame) <= 0.025
            for x0, x1, y0, y1 in _all_boxes(t, blocks):
                assert 0 <= x0 < x1 <= t.w and 0 <= y0 < y1 <= t.h
            moved += any(abs(dx) > 0.02 or abs(dy) > 0.02 for dx, dy in t.shifts.values())
            if t.frame:
                framed[1 if t.frame > 0 else -1] += 1
    assert moved > 200 and min(framed.values()) > 80  # they do vary, both ways
    assert hk_template(random.Random(4), "2018") == hk_template(random.Random(4), "2018")


def test_template_faces_are_installed_and_draw_their_text():
    from tools.cardgen import hk, licence_draw, render

    for alts in licence_draw._TEMPLATE_FONTS.values():
        for key in alts:
            assert render.font(key, 20).getlength("2024-01-01") > 0
    for family, alts in hk._TEMPLATE_FONTS.items():
        for key in alts:
            f = hk._font(key, 20)
            assert f.path == hk._HK_FONTS[key][0]  # the face asked for, not a fallback
            assert f.getmask("陳" if family in ("zh", "label") else "A").getbbox() is not None


def test_framing_returns_the_printed_cards_corners():
    card = np.random.default_rng(1).integers(0, 255, (CARD_H, CARD_W, 3), dtype=np.uint8)
    big, q = frame_card(card, 0.02, random.Random(1))  # a pouch: the card inside, untouched (but for noise)
    (x0, y0), (x1, y1) = q[0].astype(int), q[2].astype(int)
    diff = np.abs(big[y0:y1, x0:x1].astype(int) - card)
    assert big.shape[1] > CARD_W and diff.max() <= 6
    small, q = frame_card(card, -0.02, random.Random(1))  # a holder: its rim covers the card's edge
    (x0, y0), (x1, y1) = q[0].astype(int), q[2].astype(int)
    diff = np.abs(small[y0:y1, x0:x1].astype(int) - card)
    assert diff.shape == card.shape and diff[20:-20, 20:-20].max() <= 6 and diff[:5].mean() > 30


def test_hk_layout_sample_same_person_another_card():
    photo, p, corners = make_hk_sample(12, "layout")
    again, p2, corners2 = make_hk_sample(12, "layout")
    assert np.array_equal(photo, again) and p == p2 and np.array_equal(corners, corners2)
    assert p == make_hk_sample(12, "scan")[1] == random_hk_person(random.Random(12 * 1_000_003 + 852))
    h, w = photo.shape[:2]
    assert corners.shape == (4, 2) and (corners >= -1).all() and (corners[:, 0] <= w + 1).all()
    assert not np.array_equal(photo, make_hk_sample(12, "photo")[0])


TEXT = {"front": ("title", "number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
                  "valid_from", "valid_to", "valid_for"),
        "back": ("title", "number", "name", "file_number", "record")}


@pytest.mark.parametrize("seed", range(5))
def test_licence_template_pages_keep_every_field_apart_and_on_the_page(seed):
    """On a template page each field is still printed whole, on the page, over no other field
    and not under the photo: the truth stays what can be read."""
    rng = random.Random(seed)
    lic = random_licence(rng, ("new", "old")[seed % 2])
    for side, render in (("front", _render_front), ("back", _render_back)):
        t = licence_template(random.Random(seed * 31 + 7), side)
        page, boxes = render(lic, rng, t)
        assert page.shape == (PAGE_H, PAGE_W, 3)
        text = {k: b for k, b in boxes.items() if k in TEXT[side]}
        for k, (x0, x1, y0, y1) in text.items():
            assert 0 <= x0 and x1 <= PAGE_W and 0 <= y0 and y1 <= PAGE_H, (side, k, boxes[k])
        keys = list(text)
        for i, a in enumerate(keys):
            for b in keys[i + 1:] + (["photo"] if "photo" in boxes else []):
                (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = text[a], boxes[b]
                if (a, b) == ("address", "photo"):  # two lines, the second left of the photo: the first above it
                    assert ay0 + 0.92 * 33 <= by0
                    continue
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (side, a, b, text[a], boxes[b])


def test_licence_layout_photo_of_both_pages():
    photo, lic, corners = make_licence_sample(5, "both", "layout", sleeve=False)
    assert lic == make_licence_sample(5, "both", "photo", sleeve=False)[1]
    assert corners.shape == (2, 4, 2)
    h, w = photo.shape[:2]
    for q in corners:
        assert (q[:, 0] >= 0).all() and (q[:, 0] <= w).all() and (q[:, 1] >= 0).all() and (q[:, 1] <= h).all()
        assert 1.25 < np.linalg.norm(q[1] - q[0]) / np.linalg.norm(q[3] - q[0]) < 1.7


def test_bench_reads_every_fourth_seed_again_as_layout_and_keeps_the_other_samples():
    from bench.suites import SUITES, plan

    for doc, suite in SUITES.items():
        before = plan(doc, 12, 100)  # the samples of earlier runs, as they were
        now = plan(doc, 12, 100, suite[4])
        assert "layout" in suite[4] and [p for p in now if p[2] != "layout"] == before
        assert [p[0] for p in now if p[2] == "layout"] == [100, 104, 108]
        assert plan(doc, 12, 100, ("layout",)) == [p for p in now if p[2] == "layout"]


if __name__ == "__main__":  # rewrite tests/data/cardgen_before.npz (see BEFORE)
    arrays = {}
    for key in BEFORE:
        photo = _photo(key)
        arrays[_name(key)] = np.round(_thumbnail(photo)).astype(np.uint8)
        arrays[_name(key) + "-shape"] = np.array(photo.shape[:2])
    np.savez_compressed(THUMBNAILS, **arrays)
