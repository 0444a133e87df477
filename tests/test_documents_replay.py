"""Every document's reading logic on recorded cards, without the OCR models.

Each case in tests/replay_cases.py is a generated photo (seeds 4200.., taken in order, not
picked for passing) straightened by the generator's corners; the recording keeps that card
and everything the real detector, recogniser and orientation classifier returned while the
document classified and read it (tests/fakeengine.py). Replayed by `ReplayEngine`, a card
reads in milliseconds, and the tests check that

- the document reads exactly what it read with the live models when it was recorded (values,
  checks, side; confidences within 1e-3), and
- that reading matches the generator's truth: every field of a scan, all but one of a photo.

A document change that asks the models something else (other crops, another batching, another
pass) fails with an AssertionError saying so; if the change is intended, re-record:

    .venv/bin/python -m tests.record_replay                  # all cases, ~1 minute
    .venv/bin/python -m tests.record_replay driver-license   # cases whose name holds a word

The end-to-end tests (test_e2e_*.py, the specimen tests) keep the real models.
"""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest

from cardocr.documents import REGISTRY
from cardocr.ocr import engine as engine_module
from fakeengine import (
    CHARSET_FILE,
    RecordingEngine,
    ReplayEngine,
    charset_digest,
    load_charset,
    load_recording,
    replay_engine,
)
from replay_cases import ALL_CASES, CASES, Case, differences, read_card, wrong_fields

MAX_WRONG = {"scan": 0, "photo": 1, "small": 1, "thumb": 1}


@pytest.fixture
def no_models(monkeypatch):
    """Loading a model during a replay is a failure (it would also make the test slow)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a replay test tried to load an ONNX model")

    monkeypatch.setattr(engine_module.OnnxOcrEngine, "__init__", refuse)
    monkeypatch.setattr(onnxruntime, "InferenceSession", refuse)
    monkeypatch.setattr(engine_module.ort, "InferenceSession", refuse)
    engines = dict(engine_module._engines)
    yield
    assert engine_module._engines == engines


def _replay(case: Case) -> tuple[dict, ReplayEngine, dict]:
    engine, card, header = replay_engine(case.path)
    got = read_card(case, card, engine)
    engine.finish()
    return got, engine, header


@pytest.mark.usefixtures("no_models")
@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_replay_reads_as_the_live_models_did(case):
    got, _, header = _replay(case)
    assert header["case"] == case.name
    assert differences(got, header["expected"]) == []


@pytest.mark.usefixtures("no_models")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_fields_match_the_generator(case):
    got, _, _ = _replay(case)
    assert got["document"] == case.document and got["side"] == case.side
    assert got["classified_side"] == case.side
    assert set(got["fields"]) == set(REGISTRY[case.document].fields[case.side])
    wrong = wrong_fields(got, case)
    assert len(wrong) <= MAX_WRONG[case.condition], wrong


def test_every_side_has_cases():
    for name, doc in REGISTRY.items():
        for side in doc.sides:
            cases = [c for c in CASES if c.document == name and c.side == side]
            assert len(cases) >= 2, (name, side)
            assert "scan" in {c.condition for c in cases} and len({c.condition for c in cases}) >= 2


# --------------------------------------------------------------------------- the fake engine


@pytest.mark.usefixtures("no_models")
def test_a_call_that_was_not_recorded_says_how_to_re_record():
    rec = load_recording(CASES[0].path)
    calls = rec.header["calls"]
    card = rec.card()
    engine = ReplayEngine(rec)
    with pytest.raises(AssertionError, match="re-record: `.*tests.record_replay`"):
        if calls[0]["kind"] == "upside_down":
            engine.detect(card.image)
        else:
            engine.upside_down([card.image])
    # the recorded kind of call, given crops of another size: refused too
    assert calls[0]["kind"] == "recognize"
    crops = [card.image[:40, :100]] * len(calls[0]["inputs"])
    with pytest.raises(AssertionError, match="differs from the recorded one"):
        ReplayEngine(rec).recognize(crops, calls[0]["similar_width"], calls[0].get("min_width", 0))
    # and another batching of the same crops
    with pytest.raises(AssertionError, match="was made with"):
        ReplayEngine(rec).recognize(crops, 99.0)


@pytest.mark.usefixtures("no_models")
def test_calls_left_unmade_are_reported():
    rec = load_recording(CASES[0].path)
    with pytest.raises(AssertionError, match="were not made"):
        ReplayEngine(rec).finish()


@pytest.mark.usefixtures("no_models")
def test_replayed_posteriors_are_distributions():
    replay, card, _ = replay_engine(CASES[0].path)
    spy = RecordingEngine(replay)  # keeps what the replay hands the document
    read_card(CASES[0], card, spy)
    probs = [ln.probs for call in spy.calls if call["kind"] == "recognize" for ln in call["out"]
             if ln.probs is not None]
    assert probs
    for p in probs:
        assert p.dtype == np.float32 and p.shape[1] == len(replay.charset)
        assert np.abs(p.sum(axis=1) - 1).max() < 5e-3
        assert (p > 0).all()


def test_the_stored_charset_is_the_recognisers():
    """The one test here that opens a model: the recogniser's own classes, as engine.py
    builds them (blank, the model's characters, a space), must be the stored ones."""
    from cardocr.ocr.engine import REC_MODEL, wheel_model_dir

    opts = onnxruntime.SessionOptions()
    opts.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(wheel_model_dir("rapidocr") / REC_MODEL), opts,
                                           providers=["CPUExecutionProvider"])
    chars = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert list(load_charset(CHARSET_FILE)) == ["<blank>", *chars, " "]
    assert charset_digest(load_charset(CHARSET_FILE)) == load_recording(CASES[0].path).header["charset"]
