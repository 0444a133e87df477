"""The contract every document module fills in: one `DocumentType` value named DOCUMENT.

The pipeline and the renderers read a document only through this: what it is called, its
sides and fields, how to tell a side and read a card, and the few numbers the card search
needs. A new document is a module that ends with `DOCUMENT = DocumentType(...)` plus one
line in `documents.REGISTRY`; `tests/test_documents_contract.py` checks every entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..ocr.engine import OcrEngine
from ..types import ID1_ASPECT, Card, Reading
from ..vision.orient import DET_SIDE

# Reading.meta key: the printed landmarks at the card's edges (the title, the number) a reader
# did not find, comma-separated; the pipeline then reads the card's other outlines around the
# quad (vision.recheck), since a quad that missed a strip of the card loses them first
MISSING_LANDMARKS = "missing_landmarks"

# classify_side(card, engine) -> (side, confidence)
SideClassifier = Callable[[Card, OcrEngine], tuple[str, float]]
# read(card, side, engine, optional fields asked for) -> Reading
CardReader = Callable[[Card, str, OcrEngine, frozenset[str]], Reading]
# portrait(reading) -> 4x2 quad in card pixels, or None when the side carries none
PortraitFinder = Callable[[Reading], "np.ndarray | None"]


def no_portrait(reading: Reading) -> np.ndarray | None:
    return None


@dataclass(frozen=True)
class DocumentType:
    name: str  # registry key and Reading.document, e.g. "id-card"
    sides: tuple[str, ...]  # in the order a two-sided answer lists them
    fields: Mapping[str, tuple[str, ...]]  # side -> the fields a reading of it carries, in order
    checks: Mapping[str, tuple[str, ...]]  # side -> the checks it reports (Reading.checks keys)
    classify_side: SideClassifier
    read: CardReader
    portrait: PortraitFinder = no_portrait
    optional_fields: frozenset[str] = frozenset()  # read only when a request asks for them
    boolean_fields: frozenset[str] = frozenset()  # fields whose value is a bool
    aspect: float = ID1_ASPECT  # width / height of the printed card, for the card search
    det_side: int = DET_SIDE  # the text detector's input size for the straightened card

    def __post_init__(self) -> None:
        if set(self.fields) != set(self.sides) or not set(self.checks) <= set(self.sides):
            raise ValueError(f"{self.name}: fields and checks must be given per side")
        every = {f for side in self.sides for f in self.fields[side]}
        if not (self.optional_fields | self.boolean_fields) <= every:
            raise ValueError(f"{self.name}: optional and boolean fields must be fields")
