"""`make bench`: field accuracy per capture condition, latency and throughput, for cardocr and
for plain whole-image OCR (the baseline), measured side by side in one process run.

Samples come from the synthetic generator (tools/cardgen) with fixed seeds, so two runs see the
same cards. Each sample's last result is remembered in bench/last_run.json, and the report
says which samples got better or worse since then. The table goes to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress

from cardocr.pipeline import RecognizeOptions, recognize
from tools.cardgen import make_sample

HERE = Path(__file__).parent
FRONT = ("name", "sex", "birth", "ethnicity", "address", "number")
BACK = ("issue", "valid_from", "valid_to")
console = Console(stderr=True)


def truth_fields(person, side: str) -> dict[str, str]:
    keys = FRONT if side == "front" else BACK
    return {k: getattr(person, k) for k in keys}


# -- baseline: whole-image OCR, fields by regex over all the text ---------------------------

class Baseline:
    """rapidocr's own pipeline over the whole photo (its default models and settings), then
    the usual regex field extraction that whole-image OCR integrations do."""

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self.ocr = RapidOCR(params={"Global.log_level": "error"})

    def __call__(self, image: np.ndarray) -> dict[str, str]:
        res = self.ocr(image)
        texts = list(res.txts or [])
        return self.parse(texts)

    @staticmethod
    def parse(texts: list[str]) -> dict[str, str]:
        joined = "".join(t.replace(" ", "") for t in texts)
        out: dict[str, str] = {}
        if m := re.search(r"(\d{17}[\dXx])", joined):
            out["number"] = m[1].upper()
        if m := re.search(r"姓名(.+?)(性别|$)", joined):
            out["name"] = m[1]
        if m := re.search(r"性别(男|女)", joined):
            out["sex"] = m[1]
        if m := re.search(r"民族(.+?)(出生|$)", joined):
            out["ethnicity"] = m[1]
        if m := re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", joined):
            out["birth"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        if m := re.search(r"住址(.+?)(公民身份号码|$)", joined):
            out["address"] = m[1]
        if m := re.search(r"签发机关(.+?)(有效期限|$)", joined):
            out["issue"] = m[1]
        if m := re.search(r"(\d{4})\.(\d{2})\.(\d{2})-(?:(\d{4})\.(\d{2})\.(\d{2})|(长期))", joined):
            out["valid_from"] = f"{m[1]}-{m[2]}-{m[3]}"
            out["valid_to"] = "长期" if m[7] else f"{m[4]}-{m[5]}-{m[6]}"
        return out


# -- the run --------------------------------------------------------------------------------

def samples(count: int, seed0: int):
    conditions = ("scan", "photo", "small")
    sides = ("front", "back")
    i = 0
    while i < count:
        cond = conditions[i % 3]
        side = sides[(i // 3) % 2]
        yield seed0 + i, side, cond
        i += 1


def run(count: int, seed0: int, with_baseline: bool) -> dict:
    from cardocr.ocr import get_engine

    get_engine()  # load models before timing
    base = Baseline() if with_baseline else None
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("benchmark", total=count)
        for seed, side, cond in samples(count, seed0):
            photo, person, _ = make_sample(seed, side, cond)
            truth = truth_fields(person, side)
            t0 = time.perf_counter()
            try:
                got = recognize("id-card", photo, RecognizeOptions())
                err = None
            except Exception as exc:  # the benchmark counts failures, it does not stop on them
                got, err = {}, type(exc).__name__
            ours_s = time.perf_counter() - t0
            row = {"seed": seed, "side": side, "condition": cond, "ours_s": ours_s, "error": err,
                   "ours": {k: got.get(k) == v for k, v in truth.items()}}
            if base is not None:
                t0 = time.perf_counter()
                b = base(photo)
                row["base_s"] = time.perf_counter() - t0
                row["base"] = {k: b.get(k) == v for k, v in truth.items()}
            rows.append(row)
            progress.advance(task)
    return {"rows": rows}


def pct(x: list[bool]) -> str:
    return f"{100 * np.mean(x):.1f}%" if x else "–"


def report(result: dict, previous: dict | None) -> str:
    rows = result["rows"]
    lines = ["# Benchmark: Mainland ID card (`make bench`)", ""]
    lines.append(f"{len(rows)} synthetic cards (tools/cardgen, fixed seeds), {platform.machine()}, "
                 f"one process, cardocr and the baseline run on the same photos one after the other.")
    lines.append("Baseline: rapidocr 3 default pipeline (PP-OCRv6 det+rec) over the whole photo, "
                 "fields by regex over the joined text.")
    lines.append("")
    lines.append("## Field exact-match by capture condition")
    lines.append("")
    conds = ("scan", "photo", "small")
    hdr = "| field | " + " | ".join(f"{c} (cardocr) | {c} (baseline)" for c in conds) + " |"
    lines += [hdr, "|" + "---|" * (1 + 2 * len(conds))]
    for field in FRONT + BACK:
        cells = []
        for c in conds:
            sel = [r for r in rows if r["condition"] == c and field in r["ours"]]
            cells.append(pct([r["ours"][field] for r in sel]))
            cells.append(pct([r["base"][field] for r in sel if "base" in r]))
        lines.append(f"| {field} | " + " | ".join(cells) + " |")
    cells = []
    for c in conds:
        sel = [r for r in rows if r["condition"] == c]
        cells.append(pct([v for r in sel for v in r["ours"].values()]))
        cells.append(pct([v for r in sel if "base" in r for v in r["base"].values()]))
    lines.append("| **all fields** | " + " | ".join(f"**{x}**" for x in cells) + " |")
    lines.append("")
    photos = [r for r in rows if r["condition"] != "scan"]
    lines.append(f"Photos (photo + small) all fields: cardocr {pct([v for r in photos for v in r['ours'].values()])}, "
                 f"baseline {pct([v for r in photos if 'base' in r for v in r['base'].values()])}. "
                 f"Whole cards exactly right: cardocr {pct([all(r['ours'].values()) for r in rows])}.")
    lines.append("")
    lines.append("## Latency per photo (seconds, 2 cores, sequential)")
    lines.append("")
    lines += ["| pipeline | p50 | p95 | throughput (photos/s) |", "|---|---|---|---|"]
    ours = np.array([r["ours_s"] for r in rows])
    lines.append(f"| cardocr | {np.median(ours):.3f} | {np.percentile(ours, 95):.3f} | {1 / ours.mean():.2f} |")
    if rows and "base_s" in rows[0]:
        base = np.array([r["base_s"] for r in rows])
        lines.append(f"| baseline | {np.median(base):.3f} | {np.percentile(base, 95):.3f} | {1 / base.mean():.2f} |")
        lines.append("")
        lines.append(f"Median latency ratio cardocr / baseline: **{np.median(ours) / np.median(base):.2f}**.")
    errors = defaultdict(int)
    for r in rows:
        if r["error"]:
            errors[f"{r['condition']}/{r['side']}: {r['error']}"] += 1
    if errors:
        lines += ["", "Errors: " + ", ".join(f"{k} ×{v}" for k, v in sorted(errors.items()))]
    if previous:
        prev = {(r["seed"], r["side"], r["condition"]): r for r in previous.get("rows", [])}
        better, worse = [], []
        for r in rows:
            p = prev.get((r["seed"], r["side"], r["condition"]))
            if not p:
                continue
            for k, ok in r["ours"].items():
                if ok and not p["ours"].get(k):
                    better.append(f"{r['seed']}/{r['condition']}/{k}")
                elif not ok and p["ours"].get(k):
                    worse.append(f"{r['seed']}/{r['condition']}/{k}")
        lines += ["", "## Since the last run", "",
                  f"Better: {len(better)} {', '.join(better[:20])}",
                  f"Worse: {len(worse)} {', '.join(worse[:20])}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--seed", type=int, default=100000)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args()
    last = HERE / "last_run.json"
    previous = json.loads(last.read_text()) if last.exists() else None
    result = run(args.count, args.seed, not args.no_baseline)
    text = report(result, previous)
    args.out.write_text(text)
    last.write_text(json.dumps(result))
    print(text)


if __name__ == "__main__":
    main()
