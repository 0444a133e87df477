"""More than one card in the photo (cardocr.quality.multicard): the generator's multi-card
photos (tools/cardgen/multicard.py, tuning seeds only), the signal, and Huawei's answers on real
images through the API with the real models: side=double_side on two cards of one side is
AIS.0122, on a front and a back both sides' fields.
"""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest

from apihelpers import OCR_PATH, assert_error
from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.quality.multicard import MULTI_CARD, SAME_SIDE, OtherCard, _beyond_landmarks, signals
from cardocr.render import huawei
from cardocr.render.huawei import WIRE, HuaweiOptions
from cardocr.types import CARD_H, CARD_W, CardResult, Field, Reading, ReadRequest, Signal
from cardocr.vision.locate import find_cards, overlap
from tools.cardgen import make_sample
from tools.cardgen.multicard import KINDS, TUNE_SEED, multi_card_sample, scene

# tuning seeds (bench/multicard.py reports on HELDOUT_SEED..): two fronts apart in a photo,
# two backs overlapping, a front and a back apart
TWO_FRONTS, TWO_BACKS_OVERLAPPING, FRONT_AND_BACK = TUNE_SEED + 7, TUNE_SEED + 2, TUNE_SEED + 9
# two fronts overlapping on a scanner: one region the search cannot take for a card, so the
# photo is read whole; two small fronts apart, the other one seen at a slant
MERGED_FRONTS, SLANTED_FRONTS = TUNE_SEED + 19, TUNE_SEED + 79
ASKED = ReadRequest(signals=frozenset({MULTI_CARD}))


def _inside(corners: np.ndarray, photo: np.ndarray) -> bool:
    h, w = photo.shape[:2]
    return bool((corners >= -1).all() and (corners[:, 0] <= w + 1).all() and (corners[:, 1] <= h + 1).all())


@pytest.mark.parametrize("seed", range(TUNE_SEED, TUNE_SEED + 9))
def test_generator_lays_two_cards_of_the_kind(seed):
    s = multi_card_sample(seed)
    assert (s.kind, s.arrangement, s.condition) == scene(seed)
    assert len(s.corners) == 2 and all(_inside(c, s.photo) for c in s.corners)
    assert sorted(s.sides) == {"two_fronts": ["front", "front"], "two_backs": ["back", "back"],
                               "front_back": ["back", "front"]}[s.kind]
    assert (s.people[0] is s.people[1]) == (s.kind == "front_back")  # one person's two sides
    areas = [cv2.contourArea(c) for c in s.corners]
    if s.arrangement == "sizes":
        assert min(areas) / max(areas) < 0.9
    inter, _ = cv2.intersectConvexConvex(*(c.astype(np.float32) for c in s.corners))
    if s.arrangement == "apart":
        assert inter == 0
    if s.arrangement == "overlap":  # the bounding boxes overlap (the tilted cards in 21 of 27 seeds)
        (a0, b0), (a1, b1) = ((c.min(axis=0), c.max(axis=0)) for c in s.corners)
        assert (np.minimum(b0, b1) > np.maximum(a0, a1)).all()
    assert np.array_equal(multi_card_sample(seed).photo, s.photo)  # deterministic


def test_generator_covers_every_kind():
    assert {scene(seed)[0] for seed in range(TUNE_SEED, TUNE_SEED + 3)} == set(KINDS)


def test_signals_tell_another_card_from_one_of_the_same_side():
    corners = np.zeros((4, 2), np.float32)
    back = signals(["front"], [OtherCard("back", 3, corners)])
    assert back[MULTI_CARD].decision and not back[SAME_SIDE].decision
    front = signals(["front"], [OtherCard("front", 2, corners)])
    assert front[MULTI_CARD].decision and front[SAME_SIDE].decision
    weak = signals(["front"], [OtherCard("front", 1, corners)])  # one misread landmark is not a card
    assert not weak[MULTI_CARD].decision and not weak[SAME_SIDE].decision
    assert not signals(["front", "back"], [])[MULTI_CARD].decision


def test_the_back_title_counts_on_a_line_of_its_own():
    """中华人民共和国 alone on a line is the ID back's title; in the licence's title line it is not."""
    back = ("id-card", "back")
    assert _beyond_landmarks(back, ["中华人民共和国", "重庆市公安局江北分局"]) == 1
    assert _beyond_landmarks(back, ["中华人民共和国机动车驾驶证"]) == 0
    assert _beyond_landmarks(back, ["2018,10,09-2023,10.09"]) == 2  # dots read as commas
    assert _beyond_landmarks(("id-card", "front"), ["中华人民共和国"]) == 0


