"""Every registered document type: a blank card reads as an empty result, not an exception,
and every reading renders in the Huawei wire format with exactly its documented keys."""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents import REGISTRY
from cardocr.documents.base import Card
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import CardResult, RecognizeOptions
from cardocr.render import huawei
from cardocr.vision.locate import CARD_H, CARD_W, CardQuad


@pytest.mark.parametrize("doc_type", sorted(REGISTRY))
def test_blank_card_reads_empty_and_renders(doc_type):
    doc = REGISTRY[doc_type]
    blank = Card(np.full((CARD_H, CARD_W, 3), 235, np.uint8), boxes=[])
    quad = CardQuad(np.float32([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]]), 1.0, "test")
    for side in doc.SIDES:
        reading = doc.read(blank, side, get_engine(), frozenset(getattr(doc, "OPTIONAL_FIELDS", {})))
        assert reading.side == side
        assert all(f.value in ("", "长期") for f in reading.fields.values()), reading.fields
        options = RecognizeOptions(return_verification=True, return_text_location=True,
                                   return_issuing_authority=True)
        out = huawei.render(doc, [CardResult(reading, quad, blank.image)], options)
        extra = {"text_location"}
        if doc.HUAWEI_VERIFICATION.get(side):
            extra.add("verification_result")
            assert all(v is False for v in out["verification_result"].values())
        if getattr(doc, "HUAWEI_CONFIDENCE", False):
            extra.add("confidence")
            assert set(out["confidence"]) == set(doc.HUAWEI_FIELDS[side])
        assert set(out) == set(doc.HUAWEI_FIELDS[side]) | extra
