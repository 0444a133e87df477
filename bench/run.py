"""`make bench`: field accuracy per capture condition, latency and throughput, for cardocr and
for plain whole-image OCR (the baseline), measured side by side in one process run.

Samples come from the synthetic generator (tools/cardgen) with fixed seeds, so two runs see the
same cards. Each sample's last result is remembered in bench/last_run.json, and the report
says which samples got better or worse since then. The table goes to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress

from bench import results
from bench.report import failures, holdout_report, report
from bench.suites import HOLDOUT_SEED, LAYOUT_EVERY, SUITES, Baseline, domain_truth, id_card_samples, plan
from cardocr.confidence import evidence_of
from cardocr.documents import REGISTRY
from cardocr.errors import ImageBlurred
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.types import ReadRequest

HERE = Path(__file__).parent

console = Console(stderr=True)


# -- the run --------------------------------------------------------------------------------

def measure(doc_type: str, key: tuple, photo, truth: dict, request: ReadRequest, evidence: bool = False) -> dict:
    """One sample through cardocr: its time and per-field exact match; with `evidence`, also
    the card's confidence evidence (cardocr.confidence.evidence_of, taken after the clock
    stops), which the calibration section reports on."""
    t0 = time.perf_counter()
    result = None
    try:
        result = read(REGISTRY[doc_type], photo, request, get_engine())[0]
        fields, err = result.fields, None
    except Exception as exc:  # the benchmark counts failures, it does not stop on them
        fields, err = {}, type(exc).__name__
    ours_s = time.perf_counter() - t0
    # an unread Boolean field answers false, an unread text field "" (as the wire formats do)
    got = {k: f.value if f.value is not None else "" for k, f in fields.items()}
    row = {"seed": key[0], "side": key[1], "condition": key[2], "ours_s": ours_s, "error": err,
            "ours": {k: got.get(k, "") == v for k, v in truth.items()},
            "conf": {k: round(float(fields[k].confidence), 4) for k in truth if k in fields},
            # synthetic cards' values, kept for the failure list (expected, read)
            "wrong": {k: [v, got.get(k, "")] for k, v in truth.items() if got.get(k, "") != v}}
    if evidence and result is not None:
        row["evidence"] = evidence_of(result)
    return row


def calibration_rows_of(doc_type: str, rows: list[dict]) -> list[dict]:
    """The rows the calibration section reads (tools.calibrate's shape) from measured rows; a
    sample no card was read from is left out, as tools.calibrate leaves it (nothing stated)."""
    return [{"document": doc_type, "seed": r["seed"], "side": r["side"], "condition": r["condition"],
             "evidence": r["evidence"], "right": {k: ok for k, ok in r["ours"].items() if k in r["evidence"]["fields"]}}
            for r in rows if "evidence" in r]


def measure_baseline(doc_type: str, row: dict, photo, truth: dict, base) -> None:
    """The same sample through the baseline, added to its row."""
    t0 = time.perf_counter()
    b = domain_truth(SUITES[doc_type][3](base.texts(photo)))
    row["base_s"] = time.perf_counter() - t0
    row["base"] = {k: b.get(k) == v for k, v in truth.items()}


def suite_conditions(doc_type: str, only: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The document's bench conditions, or those of them in `only`."""
    return tuple(c for c in SUITES[doc_type][4] if only is None or c in only)


def interleaved(counts: dict[str, int], seed0: int, only: tuple[str, ...] | None = None):
    """(doc_type, sample) with the documents' samples interleaved in proportion to their
    counts, so that the machine's drift over a half-hour run (it is shared) falls on every
    document alike and latencies can be compared across documents."""
    conds = {d: suite_conditions(d, only) for d in counts}
    sizes = {d: len(plan(d, n, seed0, conds[d])) for d, n in counts.items()}
    gens = {d: SUITES[d][1](n, seed0, conds[d]) for d, n in counts.items()}
    order = sorted((i / m, k, d) for k, (d, m) in enumerate(sizes.items()) for i in range(m))
    for _pos, _k, d in order:
        yield d, next(gens[d])


# The baseline's onnxruntime sessions keep rapidocr's default thread spinning, so a cardocr
# call made right after a baseline call shares the 2 cores with its still-spinning threads
# (in earlier runs cardocr's p50 came out up to 15% higher when the two alternated sample by
# sample than without the baseline; a later check on 30 samples found about 5%). So each
# chunk of samples goes through cardocr first and then, on the same photos, the baseline.
CHUNK = 24


def run(counts: dict[str, int], seed0: int, base, only: tuple[str, ...] | None = None,
        evidence: bool = False) -> dict[str, dict]:
    results: dict[str, dict] = {d: {"rows": []} for d in counts}
    samples = interleaved(counts, seed0, only)
    total = sum(len(plan(d, n, seed0, suite_conditions(d, only))) for d, n in counts.items())
    with Progress(console=console, transient=True) as progress:
        passes = 1 if base is None else 2
        task = progress.add_task(", ".join(counts), total=passes * total)
        while chunk := list(itertools.islice(samples, CHUNK)):
            rows = []
            for doc_type, (key, photo, truth, options) in chunk:
                rows.append(measure(doc_type, key, photo, truth, options, evidence))
                results[doc_type]["rows"].append(rows[-1])
                progress.advance(task)
            if base is not None:
                for (doc_type, (_key, photo, truth, _options)), row in zip(chunk, rows):
                    measure_baseline(doc_type, row, photo, truth, base)
                    progress.advance(task)
    return results


# -- quality and fraud signals (tools/cardgen/defects.py) -------------------------------------

SIGNALS_TITLE = "## Quality and fraud signals"


def _auroc(neg: list[float], pos: list[float]) -> float:
    if not neg or not pos:
        return float("nan")
    n, p = np.array(neg)[None, :], np.array(pos)[:, None]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def _signal_of(photo, name: str):
    """The signal as the pipeline computes it for the first card read, or None (no card). A
    card too blurred to read is answered ImageBlurred (the blur verdict) when blur is asked."""
    try:
        results = read(REGISTRY["id-card"], photo, ReadRequest(signals=frozenset({name})), get_engine())
    except ImageBlurred as exc:
        return exc.signal
    except Exception:  # the bench counts failures, it does not stop on them
        return None
    return results[0].signals.get(name)


def signals_report(count: int, seed0: int, ordinary: int, only: frozenset[str] = frozenset()) -> str:
    """Per signal with a detector: matched pairs (the same card and scene without and with the
    defect) from `seed0` on, and `ordinary` photos of the main bench's held-out cards
    (HOLDOUT_SEED on, no defect) for the false-alarm rate and the cost on p50. The detectors'
    thresholds were chosen on tools.cardgen.defects.TUNE_SEED.. and the main run's seeds
    (100000..); report on HELDOUT_SEED.. and HOLDOUT_SEED.., which nobody tunes on. The
    multi-card signal has no pairs: its row sets photos of two cards (bench.multicard.table_row)
    against the same ordinary photos, read with every signal asked."""
    from bench import multicard
    from cardocr.quality import CANDIDATES, MEASURABLE
    from cardocr.quality.multicard import MULTI_CARD
    from tools.cardgen.defects import SIGNALS, defect_pair

    names = [s for s in SIGNALS if s in MEASURABLE and (not only or s in only)]
    # the multi-card signal has photos of two cards of its own (bench.multicard), not pairs
    with_multi = not only or MULTI_CARD in only
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("signals", total=count * len(names) + ordinary)
        for name in names:
            neg, pos, unread = [], [], [0, 0]
            decided = {"tp": 0, "fp": 0, "pos": 0}
            for seed in range(seed0, seed0 + count):
                n_photo, p_photo, _side, _cond = defect_pair(name, seed)
                for k, (photo, bad) in enumerate(((n_photo, False), (p_photo, True))):
                    sig = _signal_of(photo, name)
                    decided["pos"] += bad
                    if sig is None:
                        unread[k] += 1
                        continue
                    (pos if bad else neg).append(sig.score)
                    decided["tp"] += bad and sig.decision
                    decided["fp"] += (not bad) and sig.decision
                progress.advance(task)
            rows.append([name, neg, pos, unread, decided])
        # each photo read three ways: no signals, the served ones (what a user can ask for),
        # all of them (candidates too; only while some are not served); the order rotates
        multi = {MULTI_CARD} if with_multi else set()
        served = frozenset(n for n in names if n not in CANDIDATES) | multi
        everything = frozenset(names) | multi
        counted = "all" if everything != served else "served"  # the way whose alarms count
        seconds: dict[str, list[float]] = {"plain": [], "served": [], "all": []}
        alarms: dict[str, list[bool]] = {name: [] for name in names}
        multi_seen: list[tuple[float, bool]] = []  # the multi-card signal on the ordinary photos
        for i, (_key, photo, truth, request) in enumerate(id_card_samples(ordinary, HOLDOUT_SEED)):
            ways = {"plain": request,
                    "served": ReadRequest(side=request.side, optional=request.optional, signals=served),
                    "all": ReadRequest(side=request.side, optional=request.optional, signals=everything)}
            if counted == "served":
                del ways["all"]
            order = list(ways)[i % len(ways):] + list(ways)[:i % len(ways)]
            for way in order:
                t0 = time.perf_counter()
                blurred = None
                try:
                    got = read(REGISTRY["id-card"], photo, ways[way], get_engine())
                except ImageBlurred as exc:  # an ordinary photo called too blurred to read: a false alarm
                    got, blurred = [], exc.signal
                except Exception:
                    got = []
                seconds[way].append(time.perf_counter() - t0)
                if way != counted:
                    continue
                if blurred is not None and "blur" in alarms:
                    alarms["blur"].append(blurred.decision)
                if got:
                    for name in names:
                        if name in got[0].signals and not (name == "invalid_date" and _ended(truth)):
                            alarms[name].append(got[0].signals[name].decision)
                    if MULTI_CARD in got[0].signals:
                        multi_seen.append((got[0].signals[MULTI_CARD].score, got[0].signals[MULTI_CARD].decision))
            progress.advance(task)
    lines = [SIGNALS_TITLE, "",
             f"Matched pairs from tools/cardgen/defects.py (the same Mainland ID card and scene without and "
             f"with the defect), seeds {seed0}..{seed0 + count - 1}, read through the pipeline with the signal "
             f"asked for; false alarms on {ordinary} ordinary photos of the main bench's held-out cards "
             f"(seeds {HOLDOUT_SEED}..). Thresholds were chosen on seeds 700000.. and the main run's "
             "(100000..), never on these. A photo with no card read has no signal: an unread positive counts "
             "as missed, an unread negative is left out. An ordinary card whose own period has ended by "
             "today is left out of invalid_date's false alarms.", "",
             "| signal | pairs | AUROC | precision | recall | false alarms (ordinary) | unread neg/pos |",
             "|---|---|---|---|---|---|---|"]
    for name, neg, pos, unread, d in rows:
        flagged = d["tp"] + d["fp"]
        precision = f"{d['tp'] / flagged:.3f} ({d['tp']}/{flagged})" if flagged else "–"
        recall = f"{d['tp'] / d['pos']:.3f} ({d['tp']}/{d['pos']})" if d["pos"] else "–"
        fa = alarms[name]
        shown = f"{name} (candidate, not served)" if name in CANDIDATES else name
        lines.append(f"| {shown} | {count} | {_auroc(neg, pos):.3f} | {precision} | {recall} | "
                     f"{sum(fa) / max(1, len(fa)):.1%} ({sum(fa)}/{len(fa)}) | {unread[0]}/{unread[1]} |")
    if with_multi:
        lines.append(multicard.table_row(multicard.PHOTOS, multi_seen))
    if seconds["plain"]:
        p0, p1 = (float(np.median(seconds[w])) for w in ("plain", "served"))
        n_served = sum(1 for n in names if n not in CANDIDATES) + with_multi
        also = ""
        if seconds["all"]:
            p2 = float(np.median(seconds["all"]))
            also = f", with all {len(everything)} (candidates too) {p2:.3f} s ({p2 / p0 - 1:+.1%})"
        lines += ["", f"Cost: p50 of the same {ordinary} ordinary photos read without signals {p0:.3f} s, with the "
                  f"{n_served} served signals {p1:.3f} s ({p1 / p0 - 1:+.1%}){also}; each photo read "
                  f"{'three ways' if also else 'both ways'}, the order rotating."]
    return "\n".join(lines) + "\n"


def _ended(truth: dict) -> bool:
    """Whether an ordinary card's own period (its truth) is invalid on the day the bench runs:
    the generator's cards are made as of its own today (tools/cardgen/person.TODAY), so some
    have ended since. The invalid-period signal raised on those is right, not a false alarm."""
    from cardocr.quality.validity import invalid_date
    from cardocr.types import Field, Reading

    if "valid_from" not in truth:
        return False
    fields = {k: Field(truth[k], 1.0) for k in ("valid_from", "valid_to")}
    verdict = invalid_date(Reading("id-card", "back", fields))
    return verdict is not None and verdict.decision


def splice_signals(path: Path, section: str) -> None:
    results.splice(path, SIGNALS_TITLE, section)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", default=",".join(SUITES), help="comma-separated document types to run")
    ap.add_argument("--count", type=int, default=None,
                    help=f"seeds per document (default: per suite); each seed is one sample, and every "
                         f"{LAYOUT_EVERY}th seed a `layout` sample as well")
    ap.add_argument("--conditions", default=None,
                    help="comma-separated conditions to keep (e.g. layout, or scan,photo); default: all. "
                         "The samples keep their seeds, so `--count 120 --conditions layout` reads the 30 "
                         "layout samples of a 120-seed run")
    ap.add_argument("--seed", type=int, default=100000)
    ap.add_argument("--no-baseline", action="store_true")
    # 200 seeds: ~65 photos and 50 layout samples per document; at 60 seeds one unread card
    # moved a condition's score by 5 points
    ap.add_argument("--holdout", type=int, default=200,
                    help=f"seeds per document from {HOLDOUT_SEED} on, read after the main run (0: none)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--state", type=Path, default=HERE / "last_run.json",
                    help="per-sample results of the last run, compared with and then replaced")
    ap.add_argument("--signals", type=int, default=40,
                    help="matched defect pairs per quality signal, from tools.cardgen.defects.HELDOUT_SEED (0: none)")
    ap.add_argument("--signals-only", action="store_true",
                    help="run only the signals section and splice it into --out")
    ap.add_argument("--signal-names", default="",
                    help="comma-separated signals to measure (default: every signal with a detector)")
    ap.add_argument("--calibration", type=int, default=None,
                    help="the calibrated-confidence section: seeds per document from "
                         f"{HOLDOUT_SEED} (default: bench.calibration.SEEDS; 0: no section). The held-out "
                         "section's samples are among them; the rest are read by two worker processes")
    ap.add_argument("--calibration-only", action="store_true",
                    help="run only the calibration section and splice it into --out")
    ap.add_argument("--calibration-rows", type=Path, nargs="*", default=[],
                    help="report on rows stored by python -m tools.calibrate --collect-only instead of reading")
    ap.add_argument("--keep-calibration-rows", type=Path, default=None,
                    help="also write the calibration section's rows (tools.calibrate's shape) to this file, "
                         "so that a refitted map can be reported on the same reads with --calibration-rows")
    ap.add_argument("--scaling", action="store_true",
                    help="run only the serving benchmark (bench/scaling.py; its own flags follow) and splice "
                         "its section into --out")
    args, rest = ap.parse_known_args()
    if args.scaling:
        from bench import memory, scaling

        flags = scaling.parse([*rest, "--out", str(args.out)])
        if flags.memory:  # the memory run shares the serving bench's flags and server
            section = memory.memory_run(flags)
            print(section)
            memory.splice_memory(flags.out, section)
        else:
            scaling.main(flags)
        return
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    from cardocr.ocr import get_engine

    get_engine()  # load models before timing
    if args.calibration_only:
        from bench import calibration

        docs = args.docs.split(",")
        seeds = calibration.seeds_for(docs, args.calibration)
        by_doc = calibration.run(docs, seeds, HOLDOUT_SEED, args.calibration_rows)
        source = (f"Rows stored by `python -m tools.calibrate --collect-only --seed {HOLDOUT_SEED}` "
                  f"({', '.join(p.name for p in args.calibration_rows)}).") if args.calibration_rows \
            else calibration.source(seeds, HOLDOUT_SEED, 0)
        section = calibration.report(by_doc, HOLDOUT_SEED, args.out.parent / "calibration.png", source)
        print(section)
        calibration.splice(args.out, section)
        return
    if args.signals_only:
        from tools.cardgen.defects import HELDOUT_SEED

        only = frozenset(n for n in args.signal_names.split(",") if n)
        section = signals_report(args.signals, HELDOUT_SEED, args.holdout, only)
        print(section)
        splice_signals(args.out, section)
        return
    base = None if args.no_baseline else Baseline()
    last = args.state
    stored = json.loads(last.read_text()) if last.exists() else {}
    if "rows" in stored:  # the single-document format of earlier runs
        stored = {"id-card": stored}
    sections = {}
    counts = {d: args.count or SUITES[d][2] for d in args.docs.split(",") if d}
    only = tuple(c for c in args.conditions.split(",") if c) if args.conditions else None
    if only and (unknown := set(only) - {c for d in counts for c in SUITES[d][4]}):
        ap.error(f"unknown conditions {sorted(unknown)} for {', '.join(counts)}")
    counts = {d: n for d, n in counts.items() if suite_conditions(d, only)}  # e.g. thumb: HK only
    for doc_type, result in run(counts, args.seed, base, only).items():
        result["when"] = time.strftime("%Y-%m-%d %H:%M")
        sections[doc_type] = report(doc_type, result, stored.get(doc_type), CHUNK)
        stored[doc_type] = result
        print(sections[doc_type])
    held, calibration_rows = "", {}
    if args.holdout:
        # the held-out reads keep their evidence: the calibration section reports on all of them
        held_results = run({d: args.holdout for d in counts}, HOLDOUT_SEED, None, only,
                           evidence=args.calibration != 0)
        calibration_rows = {d: (args.holdout, calibration_rows_of(d, res["rows"])) for d, res in held_results.items()}
        held = holdout_report(held_results, HOLDOUT_SEED)
        for doc_type, result in held_results.items():
            if missed := failures(result["rows"]):
                held += f"\n{SUITES[doc_type][0]}, held out:\n" + "\n".join(missed) + "\n"
        print(held)
    # documents not run this time keep their last results in the table
    parts = ["# Benchmark (`make bench`)", "",
             f"Machine: {platform.machine()}, 2 cores, shared and noisy: quote ratios and medians. "
             "Baseline: rapidocr 3 default pipeline (PP-OCRv6 det+rec) over the whole photo, fields by "
             "regex over its text, as whole-image OCR integrations do.", ""]
    if len(sections) > 1:
        parts += ["## Latency side by side (this run, samples interleaved)", "",
                  "| document | samples | cardocr p50 | baseline p50 |", "|---|---|---|---|"]
        for doc_type in sections:
            rows = stored[doc_type]["rows"]
            base_p50 = f"{np.median([r['base_s'] for r in rows]):.3f}" if "base_s" in rows[0] else "–"
            parts.append(f"| {SUITES[doc_type][0]} | {len(rows)} | "
                         f"{np.median([r['ours_s'] for r in rows]):.3f} | {base_p50} |")
        parts.append("")
    if held:
        parts.append(held)
    if args.signals:
        from tools.cardgen.defects import HELDOUT_SEED

        parts.append(signals_report(args.signals, HELDOUT_SEED, args.holdout))
    if args.calibration != 0:
        from bench import calibration

        # with --conditions, only the held-out section's samples (of those conditions)
        seeds = {d: args.holdout for d in counts} if only else calibration.seeds_for(list(counts), args.calibration)
        by_doc = calibration.run(list(counts), seeds, HOLDOUT_SEED, [], calibration_rows)
        source = calibration.source(seeds, HOLDOUT_SEED, args.holdout if calibration_rows else 0)
        section = calibration.report(by_doc, HOLDOUT_SEED, args.out.parent / "calibration.png", source)
        print(section)
        parts.append(section)
    for doc_type, result in stored.items():
        text = sections.get(doc_type) or report(doc_type, result, None)
        parts.append(text + f"\n_Run: {result.get('when', 'earlier')}._\n")
    from bench.scaling import section_of  # the serving section (make bench-scaling) is kept as it was

    serving = section_of(args.out.read_text()) if args.out.exists() else ""
    args.out.write_text("\n".join(parts) + ("\n" + serving if serving else ""))
    last.write_text(json.dumps(stored))
    if args.calibration != 0 and args.keep_calibration_rows:  # after the results are safe
        calibration.keep(by_doc, args.keep_calibration_rows)


if __name__ == "__main__":
    main()
