"""Calibrated confidence and the needs-review verdict (cardocr.confidence, issue 22).

The map shipped in the repo loads and is monotone; the verdict's reason codes on constructed
readings; return_confidence on every API (on replayed cards: tests/fakeengine.py), and the
Huawei answer without it as it was (the HK card keeps its readers' confidence).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from cardocr.confidence import assess, evidence_of, field_evidence, load_map
from cardocr.confidence.calibration import MAP_PATH
from cardocr.confidence.evidence import FEATURES, features
from cardocr.confidence.fit import isotonic, logistic
from cardocr.documents import REGISTRY
from cardocr.documents.seen import recording
from cardocr.render import huawei
from cardocr.render.huawei import Flag, HuaweiOptions
from cardocr.types import CARD_H, CARD_W, CardResult, Field, Reading, Signal
from fakeengine import replay_engine
from replay_cases import CASES

DOCS = ("id-card", "hk-id-card", "driver-license")


# values with their fields' printed shape (the evidence checks it: "x" is no name)
PLAUSIBLE = {"name": "张伟", "sex": "男", "ethnicity": "汉", "birth": "1990-01-02",
             "address": "北京市东城区东华门大街1号", "number": "110101199001021232"}


def _result(document: str, side: str, confs: dict[str, float], checks: dict[str, bool] | None = None,
            corrected: tuple[str, ...] = (), found_by: str = "otsu") -> CardResult:
    reading = Reading(document, side, {k: Field(PLAUSIBLE.get(k, "x") if document == "id-card" and side == "front"
                                                 else "x", c) for k, c in confs.items()},
                      checks=dict(checks or {}), corrections=[(k, "a closed list chose") for k in corrected])
    return CardResult(reading, np.zeros((CARD_H, CARD_W, 3), np.uint8), np.eye(3), found_by=found_by)


def test_the_shipped_map_loads_and_covers_every_document():
    data = json.loads(MAP_PATH.read_text())
    assert tuple(data["features"]) == FEATURES
    cal = load_map()
    assert set(DOCS) <= set(cal.documents)
    for doc in DOCS:
        m = cal.documents[doc]
        assert len(m.weights) == len(FEATURES) and m.field_bias
        assert data["documents"][doc]["n"] >= 300  # fitted on hundreds of fields, not a handful


@pytest.mark.parametrize("doc", DOCS)
def test_the_map_is_monotone(doc):
    m = load_map().documents[doc]
    xs, ys = np.array(m.knots_x), np.array(m.knots_y)
    assert xs[0] == 0.0 and xs[-1] == 1.0 and (np.diff(xs) > 0).all()
    assert (np.diff(ys) >= 0).all() and 0 <= ys[0] and ys[-1] < 1  # never a certainty
    # and so is the whole map in the recogniser's confidence, every other evidence alike
    ev = {"document": doc, "side": "front", "found_by": "quick", "checks": {}, "corrected": [],
          "fields": {k: {"conf": 0.999, "empty": False} for k in m.field_bias}}
    field = sorted(m.field_bias)[0]
    got = []
    for c in np.linspace(0, 1, 41):
        ev["fields"][field]["conf"] = float(c)
        got.append(m.probability(field, features(ev)[field]))
    assert all(b >= a - 1e-12 for a, b in zip(got, got[1:]))


def test_the_evidence_of_a_misfit_value_lowers_its_confidence():
    """A value without its field's shape (a cut address, a word off the closed list) or read
    far from where the landmarks put its zone is stated lower than the same reading that fits."""
    for doc, field in (("id-card", "address"), ("id-card", "ethnicity"), ("driver-license", "address")):
        m = load_map().documents[doc]
        ev = {"document": doc, "side": "front", "found_by": "quick", "checks": {}, "corrected": [],
              "fields": {k: {"conf": 0.999, "empty": False, "fits": True, "lines": 1.0, "margin_min": 8.0,
                             "zone_dy": 0.05} for k in m.field_bias}}
        fine = load_map().apply(doc, ev)[field]
        ev["fields"][field]["fits"] = False
        assert load_map().apply(doc, ev)[field] < fine


def test_fitting_recovers_an_increasing_map():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 1))
    y = (rng.random(400) < 1 / (1 + np.exp(-2 * x[:, 0]))).astype(float)
    w, _b = logistic(x, y)
    assert 1.2 < w[0] < 3.0
    knots = isotonic(1 / (1 + np.exp(-2 * x[:, 0])), y)
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in zip(knots, knots[1:]))


def test_the_verdict_names_low_fields_failed_checks_and_raised_signals():
    sure = {"name": 1.0, "sex": 1.0, "ethnicity": 1.0, "birth": 1.0, "address": 1.0, "number": 1.0}
    clean = assess(_result("id-card", "front", sure, {"number": True, "birth": True, "sex": True}))
    assert clean.review == [] and not clean.needs_review
    assert all(0.9 <= c < 1 for c in clean.calibrated.values())

    bad = _result("id-card", "front", {**sure, "address": 0.05},
                  {"number": False, "birth": True, "sex": True})
    bad.signals = {"copy": Signal(88.0, True), "blur": Signal(10.0, False)}
    assess(bad)
    assert bad.needs_review
    assert "low_confidence:address" in bad.review
    assert "check_failed:number" in bad.review and "signal:copy" in bad.review
    assert not any(r.endswith(":blur") or r.endswith(":birth") for r in bad.review)
    assert bad.calibrated["address"] < bad.calibrated["name"]


def test_the_threshold_trades_review_for_risk():
    mid = _result("id-card", "front", {"number": 1.0, "name": 0.8, "address": 0.95})
    assert assess(mid, threshold=0.0).review == []
    strict = assess(mid, threshold=1.0).review
    assert strict == [f"low_confidence:{k}" for k in ("number", "name", "address")]
    # a field the card contradicts ("x" is no licence number) is sent whatever the threshold
    odd = _result("driver-license", "front", {"number": 1.0})
    assert assess(odd, threshold=0.0).review == ["low_confidence:number"]


def test_evidence_keeps_no_values():
    r = _result("id-card", "back", {"authority": 0.7, "valid_from": 1.0}, corrected=("authority",))
    ev = evidence_of(r)
    assert ev["corrected"] == ["authority"] and ev["found_by"] == "quick"
    assert "x" not in json.dumps(ev).replace("\"x", "")  # field values never enter the record
    assert set(ev["fields"]["authority"]) == {"conf", "empty", "fits", "len", "label_tail"}
    assert ev["fields"]["valid_from"]["fits"] is False  # "x" is no date
    front = evidence_of(_result("id-card", "front", {"name": 1.0, "number": 1.0}))
    assert front["fields"]["name"]["fits"] and front["fields"]["number"]["fits"]
    assert not any(v in json.dumps(front, ensure_ascii=False) for v in PLAUSIBLE.values())


def _replayed(doc: str) -> list[tuple[str, CardResult]]:
    """Replayed cards read as the pipeline reads them: the lines recorded, then the evidence."""
    out = []
    for case in [c for c in CASES if c.document == doc and c.variant is None][:2]:
        engine, card, _header = replay_engine(case.path)
        d = REGISTRY[doc]
        with recording() as seen:
            reading = d.read(card, case.side, engine, d.optional_fields)
        field_evidence(reading, seen, engine.charset, card.image)
        out.append((case.side, assess(CardResult(reading, card.image, np.eye(3), d.portrait(reading)))))
    return out


@pytest.mark.parametrize("doc", DOCS)
def test_every_read_field_gets_the_evidence_of_its_lines(doc):
    for _side, result in _replayed(doc):
        ev = evidence_of(result)
        json.dumps(ev)  # numbers and flags only
        for name, f in ev["fields"].items():
            assert set(f) > {"conf", "empty", "fits", "lines", "margin_min", "zone_dy", "blur"}, name
            assert all(isinstance(v, (bool, int, float)) for v in f.values())
            if f["empty"] or name == "authority":  # the licence's seal is read from a region of its own
                continue
            assert f["lines"] >= 1 and f["read_len"] >= 1 and 0 < f["p_min"] <= 1, name
            assert f["margin_min"] > 0 and 0 <= f["miss_max"] <= 1 and f["blur"] > 0, name
        # a clean replayed card is read right: every value has its field's shape
        assert all(f["fits"] for f in ev["fields"].values()), [k for k, f in ev["fields"].items() if not f["fits"]]


@pytest.mark.parametrize("doc", ["id-card", "driver-license", "hk-id-card"])
def test_return_confidence_gives_the_object(doc):
    wire = huawei.WIRE[doc]
    for side, result in _replayed(doc):
        options = HuaweiOptions(side if wire.takes_side else None, frozenset({Flag.CONFIDENCE}))
        answer = huawei.render(wire, [result], options)
        keys = [k for k, _name in wire.fields[side] if _name not in wire.optional]
        assert list(answer["confidence"]) == keys
        assert all(isinstance(v, float) and 0 <= v <= 1 for v in answer["confidence"].values())
        assert answer["needs_review"] is bool(answer["review_reasons"])
        wire_names = set(keys) | {k for k, _ in wire.verification.get(side, ())} | set(result.signals)
        assert all(r.split(":", 1)[1] in wire_names for r in answer["review_reasons"])
        json.dumps(answer)


@pytest.mark.parametrize("doc", DOCS)
def test_without_the_flag_the_answer_is_huaweis(doc):
    wire = huawei.WIRE[doc]
    for side, result in _replayed(doc):
        answer = huawei.render(wire, [result], HuaweiOptions(side if wire.takes_side else None))
        assert "needs_review" not in answer and "review_reasons" not in answer
        if doc == "hk-id-card":  # Huawei's own object: the readers' confidence, as before
            assert answer["confidence"] == {k: round(min(1.0, max(0.0, float(result.fields[n].confidence))), 4)
                                            for k, n in wire.fields[side]}
        else:
            assert "confidence" not in answer


def test_the_wire_verdict_uses_the_apis_keys():
    result = _result("id-card", "back", {"authority": 0.05, "valid_from": 1.0, "valid_to": 1.0},
                     {"dates": False, "validity_span": True})
    options = HuaweiOptions("back", frozenset({Flag.CONFIDENCE}))
    answer = huawei.render(huawei.WIRE["id-card"], [assess(result)], options)
    assert answer["needs_review"] is True
    reasons = answer["review_reasons"]
    assert reasons[0] == "low_confidence:issue" and reasons[-1] == "check_failed:valid_date"
    assert not {"check_failed:dates", "low_confidence:authority"} & set(reasons)  # never the domain's names
    assert set(answer["confidence"]) == {"issue", "valid_from", "valid_to"}


def test_a_second_look_reads_an_unsure_free_text_line_again():
    """second_look.py: a sure address gets no second look; made unsure, the line cut again
    from the card and read at a smaller size agrees with what was read, and disagrees with a
    value that lost a character (what a dropped character looks like), which the card then
    contradicts (evidence.contradicted). The real recogniser on a recorded card's pixels."""
    from cardocr.confidence.evidence import contradicted
    from cardocr.confidence.second_look import LOOK_BELOW, second_look
    from cardocr.ocr.engine import get_engine

    case = next(c for c in CASES if c.document == "id-card" and c.side == "front" and c.variant is None)
    _replay, card, _header = replay_engine(case.path)
    engine = get_engine()
    doc = REGISTRY["id-card"]
    with recording() as seen:
        reading = doc.read(card, "front", engine, doc.optional_fields)
    address = reading.fields["address"]
    assert address.confidence >= LOOK_BELOW and len(address.value) > 12
    second_look(reading, seen, engine, card.image)
    assert "second_look" not in address.evidence
    address.confidence = 0.9
    second_look(reading, seen, engine, card.image)
    assert address.evidence["second_look"] == 0.0
    address.value = address.value[:-4] + address.value[-3:]
    second_look(reading, seen, engine, card.image)
    assert address.evidence["second_look"] == 1.0
    result = CardResult(reading, card.image, np.eye(3), found_by="otsu")
    assert "address" in contradicted(evidence_of(result))