def test_huawei_double_side_renders_same_side_as_ais_0122():
    image = np.full((CARD_H, CARD_W, 3), 235, np.uint8)
    multi = {MULTI_CARD: Signal(100.0, True), SAME_SIDE: Signal(100.0, True)}
    found = [CardResult(Reading("id-card", side, {n: Field("", 0.5) for n in REGISTRY["id-card"].fields[side]}),
                        image, np.eye(3), signals=dict(multi)) for side in ("front", "back")]
    with pytest.raises(huawei.errors.MultiCardError) as err:
        huawei.render(WIRE["id-card"], found, HuaweiOptions.of(side="double_side"))
    assert huawei.error_code(err.value) == "AIS.0122"
    assert huawei.render(WIRE["id-card"], found[:1], HuaweiOptions.of(side="front"))  # not asked: read


# --- real images, real models -------------------------------------------------------------


def _post(live_api, img: np.ndarray, **body):
    client, token = live_api
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return client.post(OCR_PATH, json={"image": base64.b64encode(buf.tobytes()).decode(), **body},
                       headers={"X-Auth-Token": token})


@pytest.mark.parametrize("seed", [TWO_FRONTS, TWO_BACKS_OVERLAPPING])
def test_double_side_on_two_cards_of_one_side_is_ais_0122(live_api, seed):
    s = multi_card_sample(seed)
    assert s.same_side
    assert_error(_post(live_api, s.photo, side="double_side"), 400, "AIS.0122")


def test_double_side_on_a_front_and_a_back_reads_both(live_api):
    s = multi_card_sample(FRONT_AND_BACK)
    r = _post(live_api, s.photo, side="double_side")
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    assert list(result) == ["front", "back"]
    person = s.people[0]
    assert result["front"]["number"] == person.number and result["back"]["valid_from"] == person.valid_from


def test_the_signal_on_real_photos():
    """Asked for, the signal sees the second front beside the one read, and nothing beside an
    ordinary photo's only card."""
    doc = REGISTRY["id-card"]
    asked = ReadRequest(signals=frozenset({MULTI_CARD}))
    two = read(doc, multi_card_sample(TWO_FRONTS).photo, asked, get_engine())
    assert two[0].signals[MULTI_CARD].decision and two[0].signals[SAME_SIDE].decision
    photo, _person, _corners = make_sample(100002, "front", "small")
    one = read(doc, photo, asked, get_engine())
    assert not one[0].signals[MULTI_CARD].decision and not one[0].signals[SAME_SIDE].decision


def test_two_cards_read_as_the_whole_photo():
    """Two fronts overlapping merge into one region: the photo is read whole, and its lines
    show the front's landmarks twice."""
    two = read(REGISTRY["id-card"], multi_card_sample(MERGED_FRONTS).photo, ASKED, get_engine())
    assert two[0].found_by == "whole"
    assert two[0].signals[MULTI_CARD].decision and two[0].signals[SAME_SIDE].decision


@pytest.mark.parametrize(("seed", "side"), [(100002, "front"), (100003, "back")])
def test_one_card_read_as_the_whole_photo_is_one_card(seed, side):
    """A photo cropped just inside one card is read whole too: its lines show each landmark
    once, so no other card."""
    photo, _person, corners = make_sample(seed, side, "photo")
    inside = np.asarray(corners, np.float32)
    inside = inside.mean(axis=0) + 0.97 * (inside - inside.mean(axis=0))
    crop = cv2.warpPerspective(photo, cv2.getPerspectiveTransform(
        inside, np.float32([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]])), (CARD_W, CARD_H))
    one = read(REGISTRY["id-card"], crop, ASKED, get_engine())
    assert one[0].found_by == "whole" and one[0].side == side
    assert not one[0].signals[MULTI_CARD].decision and one[0].signals[MULTI_CARD].score == 0


def test_another_card_at_a_slant():
    """The other small front's outline is squeezed by the camera's slant beyond the quick
    search's aspect tolerance: the spare outlines bring it to the signal."""
    s = multi_card_sample(SLANTED_FRONTS)
    spare: list = []
    quick = find_cards(s.photo, max_cards=4, spare=spare)
    plain = find_cards(s.photo, max_cards=4)  # the reading's candidates are the same without spare
    assert len(quick) == len(plain) == 1 and np.array_equal(quick[0].corners, plain[0].corners)
    other = next(c for c in s.corners if overlap(c, quick[0].corners) < 0.1)
    assert any(overlap(q.corners, other) > 0.85 for q in spare)
    two = read(REGISTRY["id-card"], s.photo, ASKED, get_engine())
    assert two[0].signals[MULTI_CARD].decision and two[0].signals[SAME_SIDE].decision
