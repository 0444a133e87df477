"""The published specimen (a real layout, not our generator) through the real pipeline.

tests/data/reference/cn-id-both-sides-specimen.png holds the front and the back side by side;
we split it at half width and upscale 2x. Its ID number fails the check character on purpose:
it must come back as printed, with valid_number False.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from readers import HuaweiOptions, recognize
from reference import reference_image

SPECIMEN = "cn-id-both-sides-specimen.png"

FRONT = {
    "name": "张大民",
    "sex": "男",
    "ethnicity": "汉",
    "birth": "1986-10-20",
    "address": "上海市黄浦区广东路689号",
    "number": "310101198610203222",
}
BACK = {"issue": "上海市公安局", "valid_from": "2008-02-14", "valid_to": "2018-02-14"}



def _halves() -> tuple[np.ndarray, np.ndarray]:
    img = reference_image(SPECIMEN)
    assert img is not None
    w = img.shape[1]

    def up(part: np.ndarray) -> np.ndarray:
        return cv2.resize(part, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)

    return up(img[:, : w // 2]), up(img[:, w // 2 :])


@pytest.fixture(scope="module")
def halves():
    return _halves()


def test_specimen_front_as_printed(halves):
    result = recognize("id-card", halves[0], HuaweiOptions.of(return_verification=True))
    ver = result.pop("verification_result")
    assert result == FRONT
    # the specimen's check character fails: reported, not "fixed"
    assert ver["valid_number"] is False
    assert ver["valid_birth"] is True
    # 17th digit 2 is even (female) while the card prints 男: the mismatch must be reported
    assert ver["valid_sex"] is False


def test_specimen_front_side_given(halves):
    result = recognize("id-card", halves[0], HuaweiOptions.of(side="front"))
    assert result == FRONT


def test_specimen_back(halves):
    result = recognize("id-card", halves[1], HuaweiOptions.of(return_verification=True))
    ver = result.pop("verification_result")
    assert result == BACK
    assert ver == {"valid_date": True, "valid_validity_period": True}


def _paste_rotated(card: np.ndarray, angle: float, seed: int = 30) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ch, cw = card.shape[:2]
    side = int(1.6 * max(ch, cw))
    noise = rng.integers(0, 70, (side // 8, side // 8, 3), dtype=np.uint8)
    bg = cv2.resize(noise, (side, side), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    bg += rng.normal(0, 8, bg.shape)
    m = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
    m[:, 2] += (side / 2 - cw / 2, side / 2 - ch / 2)
    warped = cv2.warpAffine(card, m, (side, side), flags=cv2.INTER_CUBIC)
    mask = cv2.warpAffine(np.full((ch, cw), 255, np.uint8), m, (side, side))
    mask = (mask.astype(np.float32) / 255.0)[..., None]
    out = warped.astype(np.float32) * mask + np.clip(bg, 0, 255) * (1 - mask)
    return np.clip(out, 0, 255).astype(np.uint8)


def test_specimen_front_rotated_on_dark_noise(halves):
    photo = _paste_rotated(halves[0], 30.0)
    result = recognize("id-card", photo, HuaweiOptions.of())
    assert result == FRONT