def test_a_second_look_is_not_compared_where_the_gazetteer_chose():
    """An address's division names were chosen against the gazetteer (dev 1300220's 芙蓉区
    from a line read 莱蓉区): a second reading that differs there says nothing; past them it
    does, and a name is compared whole."""
    from cardocr.confidence.second_look import _chosen_prefix, differs

    value = "湖南省长沙市芙蓉区新华大道182号"
    fixed = _chosen_prefix("id-card", "address", value)
    assert fixed == len("湖南省长沙市芙蓉区")
    assert not differs(value, "湖南省长沙市美蓉区新华大道182号", fixed)
    assert differs(value, "湖南省长沙市芙蓉区新华大道183号", fixed)
    assert differs(value, "湖南省长沙市芙蓉区新大道182号", fixed)
    assert differs("谭佳菲娟", "谭住菲娟") and not differs("谭佳菲娟", "谭 佳菲娟")
    assert _chosen_prefix("id-card", "name", "谭佳菲娟") == 0


def test_the_default_threshold_never_lets_a_field_more_likely_wrong_than_right_through():
    """threshold.choose: where failed checks alone spend the review budget, the rule would
    pick 0; the default is then FLOOR, so a field stated under 1/2 still goes to a person."""
    from cardocr.confidence.threshold import FLOOR, Card, choose

    forced = [Card((0.99,), (False,), True) for _ in range(20)]
    unsure = [Card((0.3,), (False,)) for _ in range(5)]
    sure = [Card((0.999,), (True,)) for _ in range(75)]
    assert choose(forced + unsure + sure)["threshold"] == FLOOR
