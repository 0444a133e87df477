"""The Huawei `result` object as rendered from readings (no models): value types per seed,
and the `double_side` shape."""

from __future__ import annotations

import json

import numpy as np

from cardocr.documents import REGISTRY
from cardocr.documents.base import Field, Reading
from cardocr.pipeline import CardResult, RecognizeOptions
from cardocr.render import huawei
from cardocr.vision.locate import CARD_H, CARD_W, CardQuad

QUAD = CardQuad(np.float32([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]]), 1.0, "test")
IMAGE = np.full((CARD_H, CARD_W, 3), 235, np.uint8)


def _result(doc_type: str, side: str, values: dict | None = None) -> CardResult:
    doc = REGISTRY[doc_type]
    values = values or {}
    fields = {name: Field(values.get(name, ""), 0.5) for name in doc.HUAWEI_FIELDS[side]}
    return CardResult(Reading(doc_type, side, fields), QUAD, IMAGE)


def test_hk_permanent_is_always_a_boolean():
    # hk seed: "permanent | Boolean | ... true: permanent; false: non-permanent"
    doc = REGISTRY["hk-id-card"]
    out = huawei.render(doc, [_result("hk-id-card", "front")], RecognizeOptions())
    assert out["permanent"] is False
    assert all(isinstance(out[k], str) for k in doc.HUAWEI_FIELDS["front"] if k != "permanent")
    out = huawei.render(doc, [_result("hk-id-card", "front", {"permanent": True})], RecognizeOptions())
    assert out["permanent"] is True
    assert isinstance(out["confidence"]["permanent"], float)


def test_hk_confidence_keys_are_the_fields_in_order():
    doc = REGISTRY["hk-id-card"]
    out = huawei.render(doc, [_result("hk-id-card", "front")], RecognizeOptions())
    assert list(out["confidence"]) == list(doc.HUAWEI_FIELDS["front"])
    assert list(out)[:len(doc.HUAWEI_FIELDS["front"])] == list(doc.HUAWEI_FIELDS["front"])


def test_double_side_is_front_then_back_whatever_the_order_found():
    doc = REGISTRY["driver-license"]
    found = [_result("driver-license", "back"), _result("driver-license", "front")]
    out = huawei.render(doc, found, RecognizeOptions(side="double_side"))
    assert list(out) == ["front", "back"]
    assert "issuing_authority" not in out["front"]  # only when asked
    out = huawei.render(doc, found, RecognizeOptions(side="double_side", return_issuing_authority=True))
    assert list(out["front"])[-1] == "issuing_authority"
    json.dumps(out)


def test_string_fields_never_null():
    doc = REGISTRY["id-card"]
    out = huawei.render(doc, [_result("id-card", "back", {"issue": None})], RecognizeOptions())
    assert out == {"issue": "", "valid_from": "", "valid_to": ""}


def test_confidence_is_a_finite_number_in_0_1():
    doc = REGISTRY["hk-id-card"]
    r = _result("hk-id-card", "front")
    r.reading.fields["name"] = Field("", float("nan"))
    r.reading.fields["sex"] = Field("M", 1.0000001)
    out = huawei.render(doc, [r], RecognizeOptions())
    assert out["confidence"]["name"] == 0.0 and out["confidence"]["sex"] == 1.0
    json.dumps(out, allow_nan=False)
