"""Fit the confidence calibration map (src/cardocr/confidence/calibration.json).

    python -m tools.calibrate --jobs 2        # read the calibration cards, then fit
    python -m tools.calibrate --jobs 2        # again after a stop: resumes where it stopped
    python -m tools.calibrate --refit         # fit again from the stored evidence only
    python -m tools.calibrate --fresh         # forget what a stopped run read, read it all
    python -m tools.calibrate --minutes 20    # fit on what 20 minutes read; again: the rest

Reading the cards is the long part (each card about as long as a request). The seeds are cut
into chunks of CHUNK seeds per document; `--jobs` worker processes (each loads the models
once) take the chunks in turn, and each chunk's rows go to its own file under
<samples>.parts/ as they are read, renamed to done when the chunk is complete. A run that is
stopped (Ctrl-C, a crash, a machine needed back) is resumed by running it again: complete
chunks are not read twice. The parts are joined into the samples file once every chunk is
done (or, with --minutes, the chunks read in time), then the map is fitted. A progress line
per chunk gives the cards read, the seconds per 100 cards and the time left. Measured on the
shared 2-core machine at load ~30: 179 cards in 1253 s with 2 workers (~700 s per 100 cards,
the models' loading included); the same cards read alone at load ~3 took ~3.3 s each.

After a change to the readers or to the evidence they leave (cardocr.confidence.lines,
agree), read the cards again (`--fresh`) rather than --refit: evidence stored by an older
cardocr may lack what the map now reads (cardocr.confidence.evidence.FEATURES). A change to
evidence.features only (how the stored evidence is turned into numbers) needs --refit alone.

Reads generator cards (tools/cardgen, through bench.run's sample plans: every condition,
`layout` included) from CALIBRATION_SEED on, keeps each card's evidence (cardocr.confidence.
evidence: no values) and whether each field came out exactly right in
tools/calibration_samples.jsonl, and fits per document a logistic model over the evidence
followed by an isotonic map (cardocr.confidence.fit). Each document's default review
threshold is then measured on the same cards, each stated by a map fitted without its fold
(cardocr.confidence.threshold), and stored with the map. The bench reports on other seeds
(bench.suites.HOLDOUT_SEED): never fit on those.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SAMPLES = HERE / "calibration_samples.jsonl"
CALIBRATION_SEED = 900000  # nobody tunes the readers on these either
# seeds per document (~1.2 cards a seed). The Mainland card is read so well that 240 seeds showed
# the fit 3 wrong fields the card did not contradict; 960 show it 20. On session 27's dev read
# (tools.slips, 1,497 Mainland cards) the map of 240 seeds each let 3 of 207 wrong fields slip at
# 10.1% of cards sent, this one 1 at 12.0%. 960 seeds still showed it no wrong address or name
# whose least sure character was within e (margin_min < 1) of another reading (0 of 21; on
# session 27's dev and check reads 11 of 60 such fields were wrong); 2,880 seeds show it 6 of
# 65, and 66 wrong Mainland fields in all. On those dev and check reads (2,992 cards, their
# stored evidence, 347 wrong fields), at 11% / 13% of cards sent: 2 / 1 wrong fields slip
# (the 960-seed map: 4 / 2). The Hong Kong card's first 480 seeds showed the fit 31 wrong fields
# (0.05 a card), the held-out bench 172 in 1,490 cards (0.12); seeds 900480..901439 show 147 more
# (0.12 a card), and the licence's 297 more to its 123. On session 34's tune reads (tools.slips,
# 728 HK and 784 licence cards, their stored evidence) the 1,440-seed map states fields >= 0.95
# right 99.87% / 99.81% (the 480-seed map: 99.85% / 99.75%), ECE 0.002 / 0.003 (0.003 / 0.004)
COUNTS = {"id-card": 2880, "hk-id-card": 1440, "driver-license": 1440}
# seeds per chunk: a multiple of every sample plan's period (bench.suites.plan: conditions x sides,
# and a layout sample every 4th seed on alternating sides), so chunks read exactly the cards
# one run over all the seeds would
CHUNK = 24
ENGINE_THREADS = 2  # the engine's intra-op threads in this process (a worker's: _worker_init)


def collect_one(doc_type: str, key: tuple, photo: Any, truth: dict, request: Any) -> dict[str, Any] | None:
    """One sample through the pipeline: its evidence (what assess() calibrates), and per field
    whether it is exactly right; None when no card was read (nothing to calibrate)."""
    from cardocr.confidence import evidence_of
    from cardocr.documents import REGISTRY
    from cardocr.ocr.engine import get_engine
    from cardocr.pipeline import read

    try:
        result = read(REGISTRY[doc_type], photo, request, get_engine(ENGINE_THREADS))[0]
    except Exception:  # counted by the bench; here there is no reading to calibrate
        return None
    got = {k: f.value if f.value is not None else "" for k, f in result.fields.items()}
    return {"seed": key[0], "side": key[1], "condition": key[2], "evidence": evidence_of(result),
            "right": {k: got[k] == v for k, v in truth.items() if k in got}}


def collect(doc_type: str, count: int, seed0: int, out: Path | None = None) -> list[dict[str, Any]]:
    """The rows of `count` seeds' samples of one document (all its bench conditions); each
    row is appended to `out` as it is read."""
    from bench.suites import SUITES

    _title, gen, _n, _parse, conds = SUITES[doc_type]
    rows = []
    for key, photo, truth, request in gen(count, seed0, conds):
        row = collect_one(doc_type, key, photo, truth, request)
        if row is None:
            continue
        row["document"] = doc_type
        rows.append(row)
        if out is not None:
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
    return rows


def chunks(counts: dict[str, int], seed0: int) -> list[tuple[str, int, int]]:
    """(document, first seed, seeds) of every chunk, the documents interleaved so that a run
    stopped early has read some of each."""
    per_doc = {d: [(d, seed0 + i, min(CHUNK, n - i)) for i in range(0, n, CHUNK)] for d, n in counts.items()}
    out = []
    for i in range(max((len(c) for c in per_doc.values()), default=0)):
        out += [c[i] for c in per_doc.values() if i < len(c)]
    return out


def part_path(parts: Path, chunk: tuple[str, int, int], done: bool) -> Path:
    doc, first, n = chunk
    return parts / f"{doc}.{first}.{n}.{'jsonl' if done else 'reading'}"


def read_chunk(chunk: tuple[str, int, int], parts: Path) -> tuple[tuple[str, int, int], int, float]:
    """Read one chunk into its part file (started afresh: a chunk stopped midway is read again
    whole); (the chunk, cards read, seconds)."""
    t0 = time.perf_counter()
    reading = part_path(parts, chunk, done=False)
    reading.unlink(missing_ok=True)
    rows = collect(chunk[0], chunk[2], chunk[1], reading)
    if not rows:
        reading.touch()
    reading.rename(part_path(parts, chunk, done=True))
    return chunk, len(rows), time.perf_counter() - t0


def _worker_init(threads: int) -> None:
    global ENGINE_THREADS
    ENGINE_THREADS = threads


def read_all(counts: dict[str, int], seed0: int, samples: Path, jobs: int, fresh: bool,
             minutes: float | None = None) -> None:
    """Read every chunk not read yet (parts next to `samples`), then join the parts read into
    `samples`. `minutes`: start no chunk after that long (the chunks under way are finished);
    the chunks read so far are joined (the documents were interleaved, so each has some) and
    the parts kept, so that running again reads the rest."""
    parts = samples.with_name(samples.name + ".parts")
    if fresh and parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(exist_ok=True)
    todo_all = chunks(counts, seed0)
    todo = [c for c in todo_all if not part_path(parts, c, done=True).exists()]
    if len(todo) < len(todo_all):
        print(f"resuming: {len(todo_all) - len(todo)} of {len(todo_all)} chunks already read in {parts}",
              file=sys.stderr)
    t0, cards = time.perf_counter(), 0
    # the cores shared out between the workers: two engines of two threads each on two cores
    # only wait on each other
    threads = max(1, (os.cpu_count() or 2) // max(1, jobs))
    # chunks are handed out one per free worker, so a run out of time starts none after it:
    # submitted all at once, the pool had already passed some to its workers (cancel() is
    # refused for them), and how many depended on timing
    pending = iter(todo)
    with ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_worker_init, initargs=(threads,)) as pool:
        running: set[Future] = set()

        def feed() -> None:
            while len(running) < max(1, jobs):
                chunk = next(pending, None)
                if chunk is None:
                    return
                running.add(pool.submit(read_chunk, chunk, parts))

        feed()
        k = 0
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                running.discard(fut)
                k += 1
                (doc, first, n), got, _secs = fut.result()
                cards += got
                elapsed = time.perf_counter() - t0
                per100 = 100 * elapsed / max(1, cards)
                left = elapsed / k * (len(todo) - k)
                print(f"[{k}/{len(todo)}] {doc} seeds {first}..{first + n - 1}: {got} cards; {cards} cards in "
                      f"{elapsed:.0f} s ({per100:.0f} s per 100 cards), ~{left / 60:.0f} min left", file=sys.stderr,
                      flush=True)
            if minutes is None or time.perf_counter() - t0 < 60 * minutes:
                feed()
    read = [c for c in todo_all if part_path(parts, c, done=True).exists()]
    with samples.open("w") as fh:  # joined in document then seed order, whatever order they were read in
        for c in sorted(read, key=lambda c: (list(counts).index(c[0]), c[1])):
            fh.write(part_path(parts, c, done=True).read_text())
    if len(read) == len(todo_all):
        shutil.rmtree(parts)
    else:
        print(f"time is up: {len(read)} of {len(todo_all)} chunks read (fitting on those); run again to read the "
              f"rest", file=sys.stderr)
    if cards:
        print(f"read {cards} cards in {time.perf_counter() - t0:.0f} s with {jobs} workers", file=sys.stderr)


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def refit(samples: Path, out: Path | None = None) -> None:
    """Fit the map from the stored rows, measure each document's default threshold, save."""
    from cardocr.confidence import fit

    rows = load(samples)
    if not any("lines" in f for r in rows for f in r["evidence"]["fields"].values()):
        # the map would learn nothing from the lines (and read them at serving as absent)
        sys.exit("no card carries line evidence (confidence.lines): does the pipeline record it for "
                 "collect_one's request?")
    cal = fit.fit_all(rows)
    # the default review threshold, measured on what maps fitted without each card state for it
    for doc_type, review in fit.review_defaults(rows, fit.out_of_fold(rows)).items():
        cal[doc_type]["review"] = review
    fit.save(cal, *([out] if out is not None else []))
    for doc_type, m in cal.items():
        r = m["review"]
        print(f"{doc_type}: {m['n']} fields ({m['n'] - m['right']} wrong), {len(m['knots'])} knots; review "
              f"threshold {r['threshold']:.4f}: {100 * r['sent']:.1f}% of cards sent, {100 * r['slipped']:.1f}% of "
              f"wrong fields slip (out of fold; ≤ 0.5% slip from {r['safe_threshold']:.4f}, "
              f"{100 * r['safe_sent']:.1f}% sent)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refit", action="store_true", help="fit from --samples without reading cards")
    ap.add_argument("--docs", default=",".join(COUNTS))
    ap.add_argument("--count", type=int, default=None, help="seeds per document (default: COUNTS)")
    ap.add_argument("--seed", type=int, default=CALIBRATION_SEED)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    ap.add_argument("--collect-only", action="store_true", help="read the cards into --samples, do not fit")
    ap.add_argument("--jobs", type=int, default=2,
                    help=f"worker processes reading chunks of {CHUNK} seeds at once (default: 2, one per core of a "
                         "quiet 2-core machine; each holds the models, ~0.5 GB)")
    ap.add_argument("--map", type=Path, default=None,
                    help="write the map here (default: the shipped src/cardocr/confidence/calibration.json)")
    ap.add_argument("--minutes", type=float, default=None,
                    help="start no chunk after this many minutes; fit on the chunks read (run again for the rest)")
    ap.add_argument("--fresh", action="store_true", help="discard the chunks a stopped run read; read all again")
    args = ap.parse_args()
    if not args.refit:
        docs = args.docs.split(",")
        read_all({d: args.count or COUNTS[d] for d in docs}, args.seed, args.samples, args.jobs, args.fresh,
                 args.minutes)
    if not args.collect_only:
        refit(args.samples, args.map)


if __name__ == "__main__":
    main()
