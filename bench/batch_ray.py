"""Batch on Ray: images/s of `cardocr batch` on 1 and 2 CPUs, and its answers against the API's.

    python -m bench.batch_ray [--count 24]

Writes the bench's first `count` Mainland ID cards (bench.run's seeds and conditions: scan,
photo, small; fronts and backs) to a temporary folder, then for 1 and 2 CPUs runs the batch job
in a child process pinned to that many cores (taskset) with a local Ray of that size, one
actor per CPU. Each answer is compared with what the API's own steps (decode_for + recognize)
answer for the same file in this process. images/s: end to end (actors loading their models
included) and from the first answer on (the rate a long job settles at).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2


def child(folder: Path, cpus: int) -> None:
    """One run, in a process pinned to `cpus` cores: prints its tally as JSON."""
    from cardocr.batch import Job, run
    from cardocr.batch.sink import JsonlSink
    from cardocr.batch.sources import list_sources

    out = folder.parent / f"out-{cpus}.jsonl"
    out.unlink(missing_ok=True)
    t = run(list_sources(str(folder)), JsonlSink(out), Job("id-card", cpus=cpus))
    steady = (t.read - 1) / (t.seconds - t.first_answer_s) if t.first_answer_s is not None else 0.0
    print(json.dumps({"cpus": cpus, "workers": t.workers, "read": t.read, "failed": t.failed,
                      "seconds": t.seconds, "per_second": t.per_second, "steady": steady, "out": str(out)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--child", nargs=2, metavar=("FOLDER", "CPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
        return
    from bench.suites import id_card_samples
    from cardocr.api import huawei_ocr
    from cardocr.ocr.engine import get_engine
    from cardocr.render.huawei import HuaweiOptions, wire_for
    from cardocr.settings import Limits

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cards"
        folder.mkdir()
        for key, photo, _truth, _req in id_card_samples(args.count, 100000):
            cv2.imwrite(str(folder / f"{key[0]}-{key[1]}-{key[2]}.jpg"), photo)
        runs = []
        for cpus in (1, 2):
            cores = ",".join(str(c) for c in range(cpus))
            done = subprocess.run(["taskset", "-c", cores, sys.executable, "-m", "bench.batch_ray",
                                   "--child", str(folder), str(cpus)], capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        engine, wire = get_engine(1), wire_for("id-card")
        api = {}
        for path in sorted(folder.iterdir()):
            image = huawei_ocr.decode_for(wire, path.read_bytes(), Limits())
            api[str(path)] = {"result": huawei_ocr.recognize("id-card", image, HuaweiOptions(), engine)}
        print(f"{args.count} bench cards (Mainland ID, seeds 100000.., scan/photo/small, fronts and backs)\n")
        print("| CPUs (taskset) | Ray workers | images/s end to end | images/s from the first answer "
              "| answers equal to the API's | fields equal |")
        print("|---|---|---|---|---|---|")
        for r in runs:
            got = {}
            for line in Path(r["out"]).read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                got[rec.pop("source")] = rec
            same = sum(got.get(s) == a for s, a in api.items())
            fields = [(k, got.get(s, {}).get("result", {}).get(k) == v)
                      for s, a in api.items() for k, v in a.get("result", {}).items()]
            print(f"| {r['cpus']} | {r['workers']} | {r['per_second']:.2f} | {r['steady']:.2f} "
                  f"| {same} of {len(api)} | {sum(ok for _, ok in fields)} of {len(fields)} |")


if __name__ == "__main__":
    main()
