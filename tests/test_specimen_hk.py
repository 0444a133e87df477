"""The Immigration Department's 2018 smart ID card specimen through the real pipeline.

Its number Z683365(5) fails the HKID check digit on purpose: it must come back as printed,
with a confidence that says the check failed."""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents.checks.hkid import is_valid_hkid
from cardocr.errors import NoCardFound
from readers import HuaweiOptions, recognize
from reference import reference_image

SPECIMEN = "hk-id-2018-specimen.png"
CN_SPECIMEN = "cn-id-both-sides-specimen.png"

PRINTED = {
    "name": "樂永晴",
    "name_en": "LOK, Wing Ching",
    "sex": "F",
    "birth_date": "03-06-1985",
    "number": "Z683365(5)",
    "symbols": "***AZ",
    "name_telegraph_code": "2867 3057 2532",
    "permanent": True,
    "initial_issue_date": "(06-96)",
    "issue_date": "26-11-18",
}



@pytest.fixture(scope="module")
def result():
    img = reference_image(SPECIMEN)
    return recognize("hk-id-card", img, HuaweiOptions.of(return_portrait_location=True,
                                                          return_portrait_image=True))


def test_every_field_as_printed(result):
    assert {k: result[k] for k in PRINTED} == PRINTED


def test_failed_check_digit_is_kept_and_lowers_confidence(result):
    assert not is_valid_hkid(PRINTED["number"])
    conf = result["confidence"]
    assert set(conf) == set(PRINTED)
    assert all(0.0 <= v <= 1.0 for v in conf.values())
    assert conf["number"] < 0.9  # the check failed: not vouched for
    assert conf["name"] >= 0.9 and conf["name_telegraph_code"] >= 0.9  # name and codes agree


def test_large_portrait_on_the_left(result):
    pts = np.array(result["portrait_location"])
    h, w = reference_image(SPECIMEN).shape[:2]
    # the 2018 card's large portrait sits in the left third, below the names
    assert pts[:, 0].max() < 0.4 * w and pts[:, 1].min() > 0.2 * h
    jpeg = result["portrait_image"]
    assert isinstance(jpeg, str) and len(jpeg) > 1000


def test_mainland_card_is_not_a_hong_kong_card():
    img = reference_image(CN_SPECIMEN)
    with pytest.raises(NoCardFound):
        recognize("hk-id-card", img[:, : img.shape[1] // 2], HuaweiOptions.of())


def test_blank_page_is_no_card():
    with pytest.raises(NoCardFound):
        recognize("hk-id-card", np.full((600, 900, 3), 235, np.uint8), HuaweiOptions.of())
