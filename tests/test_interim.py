"""The temporary resident identity card (临时居民身份证): the generator (tools/cardgen/interim.py),
its data side read by the id-card reader (documents/cn_temporary.py), and the interim signal
(quality/interim.py) as both wire formats render it. Real models on generator photos, one read
per photo; the seeds (9100..) were not picked for passing. bench/run.py --signals-only
measures the signal on held-out seeds."""

from __future__ import annotations

import datetime as dt
import random
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from cardocr.documents import REGISTRY
from cardocr.documents.cn_temporary import add_months, is_temporary, span_ok
from cardocr.documents.cn_validity import joint_temporary
from cardocr.errors import NoCardFound
from cardocr.ocr import get_engine
from cardocr.ocr.types import Line
from cardocr.pipeline import identify, read
from cardocr.quality import DETECTORS
from cardocr.render import huawei, tencent
from cardocr.render.huawei import WIRE, HuaweiOptions
from cardocr.render.tencent import TencentOptions
from cardocr.types import CARD_H, CARD_W, Card, ReadRequest
from tools.cardgen import make_sample, random_person
from tools.cardgen.interim import make_interim_sample, temporary_person

FRONT = ("name", "sex", "birth", "ethnicity", "address", "number")
SEED = 9100


def test_the_same_person_on_a_temporary_card():
    """The temporary card carries the seed's person (make_sample's), valid for three months."""
    photo, person, corners = make_interim_sample(SEED, "front", "photo")
    _, permanent, _ = make_sample(SEED, "front", "photo")
    assert {k: getattr(person, k) for k in FRONT} == {k: getattr(permanent, k) for k in FRONT}
    start, end = dt.date.fromisoformat(person.valid_from), dt.date.fromisoformat(person.valid_to)
    assert span_ok(start, end) and not span_ok(start, end + dt.timedelta(days=10))
    again, _, _ = make_interim_sample(SEED, "front", "photo")
    assert np.array_equal(photo, again) and corners.shape == (4, 2)
    assert temporary_person(random_person(random.Random(1)), random.Random(2)).valid_to.startswith("20")


def test_three_months_on():
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 12, 31), 2) == dt.date(2025, 2, 28)
    # an unsure month in the second date is settled by the first: 07, not 08
    text = "2025.04.12-2025.08.12"
    probs = [0.99] * len(text)
    alts = [[(c, 0.99)] for c in text]
    i = text.rindex("08") + 1
    probs[i], alts[i] = 0.5, [("8", 0.5), ("7", 0.45)]
    line = Line(text, probs, alternatives=alts)
    assert joint_temporary(line, dt.date(2025, 6, 30)) == ("2025-04-12", "2025-07-12")
    # a permanent card's ten years, read with confidence, is no temporary period
    ten = "2015.04.12-2025.04.12"
    assert joint_temporary(Line(ten, [0.99] * len(ten), alternatives=[[(c, 0.99)] for c in ten])) is None


def _card(*spans: tuple[float, float, float, float]) -> Card:
    """A card with detector boxes at (x0, x1, cy, height) card fractions."""
    boxes = [np.array([[x0 * CARD_W, (cy - h / 2) * CARD_H], [x1 * CARD_W, (cy - h / 2) * CARD_H],
                       [x1 * CARD_W, (cy + h / 2) * CARD_H], [x0 * CARD_W, (cy + h / 2) * CARD_H]], np.float32)
             for x0, x1, cy, h in spans]
    return Card(np.zeros((CARD_H, CARD_W, 3), np.uint8), boxes)


UPPER = [(0.06, 0.13, 0.12, 0.05), (0.18, 0.3, 0.12, 0.06), (0.06, 0.13, 0.225, 0.05), (0.06, 0.13, 0.33, 0.05),
         (0.06, 0.13, 0.435, 0.05), (0.18, 0.6, 0.435, 0.05)]


