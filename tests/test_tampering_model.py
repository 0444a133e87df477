"""The tampering model (quality/tampering_features.py, quality/tampering_model.json, trained by
tools/train_tampering.py on tune seeds) on matched pairs from tools/cardgen/defects.py: the
same photo with and without an edit, the card straightened from the generator's corners as
the training does. The model's evidence is what the older double-JPEG and duplicated-block
evidence cannot see: a retyped run whose first save left no trace, a swapped portrait."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from cardocr.quality import boosted, tampering, tampering_features
from tools import train_tampering
from tools.cardgen import make_sample
from tools.cardgen.defects import TUNE_SEED, defect_pair

# tune seeds (the kind drawn as tools/cardgen/tamper.py draws it): a photographed front with a
# run of digits retyped, a scanned front with its portrait swapped
RETYPED = TUNE_SEED + 118
PORTRAIT = TUNE_SEED + 74


def _pair(seed: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    neg, pos, side, condition = defect_pair("tampering", seed)
    kinds = ["retype", "copymove", "splice"] + (["portrait"] if side == "front" else [])  # as tamper.py draws
    assert random.Random(f"tampering:{seed}").choice(kinds) == kind
    _photo, _person, corners = make_sample(seed, side, condition)
    return train_tampering.photo_vector(neg, corners, side), train_tampering.photo_vector(pos, corners, side)


def test_a_retyped_run_the_double_jpeg_evidence_misses_stands_out_of_its_row():
    """Its number's check digit now fails where it was read clearly (quality.contradiction,
    tests/test_contradiction.py), so since the sixteenth pass the model is not fitted on it;
    its features still show the edit."""
    neg, pos = _pair(RETYPED, "retype")
    names = list(tampering_features.NAMES)
    single = names.index("single_compression")
    assert pos[single] < tampering.SINGLE  # no double-JPEG trace to see
    # the retyped digits stand out of the row in stroke width
    for name in ("glyph_stroke", "run_stroke"):
        assert pos[names.index(name)] > neg[names.index(name)]


# a tune seed: a scanned back whose whole period row was spliced from another card. The
# period is another person's and agrees with itself, so the card's checks cannot see it: what
# the model is fitted for since the sixteenth pass
SPLICED_PERIOD = TUNE_SEED + 3


def test_a_period_spliced_whole_which_the_cards_checks_cannot_see_is_flagged_by_the_model():
    neg, pos = _pair(SPLICED_PERIOD, "splice")
    assert tampering.model_score(pos) >= 50.0 > tampering.model_score(neg)


def test_a_swapped_portrait_shows_a_frame_in_the_ground_colour():
    neg, pos = _pair(PORTRAIT, "portrait")
    names = list(tampering_features.NAMES)
    assert pos[names.index("single_compression")] < tampering.SINGLE and pos[names.index("duplication")] < 0
    edge = names.index("portrait_edge")
    assert neg[edge] < 1.5 < 3.0 < pos[edge]
    assert tampering.model_score(pos) >= 50.0 > tampering.model_score(neg)


def test_the_training_command_runs_on_a_tiny_subset(tmp_path):
    pytest.importorskip("sklearn")  # a dev dependency (pyproject's [dev]): the service reads the JSON only
    out = tmp_path / "model.json"
    train_tampering.main(["--pairs", "3", "--ordinary", "1", "0", "0", "--out", str(out)])
    model = json.loads(out.read_text())
    assert tuple(model["names"]) == tampering_features.NAMES
    assert model["trees"] and np.isfinite(model["threshold"]) and np.isfinite(model["baseline"])
    trees = boosted.Trees.from_json(model)
    for x, logit in zip(model["checks"]["x"], model["checks"]["logit"], strict=True):
        assert trees.logit(np.array(x)) == pytest.approx(logit, abs=1e-9)


def test_the_shipped_trees_evaluated_with_numpy_give_the_logits_training_gave():
    model = json.loads(tampering.MODEL.read_text())
    trees = boosted.Trees.from_json(model)
    assert len(model["checks"]["x"]) == train_tampering.CHECKS
    for x, logit in zip(model["checks"]["x"], model["checks"]["logit"], strict=True):
        assert trees.logit(np.array(x)) == pytest.approx(logit, abs=1e-9)
    assert tampering.MODEL.stat().st_size < 200_000  # small trees, not a blob


def test_a_tree_sends_a_value_at_its_threshold_left():
    tree = {"feature": [1, -1, 0, -1, -1], "threshold": [0.5, 0.0, -1.0, 0.0, 0.0], "left": [1, 0, 3, 0, 0],
            "right": [2, 0, 4, 0, 0], "value": [0.0, 1.0, 0.0, 2.0, 3.0]}
    trees = boosted.Trees.from_json({"baseline": 0.25, "depth": 2, "trees": [tree, tree]})
    assert trees.logit(np.array([9.0, 0.5])) == 2.25  # root: 0.5 <= 0.5, left leaf
    assert trees.logit(np.array([-1.0, 0.6])) == 4.25  # right, then -1 <= -1: left leaf
    assert trees.logit(np.array([-0.9, 0.6])) == 6.25


# tune seeds: a scanned front whose number row was spliced from another card (no double-JPEG
# trace: the scan's first save was finer than the second), and a photographed front whose
# portrait was swapped, which the model alone scored under its threshold
SPLICED_SCAN = TUNE_SEED + 104
SWAPPED = TUNE_SEED + 112


def _score(x: np.ndarray) -> float:
    names = list(tampering_features.NAMES)
    d, single = x[names.index("duplication")], x[names.index("single_compression")]
    return tampering.combined(x, None if d == -1.0 else tampering.THRESHOLD / np.exp(d), single or None)


def test_a_spliced_row_on_a_scan_shows_a_short_straight_step_in_the_ground():
    neg, pos = _pair(SPLICED_SCAN, "splice")
    names = list(tampering_features.NAMES)
    assert pos[names.index("single_compression")] < tampering.SINGLE
    for name in ("edge_h", "edge_v"):  # the pasted box's edges, over 2x the unedited card's largest step
        assert pos[names.index(name)] > 2 * neg[names.index(name)]
    # the logistic model for scans flagged it; the boosted trees (one threshold for every capture,
    # fewer unedited photos flagged) put it at their threshold: 49 of 100, its twin under 10
    assert _score(pos) > 45.0 and _score(neg) < 10.0


def test_a_swapped_portrait_is_flagged_by_its_frame_where_the_model_is_not_sure():
    neg, pos = _pair(SWAPPED, "portrait")
    edge = list(tampering_features.NAMES).index("portrait_edge")
    assert neg[edge] < tampering.PORTRAIT_EDGE < pos[edge]
    assert _score(pos) >= 50.0 > _score(neg)


# main-bench tune seed 100038, a small photo of a front: the corners the pipeline found for it
# (recorded from pipeline.read), a few photo pixels off the generator's. Lab rounded to whole
# units made portrait_edge a norm of whole steps; this unedited card read 2.45 (sqrt 6) and its
# portrait frame alone flagged it. In float Lab it reads under PORTRAIT_EDGE (1.97: the
# margin is thin, the misplaced frame's shoulders still reach the ring).
ORDINARY_SMALL = 100038
PIPELINE_CORNERS = np.array([[1946.2, 1125.2], [1587.7, 1092.7], [1583.0, 835.1], [1993.6, 844.8]], np.float32)


def test_an_ordinary_small_photo_through_the_pipelines_corners_is_not_flagged_by_its_portrait_frame():
    photo, _person, _corners = make_sample(ORDINARY_SMALL, "front", "small")
    x = train_tampering.photo_vector(photo, PIPELINE_CORNERS, "front")
    edge = x[list(tampering_features.NAMES).index("portrait_edge")]
    assert 0.0 < edge < tampering.PORTRAIT_EDGE
    assert abs(edge ** 2 - round(edge ** 2)) > 1e-3  # no longer a norm of whole Lab units
    assert _score(x) < 50.0


# main-bench tune photos of fronts, with the corners the pipeline found for them (recorded from
# pipeline.read): a little off, so the straightened number row tilts and its glyphs' baselines
# climb steadily. run_base measured that climb as retyped glyphs out of line and the model
# alone flagged both; the baselines are now taken less their straight trend.
TILTED = {1300020: ("small", [[2468.0, 1562.9], [1983.7, 1510.5], [2029.3, 1194.9], [2533.6, 1268.3]]),
          100037: ("photo", [[367.1, 463.3], [441.8, 862.5], [133.2, 943.3], [22.5, 363.2]])}


def test_a_row_tilted_by_the_pipelines_corners_is_no_retyped_run():
    base = list(tampering_features.NAMES).index("run_base")
    for seed, (condition, corners) in TILTED.items():
        photo, _person, _corners = make_sample(seed, "front", condition)
        x = train_tampering.photo_vector(photo, np.array(corners, np.float32), "front")
        assert x[base] < 0.1
        assert tampering.model_score(x) < 50.0 and _score(x) < 50.0


def test_the_baselines_trend_is_taken_out_but_a_retyped_runs_step_is_not():
    x = np.arange(10, dtype=np.float64) * 40.0
    tilted = 400.0 + 0.05 * x
    assert np.allclose(tampering_features._detrended(x, tilted), 400.0)
    stepped = tilted.copy()
    stepped[4:7] += 3.0  # three glyphs typed 3 pixels low
    out = tampering_features._detrended(x, stepped)
    assert np.allclose(out[4:7] - np.median(out), 3.0)


# a tune seed: a scanned front whose run of digits was retyped on a box painted in one flat
# colour (tools/cardgen/tamper.py). Its glyphs' stroke, height and baseline sit inside the
# unedited twins' range; the painted box took the ground's fine texture away.
RETYPED_SCAN = TUNE_SEED + 38


def test_a_retyped_run_on_a_scan_shows_a_flat_painted_ground():
    """(Its number's check digit fails too: the card's checks flag it, and the model is not
    fitted on it since the sixteenth pass.)"""
    neg, pos = _pair(RETYPED_SCAN, "retype")
    flat = list(tampering_features.NAMES).index("row_flat")
    assert neg[flat] < 0.5 < 1.0 < pos[flat]  # unedited tune scans: at most 0.79
    assert _score(neg) < 50.0


def test_a_flat_box_along_the_row_is_quieter_than_the_ground():
    rng = np.random.default_rng(0)
    gray = np.full((120, 400), 200.0, np.float32) + rng.normal(0.0, 3.0, (120, 400)).astype(np.float32)
    glyphs = []
    for i in range(10):  # ten dark bars for glyphs, 30 pixels apart
        x = 40 + 30 * i
        gray[50:80, x:x + 12] = 40.0
        glyphs.append((x, 50, x + 12, 80))
    plain = tampering_features._flat(gray, glyphs)
    painted = gray.copy()
    painted[47:83, 128:195] = 200.0  # a flat box over glyphs 4-6, two of them typed again
    painted[50:80, 130:142] = painted[50:80, 160:172] = 40.0
    assert plain < 0.3 < 1.0 < tampering_features._flat(painted, glyphs)
