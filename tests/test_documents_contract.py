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
from cardocr.types import CARD_H, CARD_W, Card, CardResult


class NoTextEngine:
    """An engine that finds no text and recognises every crop as empty."""

    charset = Charset(["<blank>", "0", "1", " "])

    def __init__(self) -> None:
        self.crops = 0

    def detect(self, image, max_side=960):
        return []

    def recognize(self, crops, similar_width=None):
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
        if wire.confidence:
            extra.add("confidence")
            assert set(out["confidence"]) == keys
        if doc.portrait(reading) is not None:
            extra |= {f.value.removeprefix("return_") for f in wire.flags
                      if f in (Flag.PORTRAIT_LOCATION, Flag.PORTRAIT_IMAGE)}
        if Flag.ADJUSTED_IMAGE in wire.flags:
            extra.add("adjusted_image")
        assert set(out) == keys | extra
