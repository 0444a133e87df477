"""Per edit kind, the tampering signal as the pipeline computes it (issue 16): `python -m
tools.tamper_kinds --pairs 700000:700120 --ordinary 100000:100060`.

Each photo of tools.cardgen.defects' tampering pairs (the same photo unedited and edited) and of
the main bench's ordinary Mainland ID photos (bench.suites.id_card_samples: scan, photo, small
and layout) is read through the pipeline with the signal asked for, as bench/run.py does; the
edit's kind (retype, copymove, splice, portrait: tools/cardgen/tamper.py) is recorded while the
pair is made. Prints AUROC (edited against unedited twins), recall per kind and capture, twins and
ordinary photos flagged. Tune and check ranges only (defects.TUNE_SEED.., 1400000..); the held-out
ranges are bench/run.py's.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from bench.run import _auroc, _signal_of
from bench.suites import id_card_samples
from tools.tamper_masks import edited_pair


def _kind_of(seed: int) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(unedited, edited, kind, condition): the edit tamper.tampered carried out (a copy-move
    that would leave the photo, a row spliced instead, counts as a splice), as
    tools.tamper_masks watches the generator make the pair."""
    neg, pos, _side, condition, _corners, _mask, kind = edited_pair(seed)
    return neg, pos, kind, condition


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", default="700000:700040", help="defect seeds a:b")
    ap.add_argument("--ordinary", default="100000:100030", help="main-bench seeds a:b (no edit)")
    args = ap.parse_args(argv)
    a, b = (int(v) for v in args.pairs.split(":"))
    neg_scores, pos_scores = [], []
    hits: Counter[tuple[str, str]] = Counter()
    totals: Counter[tuple[str, str]] = Counter()
    twins = 0
    for seed in range(a, b):
        neg, pos, kind, condition = _kind_of(seed)
        n, p = _signal_of(neg, "tampering"), _signal_of(pos, "tampering")
        totals[(kind, condition)] += 1
        if n is not None:
            neg_scores.append(n.score)
            twins += n.decision
        if p is not None:
            pos_scores.append(p.score)
            hits[(kind, condition)] += p.decision
    flagged = read = 0
    o0, o1 = (int(v) for v in args.ordinary.split(":"))
    for _key, photo, _truth, _request in id_card_samples(o1 - o0, o0, ("scan", "photo", "small", "layout")):
        s = _signal_of(photo, "tampering")
        if s is not None:
            read += 1
            flagged += s.decision
    print(f"pairs {a}..{b - 1}: AUROC {_auroc(neg_scores, pos_scores):.3f}, recall {sum(hits.values())}/{b - a}, "
          f"twins flagged {twins}/{len(neg_scores)}; ordinary {o0}..{o1 - 1}: flagged {flagged}/{read}")
    for kind in sorted({k for k, _c in totals}):
        per = ", ".join(f"{c} {hits[(kind, c)]}/{totals[(kind, c)]}" for c in ("scan", "photo", "small"))
        print(f"  {kind:16s} {sum(hits[(kind, c)] for c in ('scan', 'photo', 'small'))}/"
              f"{sum(totals[(kind, c)] for c in ('scan', 'photo', 'small'))}  {per}")


if __name__ == "__main__":
    main()
