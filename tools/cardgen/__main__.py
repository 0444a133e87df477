"""CLI: python -m tools.cardgen OUT_DIR --count 20 --seed 1

Writes OUT_DIR/<seed>_<side>_<condition>.jpg and OUT_DIR/truth.jsonl with the
ground-truth fields, the condition, the side and the card corners.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random

import cv2
import numpy as np

from . import CONDITIONS, SIDES, make_sample
from .hk import HK_CONDITIONS, write_samples


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tools.cardgen", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="first sample seed (samples use seed, seed+1, ...)")
    ap.add_argument("--condition", choices=HK_CONDITIONS, action="append",
                    help="restrict to these conditions (repeatable); default: all, cycled")
    ap.add_argument("--side", choices=SIDES, action="append",
                    help="restrict to these sides (repeatable); default: front/back random, sometimes both")
    ap.add_argument("--quality", type=int, default=95, help="JPEG quality of the written files")
    ap.add_argument("--doc", choices=("cn", "hk", "licence"), default="cn",
                    help="cn: Mainland ID card (default); hk: Hong Kong ID card front, see tools/cardgen/hk.py "
                         "(then --condition may also be 'thumb' and --side is ignored); "
                         "licence: Mainland driving licence, see tools/cardgen/licence.py")
    ap.add_argument("--layout", choices=("2003", "2018"), action="append", help="--doc hk only: restrict layouts")
    args = ap.parse_args(argv)
    if args.doc == "cn" and args.condition and "thumb" in args.condition:
        ap.error("--condition thumb exists only with --doc hk")
    if args.doc == "licence":
        from .licence import write_licence_samples
        if args.condition and "thumb" in args.condition:
            ap.error("--condition thumb exists only with --doc hk")
        write_licence_samples(args.out_dir, args.count, args.seed, args.condition, args.side, args.quality)
        return
    if args.doc == "hk":
        write_samples(args.out_dir, args.count, args.seed, args.condition, args.layout, args.quality)
        return

    args.out_dir.mkdir(parents=True, exist_ok=True)
    conditions = args.condition or list(CONDITIONS)
    with open(args.out_dir / "truth.jsonl", "w", encoding="utf-8") as fh:
        for i in range(args.count):
            seed = args.seed + i
            condition = conditions[i % len(conditions)]
            pick = random.Random(seed * 7919 + 17)
            if args.side:
                side = pick.choice(args.side)
            else:
                side = pick.choice(("front", "front", "back", "back", "both"))
            photo, person, corners = make_sample(seed, side, condition)
            name = f"{seed:06d}_{side}_{condition}.jpg"
            cv2.imwrite(str(args.out_dir / name), photo, [cv2.IMWRITE_JPEG_QUALITY, args.quality])
            rec = {"file": name, "seed": seed, "side": side, "condition": condition,
                   "width": photo.shape[1], "height": photo.shape[0],
                   **person.to_dict(), "corners": np.asarray(corners, np.float64).round(2).tolist()}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(name)


if __name__ == "__main__":
    main()
