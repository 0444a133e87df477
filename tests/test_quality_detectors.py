"""The pixel detectors behind the quality signals (cardocr.quality: border, blur, glare,
blocking, copy, reproduce), on matched pairs from tools/cardgen/defects.py: the same card and scene without and
with the defect. Evidence is built the way the pipeline builds it (the card straightened from
its corners; for border, the corners the card search finds), without the OCR models, so these
run in seconds. The bench (`python -m bench.run --signals-only`) measures them through the
whole pipeline on held-out seeds."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cardocr.quality import DETECTORS, Evidence, blocking, blur, border, copy, glare, reproduce
from cardocr.render import huawei, tencent
from cardocr.render.huawei import WIRE, Flag, HuaweiOptions
from cardocr.render.tencent import TencentOptions
from cardocr.types import CARD_H, CARD_W, Card, CardResult, Field, Reading
from cardocr.vision.locate import find_cards
from tools.cardgen import make_sample
from tools.cardgen.defects import TUNE_SEED, defect_pair, scene

SEEDS = range(TUNE_SEED, TUNE_SEED + 4)  # the tuning range: thresholds were chosen here
DST = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
PIXEL_SIGNALS = ("border", "blur", "glare", "blocking")
CARD_SIGNALS = ("copy", "reproduce")  # the card itself is a copy or on a screen


def _evidence(photo: np.ndarray, corners: np.ndarray, side: str, found_by: str = "quick") -> Evidence:
    hm = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), DST)
    card = cv2.warpPerspective(photo, hm, (CARD_W, CARD_H), flags=cv2.INTER_LINEAR)
    return Evidence(photo, corners, found_by, Card(card, []), Reading("id-card", side, {}))


def _found(photo: np.ndarray, side: str) -> Evidence:
    quads = find_cards(photo, max_cards=1, aspect=CARD_W / CARD_H)
    if not quads:
        h, w = photo.shape[:2]
        return _evidence(photo, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32), side, "whole")
    return _evidence(photo, quads[0].corners, side, quads[0].method)


def _pair(signal: str, seed: int) -> tuple[Evidence, Evidence]:
    neg, pos, side, condition = defect_pair(signal, seed)
    if signal == "border":
        return _found(neg, side), _found(pos, side)
    _photo, _person, corners = make_sample(seed, side, condition)  # the same scene: the same corners
    return _evidence(neg, corners, side), _evidence(pos, corners, side)


def test_the_negative_is_the_ordinary_photo():
    seed = TUNE_SEED + 1
    side, condition = scene(seed)
    ordinary, _, _ = make_sample(seed, side, condition)
    neg, pos, _, _ = defect_pair("copy", seed)
    assert np.array_equal(neg, ordinary) and not np.array_equal(pos, ordinary)
    again = defect_pair("glare", seed)
    assert np.array_equal(again[1], defect_pair("glare", seed)[1])  # deterministic


@pytest.mark.parametrize("signal", PIXEL_SIGNALS + CARD_SIGNALS)
def test_detector_separates_defects_from_the_same_scene_without(signal):
    """No negative flagged, at most one positive of four missed, and every positive scored above
    its own negative but at most one."""
    neg_scores, pos_scores = [], []
    for seed in SEEDS:
        neg, pos = _pair(signal, seed)
        n, p = DETECTORS[signal](neg), DETECTORS[signal](pos)
        assert n is not None and p is not None
        assert 0 <= n.score <= 100 and 0 <= p.score <= 100
        assert n.decision == (n.score >= 50) and p.decision == (p.score >= 50)
        neg_scores.append(n)
        pos_scores.append(p)
    assert not any(n.decision for n in neg_scores)
    assert sum(p.decision for p in pos_scores) >= len(SEEDS) - 1
    assert sum(p.score > n.score for n, p in zip(neg_scores, pos_scores)) >= len(SEEDS) - 1


def test_measurements_point_at_the_evidence():
    """Each measurement means what its module says on hand-made cards."""
    rng = np.random.default_rng(0)
    card = np.full((CARD_H, CARD_W, 3), 235, np.uint8)
    for y in range(120, 460, 40):  # lines of dark print
        for x in range(120, 700, 24):
            cv2.putText(card, "8", (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
    card = np.clip(card + rng.normal(0, 2, card.shape), 0, 255).astype(np.uint8)
    assert blur.blurriness(cv2.GaussianBlur(card, (0, 0), 5)) > blur.THRESHOLD > blur.blurriness(card)
    washed = card.copy()
    cv2.circle(washed, (400, 270), 90, (255, 255, 255), -1)
    assert glare.washed_share(card) < glare.THRESHOLD < glare.washed_share(washed)
    covered = card.copy()
    cv2.circle(covered, (300, 300), 80, (90, 140, 200), -1)  # a skin-coloured thumb
    assert blocking.foreign_share(card, []) < blocking.THRESHOLD < blocking.foreign_share(covered, [])
    over = card.copy()
    over[over > 200] = 255  # an over-exposed card: its ground clipped, its print still there
    assert glare.washed_share(over) < glare.THRESHOLD
    margin = card.copy()
    margin[:, 620:] = np.clip(235 + rng.normal(0, 2, margin[:, 620:].shape), 0, 255)  # no print on the right
    ramp = np.linspace(0.9, 1.25, CARD_W, dtype=np.float32)[None, :, None]  # the light rising to the right
    lit = np.clip(margin.astype(np.float32) * ramp, 0, 255).astype(np.uint8)  # its blank end clips
    assert glare.washed_share(lit) < glare.THRESHOLD
    small = card.copy()
    cv2.circle(small, (400, 270), 30, (255, 255, 255), -1)  # a highlight too small to decide
    photo = np.zeros((600, 900, 3), np.uint8)
    inside = np.array([[50, 50], [850, 50], [850, 550], [50, 550]], np.float32)
    faint, clean = (glare.detect(Evidence(photo, inside, "quick", Card(c, []), Reading("id-card", "back", {})))
                    for c in (small, card))
    assert not faint.decision and not clean.decision
    assert clean.score < faint.score < 50.0  # weaker evidence ranks the photo, never flags it
    cut = inside + np.array([-80, 0], np.float32)
    assert not border.detect(Evidence(photo, inside, "quick", Card(card, []), Reading("id-card", "front", {}))).decision
    assert border.detect(Evidence(photo, cut, "quick", Card(card, []), Reading("id-card", "front", {}))).decision


def test_the_renderers_pick_the_detectors_up():
    """Registered detectors are asked for by both wire formats' flags and rendered from the
    computed signals; a signal asked for but not computed is left out."""
    hw_flags = frozenset({Flag.DETECT_BORDER_INTEGRITY, Flag.DETECT_BLUR, Flag.DETECT_GLARE,
                          Flag.DETECT_BLOCKING_WITHIN_BORDER, Flag.DETECT_TAMPERING})
    asked = huawei.read_request(WIRE["id-card"], HuaweiOptions(flags=hw_flags)).signals
    assert asked == frozenset(PIXEL_SIGNALS) | {"tampering"}
    tx = tencent.read_request(TencentOptions(config=frozenset({"Quality", "BorderCheckWarn", "DetectPsWarn"})))
    assert {"blur", "border", "blocking", "tampering"} <= tx.signals

    neg, pos = _pair("glare", TUNE_SEED)
    fields = {k: Field("", 0.0) for k in ("authority", "valid_from", "valid_to")}
    signals = {name: DETECTORS[name](pos) for name in PIXEL_SIGNALS}
    r = CardResult(Reading("id-card", "back", fields), pos.card.image, np.eye(3),
                   signals={k: v for k, v in signals.items() if v is not None})
    out = huawei.render(WIRE["id-card"], [r], HuaweiOptions(flags=hw_flags))
    assert out["detect_glare_result"] is True and out["detect_border_integrity_result"] is False
    assert set(out["score_info"]) >= {"glare_score", "blur_score", "border_integrity_score",
                                      "blocking_within_border_score"}
    assert "detect_tampering_result" not in out  # asked, not computed here: not checked


def test_blur_is_measured_at_the_size_the_card_has_in_the_photo():
    """A sharp card photographed small is stretched when straightened: not blurred."""
    rng = np.random.default_rng(1)
    small = np.full((CARD_H // 4, CARD_W // 4, 3), 235, np.uint8)
    for y in range(15, CARD_H // 4 - 5, 16):
        cv2.putText(small, "88888888888888888888", (15, y), cv2.FONT_HERSHEY_PLAIN, 0.9, (30, 30, 30), 1)
    small = np.clip(small + rng.normal(0, 2, small.shape), 0, 255).astype(np.uint8)
    stretched = cv2.resize(small, (CARD_W, CARD_H), interpolation=cv2.INTER_LINEAR)
    assert blur.blurriness(stretched) > blur.THRESHOLD  # judged at the straightened size: blurred
    assert blur.blurriness(stretched, CARD_W / 4) < blur.THRESHOLD


def test_copy_and_screen_evidence_on_hand_made_cards():
    """A grey emblem is a copy's, a red one a card's; red, green and blue stripes a third of a
    pitch apart are a screen's, the same stripes in step (printed lines) are not."""
    back = np.full((CARD_H, CARD_W, 3), (236, 240, 242), np.uint8)
    cv2.circle(back, (110, 110), 80, (40, 40, 200), -1)  # the red emblem
    cv2.circle(back, (110, 110), 40, (40, 200, 230), -1)  # its gold centre
    grey = cv2.cvtColor(cv2.cvtColor(back, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert copy.emblem_colour(grey) < copy.BACK_THRESHOLD < copy.emblem_colour(back)
    ev = Evidence(np.zeros((10, 10, 3), np.uint8), DST, "quick", Card(grey, []), Reading("id-card", "back", {}))
    assert copy.detect(ev).decision
    assert copy.detect(Evidence(ev.photo, DST, "quick", Card(grey, []), Reading("hk-id-card", "front", {}))) is None

    xx = np.arange(CARD_W, dtype=np.float32)
    pitch = 6.0
    stripes = np.stack([0.5 + 0.4 * np.cos(2 * np.pi * (xx / pitch - k / 3)) for k in (2, 1, 0)], axis=1)
    screen = np.clip(np.broadcast_to(stripes[None], (CARD_H, CARD_W, 3)) * 255, 0, 255).astype(np.uint8)
    lines = np.repeat(screen[..., 1:2], 3, axis=2)  # the same stripes in every channel
    assert reproduce.stripe_colour_share(lines) < 0.045 < reproduce.stripe_colour_share(screen)


def test_tampering_edits_a_small_part_of_the_card_only():
    """The tampering generator (its detector: tests/test_tampering.py) changes the photo inside
    the card only, and only a field's or the portrait's worth of it."""
    for seed in (TUNE_SEED, TUNE_SEED + 3):
        neg, pos, side, condition = defect_pair("tampering", seed)
        _photo, _person, corners = make_sample(seed, side, condition)
        changed = np.abs(neg.astype(np.int16) - pos.astype(np.int16)).max(axis=2) > 30
        inside = np.zeros(changed.shape, np.uint8)
        cv2.fillConvexPoly(inside, np.round(corners).astype(np.int32), 1)
        card_area = int(inside.sum())
        assert 0 < int(changed.sum()) < 0.15 * card_area
        assert int((changed & (inside == 0)).sum()) == 0


def test_signals_measured_side_by_side_are_the_ones_measured_one_by_one():
    """quality.measure runs two or more asked-for detectors on a thread pool: the same
    signals, each as its detector alone gives it (the evidence is only read)."""
    from cardocr.quality import MEASURABLE, measure

    _neg, pos = _pair("glare", TUNE_SEED)
    names = sorted(MEASURABLE)
    together = measure(names, pos)
    alone = {name: MEASURABLE[name](pos) for name in names}
    assert together == {name: s for name, s in alone.items() if s is not None}
    assert {"glare", "blur", "tampering"} <= together.keys() and together["glare"].decision
