"""The Huawei `result` object as rendered from readings (no models): value types per seed,
and the `double_side` shape."""

from __future__ import annotations

import json

import numpy as np

from cardocr.documents import REGISTRY
from cardocr.render import huawei
from cardocr.render.huawei import WIRE, HuaweiOptions
from cardocr.types import CARD_H, CARD_W, CardResult, Field, Reading

IMAGE = np.full((CARD_H, CARD_W, 3), 235, np.uint8)


def _result(doc_type: str, side: str, values: dict | None = None) -> CardResult:
    doc = REGISTRY[doc_type]
    values = values or {}
    fields = {name: Field(values.get(name, ""), 0.5) for name in doc.fields[side]}
    return CardResult(Reading(doc_type, side, fields), IMAGE, np.eye(3))


def _keys(path: str, side: str) -> list[str]:
    return [key for key, _ in WIRE[path].fields[side]]


def test_hk_permanent_is_always_a_boolean():
    # hk seed: "permanent | Boolean | ... true: permanent; false: non-permanent"
    doc = WIRE["hk-id-card"]
    out = huawei.render(doc, [_result("hk-id-card", "front")], HuaweiOptions.of())
    assert out["permanent"] is False
    assert all(isinstance(out[k], str) for k in _keys("hk-id-card", "front") if k != "permanent")
    out = huawei.render(doc, [_result("hk-id-card", "front", {"permanent": True})], HuaweiOptions.of())
    assert out["permanent"] is True
    assert isinstance(out["confidence"]["permanent"], float)


def test_hk_confidence_keys_are_the_fields_in_order():
    doc = WIRE["hk-id-card"]
    out = huawei.render(doc, [_result("hk-id-card", "front")], HuaweiOptions.of())
    keys = _keys("hk-id-card", "front")
    assert list(out["confidence"]) == keys
    assert list(out)[:len(keys)] == keys


def test_double_side_is_keyed_front_then_back():
    doc = WIRE["driver-license"]
    # the pipeline puts the front first (pipeline._read_cards); the renderer keys by side
    found = [_result("driver-license", "front"), _result("driver-license", "back")]
    out = huawei.render(doc, found, HuaweiOptions.of(side="double_side"))
    assert list(out) == ["front", "back"]
    assert "issuing_authority" not in out["front"]  # only when asked
    out = huawei.render(doc, found, HuaweiOptions.of(side="double_side", return_issuing_authority=True))
    assert list(out["front"])[-1] == "issuing_authority"
    json.dumps(out)


def test_string_fields_never_null():
    doc = WIRE["id-card"]
    out = huawei.render(doc, [_result("id-card", "back", {"authority": None})], HuaweiOptions.of())
    assert out == {"issue": "", "valid_from": "", "valid_to": ""}


def test_confidence_is_a_finite_number_in_0_1():
    doc = WIRE["hk-id-card"]
    r = _result("hk-id-card", "front")
    r.reading.fields["name"] = Field("", float("nan"))
    r.reading.fields["sex"] = Field("M", 1.0000001)
    out = huawei.render(doc, [r], HuaweiOptions.of())
    assert out["confidence"]["name"] == 0.0 and out["confidence"]["sex"] == 1.0
    json.dumps(out, allow_nan=False)


def test_every_wire_key_names_a_field_or_check_of_its_document():
    for wire in WIRE.values():
        doc = REGISTRY[wire.document]
        for side, keys in wire.fields.items():
            assert [name for _, name in keys] == list(doc.fields[side]), (wire.path, side)
        for side, keys in wire.verification.items():
            assert [name for _, name in keys] == list(doc.checks[side]), (wire.path, side)
        assert set(wire.optional) == set(doc.optional_fields), wire.path
        assert set(wire.optional.values()) <= set(wire.flags), wire.path


def test_unknown_flag_names_are_refused():
    # a typo must not silently ask for nothing
    try:
        HuaweiOptions.of(return_issueing_authority=True)
    except ValueError:
        return
    raise AssertionError("a misspelt flag was accepted")
