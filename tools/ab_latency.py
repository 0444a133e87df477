"""Paired A/B of two checkouts: the same photos through both, alternating sample by sample.

    python -m tools.ab_latency /path/to/checkout-A /path/to/checkout-B --count 60

Each checkout runs in a worker process of its own (its `src/` first on PYTHONPATH, its own
engine with the same thread count), and only one worker works at a time, so the two never
share the cores. Per sample the driver sends the same generated photo (from this checkout's
tools.cardgen) to both and receives each one's time and Huawei answer. It prints the median
time of each, the median of the per-sample ratios B/A, per document, and how many answers
differ. Whichever public entry a checkout has is used: `api.huawei_ocr.recognize` (after the
core reshape) or `pipeline.recognize` (before it).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, pickle, sys, time
from cardocr.render import huawei
from cardocr.ocr.engine import get_engine
engine = get_engine(2)
if hasattr(huawei, "HuaweiOptions"):
    from cardocr.api.huawei_ocr import recognize
    def answer(path, img, flags):
        return recognize(path, img, huawei.HuaweiOptions.of(**flags), engine)
else:
    from cardocr.pipeline import RecognizeOptions, recognize
    def answer(path, img, flags):
        return recognize(path, img, RecognizeOptions(**flags), engine)
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    path, flags, img = pickle.loads(bytes.fromhex(line.decode().strip()))
    t0 = time.perf_counter()
    try:
        res = answer(path, img, flags)
    except Exception as exc:
        res = {"error": type(exc).__name__}
    dt = time.perf_counter() - t0
    out.write((json.dumps({"s": dt, "r": res}, ensure_ascii=False, sort_keys=True) + "\n").encode())
    out.flush()
"""


def samples(count: int, seed0: int):
    from tools.cardgen import make_hk_sample, make_licence_sample, make_sample

    for i in range(count):
        cond = ("scan", "photo", "small")[i % 3]
        side = ("front", "back")[(i // 3) % 2]
        yield "id-card", {}, make_sample(seed0 + i, side, cond)[0]
        yield "hk-id-card", {}, make_hk_sample(seed0 + i, ("scan", "photo", "small", "thumb")[i % 4])[0]
        flags = {"return_issuing_authority": True} if side == "front" else {}
        yield "driver-license", flags, make_licence_sample(seed0 + i, side, cond)[0]


def worker(checkout: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(checkout / "src"), str(checkout)]))
    return subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env, cwd=checkout)


def ask(proc: subprocess.Popen, payload: bytes) -> dict:
    proc.stdin.write(payload)
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--count", type=int, default=60, help="samples per document")
    ap.add_argument("--seed", type=int, default=100000)
    args = ap.parse_args()
    procs = {"A": worker(args.a), "B": worker(args.b)}
    times: dict[str, dict[str, list[float]]] = {}
    differ: dict[str, int] = {}
    for k, (path, flags, img) in enumerate(samples(args.count, args.seed)):
        payload = (pickle.dumps((path, flags, img)).hex() + "\n").encode()
        order = ("A", "B") if k % 2 == 0 else ("B", "A")  # neither always goes first
        got = {name: ask(procs[name], payload) for name in order}
        for name in ("A", "B"):
            times.setdefault(path, {}).setdefault(name, []).append(got[name]["s"])
        differ[path] = differ.get(path, 0) + (got["A"]["r"] != got["B"]["r"])
        errors = [name for name in ("A", "B") if "error" in got[name]["r"]]
        if errors:
            print(f"sample {k} ({path}): {', '.join(errors)} answered {got[errors[0]]['r']}", file=sys.stderr)
    for p in procs.values():
        p.stdin.close()
        p.wait()
    for path, t in times.items():
        ratios = [b / a for a, b in zip(t["A"], t["B"])]
        print(f"{path:15s} n={len(ratios):3d}  p50 A {statistics.median(t['A']):.3f} s  "
              f"B {statistics.median(t['B']):.3f} s  median ratio B/A {statistics.median(ratios):.3f}  "
              f"answers differing {differ[path]}")


if __name__ == "__main__":
    main()
