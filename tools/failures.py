"""Which fields a reader gets wrong, and how: generator cards through pipeline.read, every
wrong field printed as expected / got, then a tally per field.

    python -m tools.failures id-card --cond layout --seeds 500000:500060
    python -m tools.failures driver-license --cond photo --side back --seeds 100000:100030

Uses the bench's sample functions and truth (bench.run), so a field counted wrong here is
counted wrong there. Field values are synthetic: printing them is fine.
"""

from __future__ import annotations

import argparse
import collections

from bench.suites import SUITES
from cardocr.documents import REGISTRY
from cardocr.ocr import get_engine
from cardocr.pipeline import read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("doc", choices=sorted(SUITES))
    ap.add_argument("--seeds", default="100000:100030", help="first:last (exclusive) of the bench's seeds")
    ap.add_argument("--cond", default="", help="only this capture condition")
    ap.add_argument("--side", default="", help="only keys whose side/layout starts with this")
    ap.add_argument("--quiet", action="store_true", help="the tally only")
    args = ap.parse_args()
    first, last = (int(x) for x in args.seeds.split(":"))
    gen = SUITES[args.doc][1]
    engine = get_engine()
    wrong: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = gen(last - first, first, (args.cond,)) if args.cond else gen(last - first, first)
    for (seed, side, cond), photo, truth, request in samples:
        if (args.cond and cond != args.cond) or (args.side and not str(side).startswith(args.side)):
            continue
        try:
            fields = read(REGISTRY[args.doc], photo, request, engine)[0].fields
        except Exception as exc:  # noqa: BLE001 - a tool: report and go on
            print(f"{seed} {side} {cond}: {type(exc).__name__}")
            fields = {}
        for name, want in truth.items():
            f = fields.get(name)
            got = "" if f is None or f.value is None else f.value
            total[name] += 1
            if got != want:
                wrong[name] += 1
                if not args.quiet:
                    print(f"{seed} {side} {cond} {name}: want {want!r} got {got!r}")
    right = sum(total.values()) - sum(wrong.values())
    print(f"\n{right}/{sum(total.values())} fields right")
    for name, n in wrong.most_common():
        print(f"  {name}: {n}/{total[name]} wrong")


if __name__ == "__main__":
    main()
