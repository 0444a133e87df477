"""The cards the replay tests read (tests/test_documents_replay.py, tests/test_hk_reader.py):
which generated photo each comes from, its truth in the document's field names, and how a
recording is made and compared. The recorder is tests/record_replay.py.

Each case is a photo from tools.cardgen straightened by the generator's own corners (so the
recordings do not depend on card finding), stored as the JPEG the document then reads.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cardocr.documents import REGISTRY, hk_id_card
from cardocr.types import Reading
from fakeengine import REPLAY_DIR
from tools.cardgen import random_hk_person, random_licence, random_person


@dataclass(frozen=True)
class Case:
    document: str  # registry name
    side: str
    seed: int
    condition: str  # scan / photo / small (/ thumb: Hong Kong only)
    layout: str | None = None  # None: the generator's own choice
    sleeve: bool | None = None  # licence only
    variant: str | None = None  # a patch the document is read under (VARIANTS)

    @property
    def name(self) -> str:
        extra = "".join(f"-{v}" for v in (self.layout, self.variant) if v)
        return f"{self.document}-{self.side}-{self.seed}-{self.condition}{extra}"

    @property
    def path(self) -> Path:
        return REPLAY_DIR / self.document / f"{self.name}.npz"

    def __str__(self) -> str:
        return self.name


# Seeds 4200.. in order, taken as they came (not picked for passing): per document and side
# one scan, one photo, one small photo (Hong Kong: and a thumb).
CASES = [
    Case("id-card", "front", 4200, "scan"), Case("id-card", "front", 4201, "photo"),
    Case("id-card", "front", 4202, "small"),
    Case("id-card", "back", 4203, "scan"), Case("id-card", "back", 4204, "photo"),
    Case("id-card", "back", 4205, "small"),
    Case("hk-id-card", "front", 4206, "scan"), Case("hk-id-card", "front", 4207, "photo"),
    Case("hk-id-card", "front", 4208, "small"), Case("hk-id-card", "front", 4209, "thumb"),
    Case("driver-license", "front", 4210, "scan"), Case("driver-license", "front", 4211, "photo"),
    Case("driver-license", "front", 4212, "small"),
    Case("driver-license", "back", 4213, "scan"), Case("driver-license", "back", 4214, "photo"),
    Case("driver-license", "back", 4215, "small"),
]

# tests/test_hk_reader.py: names in Hong Kong character shapes (群, 妍), one per layout; a card
# whose birth row is read as a label row (the second pass); stars the recogniser reads as letters
HK_SHAPES = [Case("hk-id-card", "front", 832, "scan"), Case("hk-id-card", "front", 880, "scan"),
             Case("hk-id-card", "front", 1089, "scan")]
HK_SECOND_PASS = Case("hk-id-card", "front", 881, "scan", variant="birth-row-as-label")
HK_STARS = [Case("hk-id-card", "front", 100045, "photo"), Case("hk-id-card", "front", 100003, "thumb")]
HK_READER_CASES = [*HK_SHAPES, HK_SECOND_PASS, *HK_STARS]

ALL_CASES = CASES + HK_READER_CASES


# --------------------------------------------------------------------------- variants


def hk_label_places() -> Any:
    """Where the Hong Kong module keeps LABEL_ROWS and LABEL_X (its Layout, or the module)."""
    return getattr(hk_id_card, "Layout", hk_id_card)


@contextlib.contextmanager
def _birth_row_as_label() -> Iterator[None]:
    """Hong Kong: the birth row counted among the label rows, so the first pass leaves the
    birth date missing and the second reads the deferred lines."""
    places = hk_label_places()
    with _patched(places.LABEL_ROWS, dict.fromkeys(places.LABEL_ROWS, ((0.49, 0.62), (0.70, 0.77)))), \
            _patched(places.LABEL_X, dict.fromkeys(places.LABEL_X, ((0.0, 1.0), (0.0, 1.0)))):
        yield


@contextlib.contextmanager
def _patched(d: dict, values: dict) -> Iterator[None]:
    old = dict(d)
    d.update(values)
    try:
        yield
    finally:
        d.clear()
        d.update(old)


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "birth-row-as-label": _birth_row_as_label,
}


def variant(case: Case) -> contextlib.AbstractContextManager[None]:
    return VARIANTS[case.variant]() if case.variant else contextlib.nullcontext()


# --------------------------------------------------------------------------- truth


def generator_truth(case: Case) -> Any:
    """The generator's truth object for a case, without rendering the photo: each make_*
    function draws its truth first from a random stream seeded as here."""
    if case.document == "id-card":
        return random_person(random.Random(case.seed))
    if case.document == "hk-id-card":
        return random_hk_person(random.Random(case.seed * 1_000_003 + 852), case.layout)
    return random_licence(random.Random(case.seed * 1_000_003 + 77), case.layout)


def truth(case: Case) -> dict[str, Any]:
    """The fields as the document names them (the generators use Huawei's names)."""
    t = generator_truth(case)
    if case.document == "id-card":
        d = t.to_dict()
        d["authority"] = d.pop("issue")
    elif case.document == "hk-id-card":
        d = t.to_dict()
    else:
        d = t.front_result() if case.side == "front" else t.back_result()
        if "issuing_authority" in d:
            d["authority"] = d.pop("issuing_authority")
    return {k: d[k] for k in REGISTRY[case.document].fields[case.side]}


def wrong_fields(reading: dict, case: Case) -> list[str]:
    want = truth(case)
    return [f"{k}: got {reading['fields'][k]['value']!r} want {v!r}" for k, v in want.items()
            if reading["fields"].get(k, {}).get("value") != v]


# --------------------------------------------------------------------------- readings


def read_card(case: Case, card: Any, engine: Any) -> dict:
    """What the document makes of a card, as the pipeline asks it: the side, then the reading
    (of the true side, with every optional field), as plain data."""
    doc = REGISTRY[case.document]
    with variant(case):
        side, side_conf = doc.classify_side(card, engine)
        reading = doc.read(card, case.side, engine, doc.optional_fields)
    return reading_data(reading, side, side_conf)


def reading_data(reading: Reading, side: str, side_conf: float) -> dict:
    return {
        "classified_side": side, "side_confidence": float(side_conf),
        "document": reading.document, "side": reading.side,
        "fields": {k: {"value": f.value, "confidence": float(f.confidence),
                       "quad": None if f.quad is None else np.asarray(f.quad, float).round(2).tolist()}
                   for k, f in reading.fields.items()},
        "checks": dict(reading.checks), "corrections": [list(c) for c in reading.corrections],
        "meta": dict(reading.meta),
    }


CONF_TOLERANCE = 1e-3  # a confidence may move this much under the sparse posteriors


def differences(got: dict, want: dict) -> list[str]:
    """How a replayed reading differs from the recorded live one: every value, check,
    correction and side exactly; confidences within CONF_TOLERANCE; quads within 0.5 px."""
    out = [f"{k}: {got.get(k)!r} != {want.get(k)!r}" for k in ("classified_side", "document", "side",
                                                                "checks", "corrections", "meta")
           if got.get(k) != want.get(k)]
    if abs(got["side_confidence"] - want["side_confidence"]) > CONF_TOLERANCE:
        out.append(f"side confidence {got['side_confidence']} != {want['side_confidence']}")
    if list(got["fields"]) != list(want["fields"]):
        return [*out, f"fields {list(got['fields'])} != {list(want['fields'])}"]
    for k, g in got["fields"].items():
        w = want["fields"][k]
        if g["value"] != w["value"]:
            out.append(f"{k}: {g['value']!r} != {w['value']!r}")
        if abs(g["confidence"] - w["confidence"]) > CONF_TOLERANCE:
            out.append(f"{k} confidence {g['confidence']} != {w['confidence']}")
        if (g["quad"] is None) != (w["quad"] is None) or (
                g["quad"] is not None and np.abs(np.subtract(g["quad"], w["quad"])).max() > 0.5):
            out.append(f"{k} quad {g['quad']} != {w['quad']}")
    return out
