"""Record the engine calls the replay tests play back (see tests/fakeengine.py).

    .venv/bin/python -m tests.record_replay                 # every case in tests/replay_cases.py
    .venv/bin/python -m tests.record_replay hk-id-card 4210 # only a document's cases, or names holding a word

For each case: generate the photo, straighten it by the generator's corners with the real
engine, store the card as JPEG (PNG where recompression changes what the document reads: a
borderline card stays borderline only on its own pixels) and read it back, then record
`classify_side` and `read` (every optional field) with the real models on the reloaded pixels.
The reading is stored as the expected one, the recording is replayed at once, and where the
sparse posteriors change what the document reads, more entries per timestep are kept (a lower
threshold) and it is tried again. Re-record after a change to what a document asks the models
(crops, batches, passes) or to the models themselves; the recordings are deterministic, so
cards whose calls did not change come out byte for byte the same.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tests' own modules, as pytest sees them

import cv2
import numpy as np

from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.types import Card
from cardocr.vision.locate import CardQuad
from cardocr.vision.orient import straighten
from fakeengine import (
    CHARSET_FILE,
    RecordingEngine,
    ReplayEngine,
    load_charset,
    load_recording,
    save_recording,
    write_charset,
)
from replay_cases import ALL_CASES, Case, differences, generator_truth, read_card, wrong_fields
from tools.cardgen import make_hk_sample, make_licence_sample, make_sample

JPEG_QUALITY = 90
THRESHOLDS = (1e-4, 1e-5, 1e-6, 1e-7)


def photo(case: Case) -> tuple[np.ndarray, object, np.ndarray]:
    if case.document == "id-card":
        return make_sample(case.seed, case.side, case.condition)
    if case.document == "hk-id-card":
        return make_hk_sample(case.seed, case.condition, case.layout)
    return make_licence_sample(case.seed, case.side, case.condition, layout=case.layout, sleeve=case.sleeve)


def record(case: Case, engine) -> str:
    doc = REGISTRY[case.document]
    image, truth_obj, corners = photo(case)
    assert truth_obj == generator_truth(case), f"{case}: the generator's truth is drawn differently now"
    straight, _, _ = straighten(image, CardQuad(corners, 1.0, "truth"), engine, doc.det_side)
    boxes = [b.copy() for b in straight.boxes]
    raw = read_card(case, Card(straight.image.copy(), [b.copy() for b in boxes]), engine)
    # JPEG, unless recompressing the card changes what the document reads (a borderline card
    # stays borderline only on its own pixels): then PNG
    for ext, params in ((".jpg", [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]), (".png", [])):
        ok, buf = cv2.imencode(ext, straight.image, params)
        assert ok
        pixels = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        assert pixels is not None
        rec = RecordingEngine(engine)
        live = read_card(case, Card(pixels.copy(), [b.copy() for b in boxes]), rec)
        if _values(live) == _values(raw):
            break
        changed = [d for d in differences(live, raw) if "confidence" not in d]
        print(f"  {case.name}: as {ext} the card reads differently: {changed[:3]}", flush=True)
    info = {"case": case.name, "image": ext, "expected": live}
    for threshold in THRESHOLDS:
        save_recording(case.path, Card(pixels, boxes), buf.tobytes(), rec.calls, engine.charset, info, threshold)
        recording = load_recording(case.path)
        replay = ReplayEngine(recording)
        got = read_card(case, recording.card(), replay)
        replay.finish()
        diff = differences(got, live)
        if not diff:
            wrong = wrong_fields(live, case)
            size = case.path.stat().st_size / 1024
            return (f"{case.name}: {ext[1:]}, {len(rec.calls)} calls, threshold {threshold:g}, {size:.0f} KiB; "
                    f"side {live['classified_side']}; {len(wrong)} wrong" + "".join(f"\n    {w}" for w in wrong))
        print(f"  {case.name}: threshold {threshold:g} changes the reading: {diff[:3]}", flush=True)
    raise SystemExit(f"{case.name}: the sparse replay never reads as the live engine did")


def _values(reading: dict) -> tuple:
    return (reading["classified_side"], {k: f["value"] for k, f in reading["fields"].items()}, reading["checks"])



def _names(case: Case, word: str) -> bool:
    """`word` is the case's document, or a dash-separated part of its name: "id-card" is not
    "hk-id-card", and 4210 is not 42100."""
    if word in REGISTRY:
        return case.document == word
    return f"-{word}-" in f"-{case.name}-"

def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.record_replay", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("only", nargs="*", help="record only the cases of these documents, or whose name holds "
                    "one of these between dashes")
    args = ap.parse_args(argv)
    engine = get_engine()
    write_charset(engine.charset)
    load_charset.cache_clear()
    assert list(load_charset(CHARSET_FILE)) == list(engine.charset)
    cases = [c for c in ALL_CASES if not args.only or any(_names(c, w) for w in args.only)]
    for case in cases:
        t0 = time.perf_counter()
        print(record(case, engine), f"({time.perf_counter() - t0:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
