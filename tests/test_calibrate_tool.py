"""tools.calibrate: the refit's chunks read exactly the cards one run over all the seeds
would, and a stopped run resumes without reading a complete chunk twice."""

from __future__ import annotations

import json

import pytest

from bench.suites import SUITES, plan
from tools import calibrate


@pytest.mark.parametrize("doc", list(SUITES))
def test_chunks_read_the_cards_of_one_run(doc):
    count, seed0 = 107, 900000  # not a multiple of the chunk: the last chunk is short
    conds = SUITES[doc][4]
    whole = plan(doc, count, seed0, conds)
    parts = [p for d, first, n in calibrate.chunks({doc: count}, seed0) if d == doc for p in plan(d, n, first, conds)]
    assert parts == whole


def test_chunks_interleave_the_documents():
    order = [d for d, _first, _n in calibrate.chunks({"id-card": 48, "hk-id-card": 24}, 900000)]
    assert order == ["id-card", "hk-id-card", "id-card"]


def test_a_stopped_run_resumes_and_joins_in_seed_order(tmp_path, monkeypatch):
    def fake_collect(doc, count, seed0, out):  # a row per seed, without reading a card (in the worker)
        rows = [{"document": doc, "seed": seed0 + i} for i in range(count)]
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return rows

    monkeypatch.setattr(calibrate, "collect", fake_collect)
    samples = tmp_path / "samples.jsonl"
    parts = tmp_path / "samples.jsonl.parts"
    parts.mkdir()
    done = ("hk-id-card", 900024, 24)  # read by a run that was stopped
    calibrate.part_path(parts, done, done=True).write_text(json.dumps({"document": "hk-id-card", "seed": -1}) + "\n")
    calibrate.part_path(parts, ("id-card", 900000, 24), done=False).write_text("half a chunk\n")
    calibrate.read_all({"id-card": 30, "hk-id-card": 48}, 900000, samples, jobs=1, fresh=False)
    rows = calibrate.load(samples)  # the half-read chunk read again whole, the complete one not again
    assert [(r["document"], r["seed"]) for r in rows][:3] == [("id-card", 900000), ("id-card", 900001),
                                                              ("id-card", 900002)]
    assert [r["seed"] for r in rows if r["document"] == "hk-id-card"] == [*range(900000, 900024), -1]
    assert len(rows) == 30 + 24 + 1 and not parts.exists()


def test_a_run_out_of_time_fits_on_the_chunks_read_and_keeps_the_rest_for_later(tmp_path, monkeypatch):
    def fake_collect(doc, count, seed0, out):
        rows = [{"document": doc, "seed": seed0 + i} for i in range(count)]
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return rows

    monkeypatch.setattr(calibrate, "collect", fake_collect)
    samples = tmp_path / "samples.jsonl"
    # no time at all: the first chunk (under way when time is up) and no more than the workers held
    calibrate.read_all({"id-card": 96}, 900000, samples, jobs=1, fresh=False, minutes=0.0)
    first = calibrate.load(samples)
    assert 24 <= len(first) < 96 and (tmp_path / "samples.jsonl.parts").exists()
    calibrate.read_all({"id-card": 96}, 900000, samples, jobs=1, fresh=False)  # the rest
    assert [r["seed"] for r in calibrate.load(samples)] == list(range(900000, 900096))


def test_the_bench_section_reads_only_the_seeds_the_held_out_section_did_not(monkeypatch):
    """make bench's calibration section reports on more seeds than its held-out section reads:
    those rows are reused, and only the seeds after them are read (by the workers)."""
    from bench import calibration

    asked = []

    def fake_read(counts, seed0, jobs=calibration.JOBS):
        asked.append((dict(counts), seed0))
        return [{"document": d, "seed": seed0 + i} for d, n in counts.items() for i in range(n)]

    monkeypatch.setattr(calibration, "read", fake_read)
    above = {"id-card": (3, [{"document": "id-card", "seed": 500000 + i} for i in range(3)])}
    by_doc = calibration.run(["id-card", "hk-id-card"], {"id-card": 5, "hk-id-card": 4}, 500000, [], above)
    assert asked == [({"hk-id-card": 4}, 500000), ({"id-card": 2}, 500003)]
    assert [r["seed"] for r in by_doc["id-card"][1]] == [500000, 500001, 500002, 500003, 500004]
    assert [r["seed"] for r in by_doc["hk-id-card"][1]] == [500000, 500001, 500002, 500003]


def test_the_bench_sends_to_review_exactly_the_cards_the_service_would():
    """bench.calibration.cards scores each stored card once for the whole curve; at every
    threshold its verdict must be assess()'s (confidence.reasons on the map's statements)."""
    from bench import calibration
    from cardocr.confidence import load_map, reasons
    from cardocr.confidence.evidence import contradicted

    rows = calibrate.load(calibrate.SAMPLES)
    cal = load_map()
    for doc in ("id-card", "hk-id-card", "driver-license"):
        some = [r for r in rows if r["document"] == doc][:300]
        scored = calibration.cards(some)
        for t in (0.5, 0.9, 0.98, 0.999):
            want = [bool(reasons(cal.apply(doc, r["evidence"]), r["evidence"]["checks"], [], t,
                                 contradicted(r["evidence"]))) for r in some]
            got = [c.check_failed or c.lowest < t for c in scored]
            assert got == want and 0 < sum(got) < len(got)
