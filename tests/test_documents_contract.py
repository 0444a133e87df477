"""Every registered document type keeps the DocumentType contract: its declaration is
consistent, a blank card reads as an empty result (not an exception) with exactly its declared
fields and checks, and every side renders in each wire format that serves it. No models: the
engine here sees no text at all."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from cardocr.documents import REGISTRY, DocumentType
from cardocr.ocr.ctc import Charset
from cardocr.ocr.types import Line
from cardocr.render import huawei
from cardocr.render.huawei import WIRE, Flag, HuaweiOptions
from cardocr.types import CARD_H, CARD_W, Card, CardResult, Field, Reading


class NoTextEngine:
    """An engine that finds no text and recognises every crop as empty."""

    charset = Charset(["<blank>", "0", "1", " "])

    def __init__(self) -> None:
        self.crops = 0

    def detect(self, image, max_side=960):
        return []

    def recognize(self, crops, similar_width=None, min_width=0):
        self.crops += len(crops)
        return [Line(text="", char_probs=[], probs=np.ones((4, 4), np.float32) * [1, 0, 0, 0]) for _ in crops]

    def upside_down(self, crops):
        return [0.0] * len(crops)


def test_registry_is_keyed_by_name_and_holds_document_types():
    assert REGISTRY, "no document registered"
    for name, doc in REGISTRY.items():
        assert isinstance(doc, DocumentType) and doc.name == name
        assert len(set(doc.sides)) == len(doc.sides) >= 1
        for fn in (doc.classify_side, doc.read, doc.portrait):
            assert callable(fn)
        assert list(inspect.signature(doc.read).parameters)[:4] == ["card", "side", "engine", "optional"]
        assert list(inspect.signature(doc.classify_side).parameters) == ["card", "engine"]


def test_a_typo_in_a_declaration_is_refused():
    doc = REGISTRY["driver-license"]
    with pytest.raises(ValueError):
        DocumentType(name="x", sides=doc.sides, fields=doc.fields, checks={}, classify_side=doc.classify_side,
                     read=doc.read, optional_fields=frozenset({"issuing_authorty"}))


@pytest.mark.parametrize("doc_type", sorted(REGISTRY))
def test_blank_card_reads_empty_with_its_declared_fields(doc_type):
    doc = REGISTRY[doc_type]
    blank = Card(np.full((CARD_H, CARD_W, 3), 235, np.uint8), boxes=[])
    for side in doc.sides:
        reading = doc.read(blank, side, NoTextEngine(), doc.optional_fields)
        assert reading.document == doc_type and reading.side == side
        assert set(reading.fields) == set(doc.fields[side])
        # nothing printed, nothing read: "" everywhere (a Boolean field reads false)
        assert all(f.value in ("", False) for f in reading.fields.values()), reading.fields
        assert set(reading.checks) <= set(doc.checks.get(side, ()))
        assert not any(reading.checks.values())


@pytest.mark.parametrize("path", sorted(WIRE))
def test_blank_card_renders_in_the_huawei_format(path):
    wire = WIRE[path]
    doc = REGISTRY[wire.document]
    blank = Card(np.full((CARD_H, CARD_W, 3), 235, np.uint8), boxes=[])
    options = HuaweiOptions(flags=frozenset(wire.flags))
    for side in doc.sides:
        reading = doc.read(blank, side, NoTextEngine(), doc.optional_fields)
        out = huawei.render(wire, [CardResult(reading, blank.image, np.eye(3), doc.portrait(reading))], options)
        keys = {key for key, _ in wire.fields[side]}
        extra = {"text_location"} if Flag.TEXT_LOCATION in wire.flags else set()
        if wire.verification.get(side) and Flag.VERIFICATION in wire.flags:
            extra.add("verification_result")
            assert all(v is False for v in out["verification_result"].values())
        if wire.confidence or Flag.CONFIDENCE in wire.flags:
            extra.add("confidence")
            assert set(out["confidence"]) == keys
        if Flag.CONFIDENCE in wire.flags:  # a blank card: every field unread, so to review
            extra |= {"needs_review", "review_reasons"}
            assert out["needs_review"] is True
        if doc.portrait(reading) is not None:
            extra |= {f.value.removeprefix("return_") for f in wire.flags
                      if f in (Flag.PORTRAIT_LOCATION, Flag.PORTRAIT_IMAGE)}
        if Flag.ADJUSTED_IMAGE in wire.flags:
            extra.add("adjusted_image")
        assert set(out) == keys | extra


def test_a_new_document_is_served_from_its_registry_line(monkeypatch):
    """What adding a document takes: its module (here a toy one, inline) and one registry
    line. The API route, its request parameters (sides, flags) and the answer follow from the
    registry; no renderer, router or list elsewhere is edited."""
    from apihelpers import DEV_PROJECT_ID, b64, get_token, make_client, make_image

    box = np.array([[10, 10], [60, 10], [60, 30], [10, 30]], np.float32)

    def classify(card, engine):
        return "front", 1.0

    def read(card, side, engine, optional=frozenset()):
        fields = {"name": Field("TOY", 0.8, box), "number": Field("123", 0.95)}
        return Reading("toy-card", side, fields, checks={"number": True})

    toy = DocumentType(name="toy-card", sides=("front",), fields={"front": ("name", "number")},
                       checks={"front": ("number",)}, classify_side=classify, read=read)
    monkeypatch.setitem(REGISTRY, "toy-card", toy)

    def reader(doc, image, request):
        card = Card(image, [])
        return [CardResult(doc.read(card, doc.sides[0], NoTextEngine(), request.optional), image, np.eye(3))]

    client, _ = make_client(pipeline=reader)
    token = get_token(client)
    path = f"/v2/{DEV_PROJECT_ID}/ocr/toy-card"
    body = {"image": b64(make_image()), "return_verification": True, "return_text_location": True}
    r = client.post(path, json=body, headers={"X-Auth-Token": token})
    assert r.status_code == 200, r.text
    assert r.json() == {"result": {
        "name": "TOY", "number": "123", "confidence": {"name": 0.8, "number": 0.95},
        "verification_result": {"valid_number": True},
        "text_location": {"name": [[10, 10], [60, 10], [60, 30], [10, 30]]}}}
    # a one-sided document takes no `side`; its flags are checked like any API's
    bad = client.post(path, json={**body, "return_text_location": "yes"}, headers={"X-Auth-Token": token})
    assert bad.status_code == 400 and bad.json()["error_code"] == "AIS.0101"