def test_the_temporary_layout_is_told_by_the_rows_under_the_number():
    """Labels (or, when the pale labels are lost, values) under the number's row: the
    temporary card's data side; a permanent front or back has one row there at most."""
    permanent_front = _card(*UPPER, (0.06, 0.2, 0.86, 0.04), (0.36, 0.85, 0.86, 0.06))
    temporary = _card(*UPPER, (0.06, 0.2, 0.70, 0.04), (0.36, 0.85, 0.70, 0.06), (0.06, 0.17, 0.80, 0.04),
                      (0.21, 0.5, 0.80, 0.05), (0.06, 0.17, 0.90, 0.04), (0.21, 0.55, 0.90, 0.05))
    labels_lost = _card(*UPPER[:3], (0.36, 0.85, 0.70, 0.06), (0.18, 0.5, 0.81, 0.05), (0.18, 0.55, 0.92, 0.05))
    # a permanent back moved down by another printer: its labels stand in the value column
    permanent_back = _card((0.33, 0.9, 0.17, 0.08), (0.33, 0.9, 0.35, 0.11), (0.11, 0.13, 0.16, 0.03),
                           (0.1, 0.12, 0.25, 0.03), (0.2, 0.32, 0.78, 0.04), (0.38, 0.7, 0.78, 0.05),
                           (0.2, 0.32, 0.91, 0.04), (0.38, 0.8, 0.91, 0.05))
    # another printer's permanent front moved down and spread: its 住址 below 0.62, never
    # below its number
    moved_front = _card(*[(x0, x1, cy + 0.08, h) for x0, x1, cy, h in UPPER], (0.18, 0.55, 0.70, 0.05),
                        (0.06, 0.2, 0.87, 0.04), (0.36, 0.85, 0.87, 0.06))
    assert not is_temporary(permanent_front) and not is_temporary(permanent_back) and not is_temporary(moved_front)
    assert is_temporary(temporary) and is_temporary(labels_lost)


def _read(photo: np.ndarray, side: str | None = None):
    request = huawei.read_request(WIRE["id-card"], HuaweiOptions.of(side=side, detect_interim=True))
    assert request.signals == {"interim"} and "interim" in DETECTORS
    return read(REGISTRY["id-card"], photo, request, get_engine())


@pytest.mark.parametrize("side", ["front", "back"])
def test_a_temporary_card_is_read_and_flagged(side):
    """The data side's fields (the front's, or with side=back the authority and validity,
    printed on the same side), flagged interim in both wire formats."""
    photo, person, _ = make_interim_sample(SEED + 1, "front", "photo")
    results = _read(photo, None if side == "front" else "back")
    out = huawei.render(WIRE["id-card"], results, HuaweiOptions.of(side=None, detect_interim=True))
    truth = ({k: getattr(person, k) for k in FRONT} if side == "front" else
             {"issue": person.issue, "valid_from": person.valid_from, "valid_to": person.valid_to})
    wrong = {k: (out.get(k), v) for k, v in truth.items() if out.get(k) != v}
    assert len(wrong) <= 1, wrong
    assert results[0].side == side and results[0].reading.meta["layout"] == "temporary"
    assert out["detect_interim_result"] is True and out["score_info"]["interim_score"] >= 50
    xml = ET.fromstring(tencent.render(results, TencentOptions(config=frozenset({"TempIdWarn"}))))
    assert "9104" in [w.text for w in xml.find("IdInfo").findall("WarnInfos")]


def test_a_permanent_card_is_not_flagged():
    photo, _, _ = make_sample(SEED + 1, "front", "photo")
    results = _read(photo)
    out = huawei.render(WIRE["id-card"], results, HuaweiOptions.of(detect_interim=True))
    assert out["detect_interim_result"] is False and out["score_info"]["interim_score"] < 50
    assert "layout" not in results[0].reading.meta
    xml = ET.fromstring(tencent.render(results, TencentOptions(config=frozenset({"TempIdWarn"}))))
    assert xml.find("IdInfo").findall("WarnInfos") == []


def test_the_data_side_is_told_as_the_id_card_and_the_title_side_is_no_card():
    """documents.identify: the data side is the ID card's front (its labels), never another
    document. The title side prints two lines and no field: fewer lines than a card is
    searched for (pipeline.MIN_TEXT_BOXES), so reading it answers "no card"."""
    doc, told = identify(make_interim_sample(SEED + 2, "front", "scan")[0], get_engine())
    assert (doc.name, told) == ("id-card", "front")
    with pytest.raises(NoCardFound):
        read(REGISTRY["id-card"], make_interim_sample(SEED + 2, "back", "scan")[0], ReadRequest(), get_engine())
