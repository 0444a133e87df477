"""The multi-card signal (cardocr.quality.multicard) on generated photos.

    .venv/bin/python -m bench.multicard                 # held-out seeds: the report
    .venv/bin/python -m bench.multicard --tune          # the tuning seeds (choose thresholds here)

Positives: tools/cardgen/multicard.py photos (two fronts, two backs, a front and a back; apart,
overlapping, different sizes; scan, photo, small), seeds HELDOUT_SEED.. (or TUNE_SEED..).
Each is read twice: as Huawei `side=double_side` (two of one side should be refused,
MultiCardError / AIS.0122; a front and a back read) and as a plain reading asking for the
signal (what Tencent's requests ask: is there another card?). Negatives: ordinary one-card
photos of the main bench, held-out seeds 500000.. (or the tuning 100000..), each read without
and with the signal, the order alternating, for false alarms and the cost on p50.

`make bench` has the signal's row in its signals table too (`table_row`, since session 31):
PHOTOS held-out photos of two cards against the ordinary photos the table reads anyway.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from bench.suites import HOLDOUT_SEED, id_card_samples
from cardocr.documents import REGISTRY
from cardocr.errors import CardOcrError, MultiCardError
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.quality.multicard import MULTI_CARD, SAME_SIDE
from cardocr.types import BOTH_SIDES, ReadRequest
from tools.cardgen.multicard import HELDOUT_SEED, TUNE_SEED, multi_card_sample

DOC = REGISTRY["id-card"]
ASK = ReadRequest(signals=frozenset({MULTI_CARD}))


def _outcome(photo: np.ndarray, request: ReadRequest) -> tuple[str, dict[str, bool]]:
    try:
        results = read(DOC, photo, request, get_engine())
    except MultiCardError:
        return "refused", {}
    except CardOcrError as exc:
        return type(exc).__name__, {}
    sides = "+".join(r.side for r in results)
    return sides, {k: s.decision for k, s in results[0].signals.items() if k in (MULTI_CARD, SAME_SIDE)} | {
        k + "_score": s.score for k, s in results[0].signals.items() if k in (MULTI_CARD, SAME_SIDE)}


def positives(seed0: int, count: int) -> list[dict]:
    rows = []
    for seed in range(seed0, seed0 + count):
        s = multi_card_sample(seed)
        double, _ = _outcome(s.photo, ReadRequest(side=BOTH_SIDES))
        plain, signals = _outcome(s.photo, ASK)
        rows.append({"seed": seed, "kind": s.kind, "arrangement": s.arrangement, "condition": s.condition,
                     "double": double, "plain": plain, "multi": signals.get(MULTI_CARD, False),
                     "same": signals.get(SAME_SIDE, False), "score": signals.get(MULTI_CARD + "_score")})
        print(rows[-1], flush=True)
    return rows


def negatives(seed0: int, count: int) -> tuple[list[bool], list[float], list[float]]:
    alarms, plain_s, with_s = [], [], []
    for i, (_key, photo, _truth, _request) in enumerate(id_card_samples(count, seed0)):
        for asked in ((False, True) if i % 2 else (True, False)):
            t0 = time.perf_counter()
            try:
                got = read(DOC, photo, ASK if asked else ReadRequest(), get_engine())
            except CardOcrError:
                got = []
            (with_s if asked else plain_s).append(time.perf_counter() - t0)
            if asked and got:
                alarms.append(got[0].signals[MULTI_CARD].decision)
                if got[0].signals[MULTI_CARD].score:
                    print("ordinary", i, got[0].signals[MULTI_CARD], flush=True)
    return alarms, plain_s, with_s


def report(rows: list[dict], alarms: list[bool], plain_s: list[float], with_s: list[float],
           seed0: int, neg0: int) -> str:
    same = [r for r in rows if r["kind"] != "front_back"]
    fb = [r for r in rows if r["kind"] == "front_back"]
    refused = sum(r["double"] == "refused" for r in same)
    flagged = sum(r["multi"] for r in rows)
    false_alarms = sum(alarms)
    lines = ["## Multi-card (more than one card in the photo)", "",
             f"{len(rows)} photos of tools/cardgen/multicard.py (seeds {seed0}..{seed0 + len(rows) - 1}), "
             f"{len(alarms)} ordinary one-card photos of the main bench (seeds {neg0}..). "
             f"Thresholds were chosen on seeds {TUNE_SEED}.. and 100000.., never on these.", "",
             "| measure | value |", "|---|---|",
             f"| two of one side, `side=double_side` refused (AIS.0122) — recall | "
             f"{refused / max(1, len(same)):.3f} ({refused}/{len(same)}) |",
             f"| two of one side, `double_side` other outcomes | "
             f"{dict(Counter(r['double'] for r in same if r['double'] != 'refused'))} |",
             f"| front and back, `double_side` read both | {sum(r['double'] == 'front+back' for r in fb)}/{len(fb)} "
             f"(refused {sum(r['double'] == 'refused' for r in fb)}) |",
             f"| another card seen (plain reading + signal) — recall | {flagged / max(1, len(rows)):.3f} "
             f"({flagged}/{len(rows)}; not read at all: {sum(r['plain'] not in ('front', 'back') for r in rows)}) |",
             f"| false alarms on ordinary photos | {false_alarms / max(1, len(alarms)):.1%} "
             f"({false_alarms}/{len(alarms)}) |",
             f"| precision of 'another card' (multi-card photos and ordinary ones) | "
             f"{flagged / max(1, flagged + false_alarms):.3f} ({flagged}/{flagged + false_alarms}) |"]
    for key in ("arrangement", "condition", "kind"):
        by = Counter(r[key] for r in rows)
        hit = Counter(r[key] for r in rows if r["multi"])
        lines.append(f"| recall of 'another card' by {key} | "
                     + ", ".join(f"{k} {hit[k]}/{n}" for k, n in sorted(by.items())) + " |")
    if plain_s:
        p0, p1 = float(np.median(plain_s)), float(np.median(with_s))
        lines += ["", f"Cost: p50 of the {len(plain_s)} ordinary photos read without the signal {p0:.3f} s, with "
                  f"it {p1:.3f} s ({p1 / p0 - 1:+.1%}); each photo read both ways, the order alternating."]
    return "\n".join(lines) + "\n"


PHOTOS = 54  # held-out photos of two cards in make bench's signals table (27 cover every combination)


def table_row(count: int, ordinary: list[tuple[float, bool]]) -> str:
    """make bench's signals row for the multi-card signal: `count` held-out photos of two cards
    (HELDOUT_SEED..) read as Tencent's requests ask (the signal, no side), against the (score,
    decision) of the main bench's held-out one-card photos read with every signal. Precision
    counts those photos' alarms as the false ones (there are no matched twins); a photo where
    no card was read counts as missed."""
    from bench.run import _auroc  # (bench.run imports this module)

    scores, hits, unread = [], 0, 0
    for seed in range(HELDOUT_SEED, HELDOUT_SEED + count):
        _sides, seen = _outcome(multi_card_sample(seed).photo, ASK)
        unread += MULTI_CARD not in seen
        scores.append(float(seen.get(MULTI_CARD + "_score", 0.0)))
        hits += bool(seen.get(MULTI_CARD, False))
    alarms = sum(1 for _score, decision in ordinary if decision)
    flagged = hits + alarms
    precision = f"{hits / flagged:.3f} ({hits}/{flagged})" if flagged else "–"
    return (f"| multi_card ({count} photos of two cards, seeds {HELDOUT_SEED}..) | – | "
            f"{_auroc([score for score, _d in ordinary], scores):.3f} | {precision} | "
            f"{hits / max(1, count):.3f} ({hits}/{count}) | {alarms / max(1, len(ordinary)):.1%} "
            f"({alarms}/{len(ordinary)}) | –/{unread} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tune", action="store_true", help="the tuning seeds instead of the held-out ones")
    ap.add_argument("--count", type=int, default=54, help="multi-card photos (27 covers every combination)")
    ap.add_argument("--ordinary", type=int, default=60, help="ordinary one-card photos")
    ap.add_argument("--out", type=Path, default=None, help="write the report here too")
    args = ap.parse_args()
    seed0, neg0 = (TUNE_SEED, 100000) if args.tune else (HELDOUT_SEED, HOLDOUT_SEED)
    rows = positives(seed0, args.count)
    alarms, plain_s, with_s = negatives(neg0, args.ordinary)
    text = report(rows, alarms, plain_s, with_s, seed0, neg0)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
