"""Field exact-match on temporary resident ID cards (tools/cardgen/interim.py), per capture
condition: the data side read on the id-card endpoint as the front (the six front fields) and
with side=back (the authority and the validity period, printed on the same side).

    python -m bench.temporary --seed 800000 --count 12

Seeds from 800000 are held out (nobody tunes on them); the reader's temporary layout was drawn
from the generator's, and tried on seeds 1..3 only.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np

from cardocr.documents import REGISTRY
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.types import ReadRequest
from tools.cardgen.interim import make_interim_sample

FRONT = ("name", "sex", "ethnicity", "birth", "address", "number")
BACK = {"authority": "issue", "valid_from": "valid_from", "valid_to": "valid_to"}
CONDITIONS = ("scan", "photo", "small", "layout")


def run(seed0: int, count: int) -> str:
    right: dict[tuple[str, str], list[bool]] = defaultdict(list)
    seconds = []
    for seed in range(seed0, seed0 + count):
        for cond in CONDITIONS:
            photo, person, _ = make_interim_sample(seed, "front", cond)
            for side in ("front", "back"):
                t0 = time.perf_counter()
                try:
                    fields = read(REGISTRY["id-card"], photo, ReadRequest(side=side), get_engine())[0].fields
                except Exception:  # the bench counts failures, it does not stop on them
                    fields = {}
                seconds.append(time.perf_counter() - t0)
                truth = ({k: getattr(person, k) for k in FRONT} if side == "front" else
                         {k: getattr(person, v) for k, v in BACK.items()})
                for k, v in truth.items():
                    right[(cond, k)].append(k in fields and fields[k].value == v)
    lines = [f"Temporary cards, seeds {seed0}..{seed0 + count - 1}: field exact-match by condition", "",
             "| field | " + " | ".join(CONDITIONS) + " |", "|---|" + "---|" * len(CONDITIONS)]
    for k in (*FRONT, *BACK):
        cells = [f"{100 * np.mean(right[(c, k)]):.0f}%" for c in CONDITIONS]
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    cells = [f"{100 * np.mean([v for (c, _k), vs in right.items() if c == cond for v in vs]):.1f}%"
             for cond in CONDITIONS]
    lines += ["| **all** | " + " | ".join(cells) + " |", "", f"p50 per read {np.median(seconds):.3f} s"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=800000)
    ap.add_argument("--count", type=int, default=12)
    args = ap.parse_args()
    get_engine()
    print(run(args.seed, args.count))


if __name__ == "__main__":
    main()
