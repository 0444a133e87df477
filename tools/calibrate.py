"""Fit the confidence calibration map (src/cardocr/confidence/calibration.json).

    python -m tools.calibrate                 # read the calibration cards, then fit
    python -m tools.calibrate --refit         # fit again from the stored evidence only

Reading the cards is the long part: one process per document (--jobs), each card about as
long as a request. Evidence stored by an older cardocr may lack what the map now reads
(cardocr.confidence.evidence.FEATURES): after a change to the readers or the evidence, read
the cards again rather than --refit.

Reads generator cards (tools/cardgen, through bench.run's sample plans: every condition,
`layout` included) from CALIBRATION_SEED on, keeps each card's evidence (cardocr.confidence.
evidence: no values) and whether each field came out exactly right in
tools/calibration_samples.jsonl, and fits per document a logistic model over the evidence
followed by an isotonic map (cardocr.confidence.fit). Each document's default review
threshold is then measured on the same cards, each stated by a map fitted without its fold
(cardocr.confidence.threshold), and stored with the map. The bench reports on other seeds
(bench.run.HOLDOUT_SEED): never fit on those.

On two shared cores the whole read takes most of an hour (about 900 cards); each document's
rows go to <samples>.<document>.part as they are read, so a run cut short can still be fitted:
`cat` the parts into the samples file and --refit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SAMPLES = HERE / "calibration_samples.jsonl"
CALIBRATION_SEED = 900000  # nobody tunes the readers on these either
COUNTS = {"id-card": 240, "hk-id-card": 240, "driver-license": 240}  # ~300 cards each


def collect_one(doc_type: str, key: tuple, photo: Any, truth: dict, request: Any) -> dict[str, Any] | None:
    """One sample through the pipeline: its evidence (what assess() calibrates), and per field
    whether it is exactly right; None when no card was read (nothing to calibrate)."""
    from cardocr.confidence import evidence_of
    from cardocr.documents import REGISTRY
    from cardocr.ocr.engine import get_engine
    from cardocr.pipeline import read

    try:
        result = read(REGISTRY[doc_type], photo, request, get_engine())[0]
    except Exception:  # counted by the bench; here there is no reading to calibrate
        return None
    got = {k: f.value if f.value is not None else "" for k, f in result.fields.items()}
    return {"seed": key[0], "side": key[1], "condition": key[2], "evidence": evidence_of(result),
            "right": {k: got[k] == v for k, v in truth.items() if k in got}}


def collect(doc_type: str, count: int, seed0: int, out: Path | None = None) -> list[dict[str, Any]]:
    """The rows of `count` seeds' samples of one document (all its bench conditions)."""
    from bench.run import SUITES

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


def _collect_count(doc_type: str, count: int, seed0: int, out: Path) -> int:
    return len(collect(doc_type, count, seed0, out))


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refit", action="store_true", help="fit from --samples without reading cards")
    ap.add_argument("--docs", default=",".join(COUNTS))
    ap.add_argument("--count", type=int, default=None, help="seeds per document (default: COUNTS)")
    ap.add_argument("--seed", type=int, default=CALIBRATION_SEED)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    ap.add_argument("--collect-only", action="store_true", help="append the rows to --samples, do not fit")
    ap.add_argument("--jobs", type=int, default=3,
                    help="documents read at once, one process each (default: 3, every document at once)")
    args = ap.parse_args()
    from cardocr.confidence import fit

    if not args.refit:
        if not args.collect_only and args.samples.exists():
            args.samples.unlink()
        docs = args.docs.split(",")
        t0 = time.perf_counter()
        # one process per document (each loads the models once), each appending its rows to a
        # part file as it goes (a run cut short keeps what it read); parts joined in document order
        partial = [args.samples.with_name(f"{args.samples.name}.{d}.part") for d in docs]
        for p in partial:
            p.unlink(missing_ok=True)
        with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(docs)))) as pool:
            counts = list(pool.map(_collect_count, docs, [args.count or COUNTS[d] for d in docs],
                                   [args.seed] * len(docs), partial))
        with args.samples.open("a") as fh:
            for p in partial:
                fh.write(p.read_text())
                p.unlink()
        print(f"read {sum(counts)} cards in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.collect_only:
        return
    rows = load(args.samples)
    if not any("lines" in f for r in rows for f in r["evidence"]["fields"].values()):
        # the map would learn nothing from the lines (and read them at serving as absent)
        sys.exit("no card carries line evidence (confidence.lines): does the pipeline record it for "
                 "collect_one's request?")
    cal = fit.fit_all(rows)
    # the default review threshold, measured on what maps fitted without each card state for it
    for doc_type, review in fit.review_defaults(rows, fit.out_of_fold(rows)).items():
        cal[doc_type]["review"] = review
    fit.save(cal)
    for doc_type, m in cal.items():
        r = m["review"]
        print(f"{doc_type}: {m['n']} fields ({m['n'] - m['right']} wrong), {len(m['knots'])} knots; review "
              f"threshold {r['threshold']:.4f}: {100 * r['sent']:.1f}% of cards sent, {100 * r['slipped']:.1f}% of "
              f"wrong fields slip (out of fold; ≤ 0.5% slip from {r['safe_threshold']:.4f}, "
              f"{100 * r['safe_sent']:.1f}% sent)", file=sys.stderr)


if __name__ == "__main__":
    main()
