"""Quality and fraud signals: the framework (asked for, computed, rendered in both wire
formats, "not checked" when there is no detector) and the validity-period signal."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from cardocr.documents import REGISTRY
from cardocr.errors import InvalidParameter
from cardocr.pipeline import read
from cardocr.quality.validity import invalid_date
from cardocr.render import huawei, tencent
from cardocr.render.huawei import WIRE, Flag, HuaweiOptions
from cardocr.render.tencent import TencentOptions
from cardocr.types import CARD_H, CARD_W, CardResult, Field, Reading, ReadRequest, Signal

TODAY = dt.date(2026, 12, 4)


def _back(start: str, end: str) -> Reading:
    return Reading("id-card", "back", {"authority": Field("某市公安局", 0.99), "valid_from": Field(start, 0.99),
                                       "valid_to": Field(end, 0.99)})


@pytest.mark.parametrize("start,end,raised", [
    ("2020-03-01", "2030-03-01", False),  # 10 years, running
    ("2010-03-01", "2030-03-01", False),  # 20 years
    ("2015-03-01", "长期", False),
    ("2010-03-01", "2020-03-01", True),  # expired
    ("2020-03-01", "2030-03-02", True),  # not to the day
    ("2020-03-01", "2027-03-01", True),  # 7 years: no such term
    ("2030-03-01", "2040-03-01", True),  # starts in the future
    ("2020-13-01", "2030-13-01", True),  # not a date
])
def test_validity_period(start, end, raised):
    s = invalid_date(_back(start, end), TODAY)
    assert s is not None and s.decision is raised and s.score == (100.0 if raised else 0.0)


def test_validity_not_checked_where_nothing_is_printed_or_read():
    assert invalid_date(_back("", ""), TODAY) is None
    front = Reading("id-card", "front", {"name": Field("张三", 0.99)})
    assert invalid_date(front, TODAY) is None


def test_unknown_signal_is_refused():
    with pytest.raises(InvalidParameter):
        read(REGISTRY["id-card"], np.zeros((100, 100, 3), np.uint8), ReadRequest(signals=frozenset({"x"})), None)


def test_huawei_detect_flags_render_only_computed_signals():
    wire = WIRE["id-card"]
    fields = {k: Field("", 0.0) for k in REGISTRY["id-card"].fields["front"]}
    r = CardResult(Reading("id-card", "front", fields), np.zeros((CARD_H, CARD_W, 3), np.uint8), np.eye(3),
                   signals={"copy": Signal(87.4, True)})
    out = huawei.render(wire, [r], HuaweiOptions(flags=frozenset({Flag.DETECT_COPY, Flag.DETECT_GLARE})))
    assert out["detect_copy_result"] is True and out["score_info"] == {"copy_score": 87}
    assert "detect_glare_result" not in out  # asked, never computed: not checked
    plain = huawei.render(wire, [r], HuaweiOptions())
    assert "score_info" not in plain and "detect_copy_result" not in plain


def test_requests_ask_only_for_signals_that_have_a_detector():
    hw = huawei.read_request(WIRE["id-card"], HuaweiOptions(flags=frozenset({Flag.DETECT_TAMPERING})))
    tx = tencent.read_request(TencentOptions(config=frozenset({"InvalidDateWarn", "DetectPsWarn"})))
    assert hw.signals == frozenset({"tampering"})
    # every Tencent reading looks for a second card
    assert tx.signals == frozenset({"invalid_date", "tampering", "multi_card"})


def test_an_expired_card_end_to_end_in_tencent_xml():
    """A generated back whose period ended: read once with the signal asked, rendered as 9100."""
    from cardocr.ocr.engine import get_engine
    from tools.cardgen import make_sample

    for seed in range(540, 600):
        photo, person, _ = make_sample(seed, "back", "scan")
        if person.valid_to != "长期" and person.valid_to < dt.date.today().isoformat():
            break
    else:
        raise AssertionError("no expired card among the generated backs")
    options = TencentOptions(config=frozenset({"InvalidDateWarn"}))
    results = read(REGISTRY["id-card"], photo, tencent.read_request(options), get_engine())
    assert results[0].signals["invalid_date"].decision is True
    root = ET.fromstring(tencent.render(results, options))
    assert [w.text for w in root.findall("IdInfo/WarnInfos")] == ["9100"]


def test_the_invalid_period_pairs_differ_in_the_period_alone_and_are_told_apart():
    """tools.cardgen.defects' invalid_date pairs: the same back and scene, its period valid for
    years to come against one that cannot stand; read through the pipeline, the signal is raised
    on the second alone (tune seeds, one of each kind of bad period)."""
    import random

    from cardocr.ocr.engine import get_engine
    from tools.cardgen.defects import TUNE_SEED, defect_pair, periods
    from tools.cardgen.person import random_person

    kinds: dict[str, int] = {}
    for seed in range(TUNE_SEED, TUNE_SEED + 40):
        _valid, bad = periods(random_person(random.Random(seed)), random.Random(f"invalid_date:{seed}"))
        start, end = dt.date.fromisoformat(bad.valid_from), dt.date.fromisoformat(bad.valid_to)
        kind = "expired" if end < dt.date(2025, 1, 1) else "day" if end.day != start.day else "span"
        kinds.setdefault(kind, seed)
    assert set(kinds) == {"expired", "span", "day"}
    for seed in kinds.values():
        neg, pos, side, condition = defect_pair("invalid_date", seed)
        assert side == "back" and neg.shape == pos.shape
        ask = ReadRequest(signals=frozenset({"invalid_date"}))
        got = [read(REGISTRY["id-card"], photo, ask, get_engine())[0] for photo in (neg, pos)]
        assert [r.signals["invalid_date"].decision for r in got] == [False, True], (seed, condition)


def test_a_card_too_blurred_to_read_still_gets_the_blur_verdict():
    """A scan blurred past reading: with blur asked, the answer is the blur verdict
    (ImageBlurred: Tencent FailedOperation.ImageBlur, Huawei AIS.0104), measured on the card the
    search found; without it, the ordinary NoCardFound (nothing costs anything unless asked)."""
    from cardocr.errors import ImageBlurred, NoCardFound
    from cardocr.ocr.engine import get_engine
    from tools.cardgen.defects import TUNE_SEED, defect_pair

    _neg, pos, _side, condition = defect_pair("blur", TUNE_SEED + 2)  # a smoothed front, none of it read
    assert condition == "scan"
    with pytest.raises(ImageBlurred) as caught:
        read(REGISTRY["id-card"], pos, ReadRequest(signals=frozenset({"blur"})), get_engine())
    assert caught.value.signal.decision is True and caught.value.signal.score >= 50
    with pytest.raises(NoCardFound):
        read(REGISTRY["id-card"], pos, ReadRequest(), get_engine())
    assert tencent.ERROR_CODES[ImageBlurred] == "FailedOperation.ImageBlur"
    assert huawei.ERROR_CODES[ImageBlurred] == "AIS.0104"
