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
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress

from bench import results
from cardocr.confidence import evidence_of
from cardocr.documents import REGISTRY
from cardocr.errors import ImageBlurred
from cardocr.ocr.engine import get_engine
from cardocr.pipeline import read
from cardocr.types import ReadRequest
from tools.cardgen import make_sample

HERE = Path(__file__).parent
FRONT = ("name", "sex", "birth", "ethnicity", "address", "number")
BACK = ("issue", "valid_from", "valid_to")
console = Console(stderr=True)


# the generators name a few fields as Huawei's API does; the documents' own names differ
FIELD_NAMES = {"issue": "authority", "issuing_authority": "authority"}


def domain_truth(truth: dict) -> dict:
    return {FIELD_NAMES.get(k, k): v for k, v in truth.items()}


def truth_fields(person, side: str) -> dict[str, str]:
    keys = FRONT if side == "front" else BACK
    return domain_truth({k: getattr(person, k) for k in keys})


# -- baseline: whole-image OCR, fields by regex over all the text ---------------------------

class Baseline:
    """rapidocr's own pipeline over the whole photo (its default models and settings), then
    the usual regex field extraction that whole-image OCR integrations do."""

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self.ocr = RapidOCR(params={"Global.log_level": "error"})

    def texts(self, image: np.ndarray) -> list[str]:
        res = self.ocr(image)
        return list(res.txts or [])

    def __call__(self, image: np.ndarray) -> dict[str, str]:
        return self.parse(self.texts(image))

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


# -- suites: one per document type ---------------------------------------------------------

def hk_baseline(texts: list[str]) -> dict:
    """Whole-image OCR integrations for the HK card: the number, dates and names by pattern."""
    joined = " ".join(texts)
    flat = joined.replace(" ", "")
    out: dict = {}
    if m := re.search(r"([A-Z]{1,2}\d{6}\([0-9A]\))", flat):
        out["number"] = m[1]
    if m := re.search(r"(\d{2}-\d{2}-\d{4})", flat):
        out["birth_date"] = m[1]
    if m := re.search(r"\d{2}-\d{2}-\d{4}\S*?(男|女|M|F)", flat):
        out["sex"] = {"男": "M", "女": "F"}.get(m[1], m[1])
    if m := re.search(r"(\(\d{2}-\d{2}\))", flat):
        out["initial_issue_date"] = m[1]
    if m := re.search(r"(?<![\d-])(\d{2}-\d{2}-\d{2})(?![\d-])", flat):
        out["issue_date"] = m[1]
    if m := re.search(r"(\*{1,3}[A-Z]{1,5})", flat):
        out["symbols"] = m[1]
    for t in texts:
        if re.fullmatch(r"[A-Z][A-Z ]*, [A-Za-z ]+", t.strip()):
            out.setdefault("name_en", t.strip())
        if re.fullmatch(r"\d{4}( \d{4}){0,3}", t.strip()):
            out.setdefault("name_telegraph_code", t.strip())
        if re.fullmatch(r"[\u3400-\u9fff]{2,4}", t.strip()) and "香港" not in t:
            out.setdefault("name", t.strip())
    out["permanent"] = "永久" in joined or "PERMANENT" in joined.upper()
    return out


def dl_baseline(texts: list[str]) -> dict:
    joined = "".join(t.replace(" ", "") for t in texts)
    out: dict = {}
    if m := re.search(r"(\d{17}[\dXx])", joined):
        out["number"] = m[1].upper()
    if m := re.search(r"姓名(?:Name)?(.+?)(性别|$)", joined):
        out["name"] = m[1]
    if m := re.search(r"性别(?:Sex)?(男|女)", joined):
        out["sex"] = m[1]
    if m := re.search(r"国籍(?:Nationality)?(.+?)(住址|$)", joined):
        out["nationality"] = m[1]
    if m := re.search(r"住址(?:Address)?(.+?)(出生|$)", joined):
        out["address"] = m[1]
    dates = re.findall(r"(\d{4}-\d{2}-\d{2})", joined)
    for k, d in zip(("birth", "issue_date", "valid_from", "valid_to"), dates):
        out[k] = d
    if m := re.search(r"准驾车型(?:Class)?([A-DFMNP][1-6]?(?:[A-EFMNP][1-6]?)?)", joined):
        out["class"] = m[1]
    if m := re.search(r"档案编号(\d{12})", joined):
        out["file_number"] = m[1]
    if m := re.search(r"记录(.+)$", joined):
        out["record"] = m[1]
    return out


# Every LAYOUT_EVERY-th seed is read a second time as a `layout` photo: a card of another
# printer, year or third-party template (blocks moved by up to 5%, rows and fonts scaled by up to
# 10%, other faces, framed a little too large or small). The other samples stay as they were.
LAYOUT_EVERY = 4
CYCLES = {  # doc type: (conditions cycled over the seeds, sides cycled every len(conditions) seeds)
    "id-card": (("scan", "photo", "small"), ("front", "back")),
    "hk-id-card": (("scan", "photo", "small", "thumb"), ("front",)),
    "driver-license": (("scan", "photo", "small"), ("front", "back")),
}


def plan(doc_type: str, count: int, seed0: int, conditions: tuple[str, ...] | None = None
         ) -> list[tuple[int, str, str]]:
    """(seed, side, condition) of `count` seeds' samples. Without `conditions`, the cycled
    conditions only (one sample a seed); with them, every LAYOUT_EVERY-th seed adds a `layout`
    sample, and only the samples under those conditions are kept."""
    cycle, sides = CYCLES[doc_type]
    out = []
    for i in range(count):
        out.append((seed0 + i, sides[(i // len(cycle)) % len(sides)], cycle[i % len(cycle)]))
        if conditions is not None and "layout" in conditions and i % LAYOUT_EVERY == 0:
            out.append((seed0 + i, sides[(i // LAYOUT_EVERY) % len(sides)], "layout"))
    return [p for p in out if conditions is None or p[2] in conditions]


def id_card_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    """(key, photo, truth, options) with scan/photo/small and front/back interleaved."""
    for seed, side, cond in plan("id-card", count, seed0, conditions):
        photo, person, _ = make_sample(seed, side, cond)
        yield (seed, side, cond), photo, truth_fields(person, side), ReadRequest()


def hk_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    from tools.cardgen.hk import make_hk_sample

    fields = ("name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code",
              "permanent", "initial_issue_date", "issue_date")
    for seed, _side, cond in plan("hk-id-card", count, seed0, conditions):
        photo, p, _ = make_hk_sample(seed, cond)
        yield (seed, p.layout, cond), photo, {k: getattr(p, k) for k in fields}, ReadRequest()


def dl_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    from tools.cardgen.licence import make_licence_sample

    for seed, side, cond in plan("driver-license", count, seed0, conditions):
        photo, lic, _ = make_licence_sample(seed, side, cond)
        truth = domain_truth(lic.front_result() if side == "front" else lic.back_result())
        # the authority is read only when asked: ask on every main page
        opts = ReadRequest(optional=frozenset({"authority"}) if side == "front" else frozenset())
        yield (seed, f"{side}/{lic.layout}", cond), photo, truth, opts


SUITES = {
    # doc type: (title, sample generator, default count, baseline parser, conditions)
    "id-card": ("Mainland ID card", id_card_samples, 240, Baseline.parse, ("scan", "photo", "small", "layout")),
    "hk-id-card": ("Hong Kong ID card", hk_samples, 120, hk_baseline, ("scan", "photo", "small", "thumb", "layout")),
    "driver-license": ("Mainland driving licence", dl_samples, 120, dl_baseline,
                       ("scan", "photo", "small", "layout")),
}


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


def pct(x: list[bool]) -> str:
    return f"{100 * np.mean(x):.1f}%" if x else "–"


BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.99), (0.99, 1.01))


def report(doc_type: str, result: dict, previous: dict | None) -> str:
    title, _gen, _n, _parse, conds = SUITES[doc_type]
    rows = result["rows"]
    fields = list(dict.fromkeys(k for r in rows for k in r["ours"]))
    lines = [f"## {title} (`{doc_type}`)", ""]
    lines.append(f"{len(rows)} synthetic samples (tools/cardgen, fixed seeds), cardocr and the baseline "
                 f"on the same photos, in chunks of {CHUNK}: cardocr over a chunk, then the baseline "
                 "(documents run together are interleaved).")
    lines.append("")
    lines.append("### Field exact-match by capture condition")
    lines.append("")
    hdr = "| field | " + " | ".join(f"{c} (cardocr) | {c} (baseline)" for c in conds) + " |"
    lines += [hdr, "|" + "---|" * (1 + 2 * len(conds))]
    for field in fields:
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
    photos = [r for r in rows if r["condition"] not in ("scan", "layout")]
    lines.append("All but scans and other templates (`layout`), all fields: "
                 f"cardocr {pct([v for r in photos for v in r['ours'].values()])}, "
                 f"baseline {pct([v for r in photos if 'base' in r for v in r['base'].values()])}. "
                 f"Whole samples exactly right: cardocr {pct([all(r['ours'].values()) for r in rows])}.")
    sides = sorted({r["side"] for r in rows})
    if len(sides) > 1:
        lines.append("")
        lines.append("By page / layout, all fields: " + ", ".join(
            f"{s} {pct([v for r in rows if r['side'] == s for v in r['ours'].values()])}" for s in sides) + ".")
    if any(r.get("conf") for r in rows):
        lines += ["", "### Reliability of `confidence` (share of fields right, per confidence band)", "",
                  "| confidence | fields | right |", "|---|---|---|"]
        for lo, hi in BANDS:
            sel = [r["ours"][k] for r in rows for k, c in r.get("conf", {}).items() if lo <= c < hi]
            label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
            lines.append(f"| {label} | {len(sel)} | {pct(sel)} |")
    lines += ["", "### Latency per photo (seconds, 2 cores, sequential)", "",
              "| pipeline | p50 | p95 | throughput (photos/s) |", "|---|---|---|---|"]
    ours = np.array([r["ours_s"] for r in rows])
    lines.append(f"| cardocr | {np.median(ours):.3f} | {np.percentile(ours, 95):.3f} | {1 / ours.mean():.2f} |")
    if rows and "base_s" in rows[0]:
        base = np.array([r["base_s"] for r in rows])
        lines.append(f"| baseline | {np.median(base):.3f} | {np.percentile(base, 95):.3f} | {1 / base.mean():.2f} |")
        lines.append("")
        lines.append(f"Median latency ratio cardocr / baseline: **{np.median(ours) / np.median(base):.2f}**.")
    cells = sorted({(r["side"], r["condition"]) for r in rows})
    lines += ["", "cardocr p50 by page and condition: " + ", ".join(
        f"{sd} {c} {np.median([r['ours_s'] for r in rows if (r['side'], r['condition']) == (sd, c)]):.3f}"
        for sd, c in cells) + "."]
    lines += failures(rows)
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
        lines += ["", "### Since the last run", "",
                  f"Better: {len(better)} {', '.join(better[:20])}",
                  f"Worse: {len(worse)} {', '.join(worse[:20])}"]
    return "\n".join(lines) + "\n"


def failures(rows: list[dict], condition: str = "layout", fields: int = 8, examples: int = 3) -> list[str]:
    """The fields most often wrong under `condition`, with a few (expected, read) pairs."""
    sel = [r for r in rows if r["condition"] == condition]
    missed: dict[str, list] = defaultdict(list)
    for r in sel:
        for k, pair in r.get("wrong", {}).items():
            missed[k].append((r["seed"], r["side"], *pair))
    if not missed:
        return []
    lines = ["", f"### Most-missed fields on `{condition}` ({len(sel)} samples)", "",
             "| field | wrong | examples: seed side, expected → read |", "|---|---|---|"]
    for k, bad in sorted(missed.items(), key=lambda kv: -len(kv[1]))[:fields]:
        ex = "; ".join(f"{seed} {side}: `{exp}` → `{got}`" for seed, side, exp, got in bad[:examples])
        lines.append(f"| {k} | {len(bad)}/{len(sel)} | {ex} |")
    return lines


# Cards from seeds nobody has tuned on: the main run's (100000 on) have been for sessions,
# and 300000 on were used to mend the licence seal. Read these, do not tune on them.
HOLDOUT_SEED = 500000


def holdout_report(results: dict[str, dict], seed0: int) -> str:
    """Field exact-match on held-out cards (HOLDOUT_SEED): the main run's seeds have been
    tuned on, and on other seeds photos came out a few points lower."""
    conds = list(dict.fromkeys(c for suite in SUITES.values() for c in suite[4]))
    lines = [f"## Held-out cards (seeds from {seed0}, cardocr only)", "",
             "The same generator and conditions on seeds nobody has tuned on, read after the main run "
             "(without the baseline). Tune on the main run's failures, not on these.", "",
             "| document | samples | " + " | ".join(conds) + " | whole samples right | p50 |",
             "|" + "---|" * (len(conds) + 4)]
    for doc_type, result in results.items():
        rows = result["rows"]
        cells = [pct([v for r in rows if r["condition"] == c for v in r["ours"].values()]) for c in conds]
        lines.append(f"| {SUITES[doc_type][0]} | {len(rows)} | " + " | ".join(cells) +
                     f" | {pct([all(r['ours'].values()) for r in rows])} | "
                     f"{np.median([r['ours_s'] for r in rows]):.3f} |")
    return "\n".join(lines) + "\n"


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
    (100000..); report on HELDOUT_SEED.. and HOLDOUT_SEED.., which nobody tunes on."""
    from cardocr.quality import CANDIDATES, MEASURABLE
    from tools.cardgen.defects import SIGNALS, defect_pair

    names = [s for s in SIGNALS if s in MEASURABLE and (not only or s in only)]
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
        # all of them (candidates too); the order rotates
        served = frozenset(n for n in names if n not in CANDIDATES)
        seconds: dict[str, list[float]] = {"plain": [], "served": [], "all": []}
        alarms: dict[str, list[bool]] = {name: [] for name in names}
        for i, (_key, photo, _truth, request) in enumerate(id_card_samples(ordinary, HOLDOUT_SEED)):
            ways = {"plain": request,
                    "served": ReadRequest(side=request.side, optional=request.optional, signals=served),
                    "all": ReadRequest(side=request.side, optional=request.optional, signals=frozenset(names))}
            order = list(ways)[i % 3:] + list(ways)[:i % 3]
            for way in order:
                with_signals = way == "all"
                t0 = time.perf_counter()
                blurred = None
                try:
                    got = read(REGISTRY["id-card"], photo, ways[way], get_engine())
                except ImageBlurred as exc:  # an ordinary photo called too blurred to read: a false alarm
                    got, blurred = [], exc.signal
                except Exception:
                    got = []
                seconds[way].append(time.perf_counter() - t0)
                if not with_signals:
                    continue
                if blurred is not None and "blur" in alarms:
                    alarms["blur"].append(blurred.decision)
                if got:
                    for name in names:
                        if name in got[0].signals:
                            alarms[name].append(got[0].signals[name].decision)
            progress.advance(task)
    lines = [SIGNALS_TITLE, "",
             f"Matched pairs from tools/cardgen/defects.py (the same Mainland ID card and scene without and "
             f"with the defect), seeds {seed0}..{seed0 + count - 1}, read through the pipeline with the signal "
             f"asked for; false alarms on {ordinary} ordinary photos of the main bench's held-out cards "
             f"(seeds {HOLDOUT_SEED}..). Thresholds were chosen on seeds 700000.. and the main run's "
             "(100000..), never on these. A photo with no card read has no signal: an unread positive counts "
             "as missed, an unread negative is left out.", "",
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
    if seconds["plain"]:
        p0, p1, p2 = (float(np.median(seconds[w])) for w in ("plain", "served", "all"))
        n_served = sum(1 for n in names if n not in CANDIDATES)
        lines += ["", f"Cost: p50 of the same {ordinary} ordinary photos read without signals {p0:.3f} s, with the "
                  f"{n_served} served signals {p1:.3f} s ({p1 / p0 - 1:+.1%}), with all {len(names)} (candidates "
                  f"too) {p2:.3f} s ({p2 / p0 - 1:+.1%}); each photo read the three ways, the order rotating."]
    return "\n".join(lines) + "\n"


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
    ap.add_argument("--calibration", type=int, default=40,
                    help="the calibrated-confidence section (0: none): on every held-out sample read above; "
                         f"with --holdout 0 or --calibration-only, on this many seeds per document from {HOLDOUT_SEED}")
    ap.add_argument("--calibration-only", action="store_true",
                    help="run only the calibration section and splice it into --out")
    ap.add_argument("--calibration-rows", type=Path, nargs="*", default=[],
                    help="report on rows stored by python -m tools.calibrate --collect-only instead of reading")
    ap.add_argument("--scaling", action="store_true",
                    help="run only the serving benchmark (bench/scaling.py; its own flags follow) and splice "
                         "its section into --out")
    args, rest = ap.parse_known_args()
    if args.scaling:
        from bench import scaling

        scaling.main([*rest, "--out", str(args.out)])
        return
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    from cardocr.ocr import get_engine

    get_engine()  # load models before timing
    if args.calibration_only:
        from bench import calibration

        source = (f"Rows stored by `python -m tools.calibrate --collect-only --seed {HOLDOUT_SEED}` "
                  f"({', '.join(p.name for p in args.calibration_rows)}).") if args.calibration_rows else ""
        by_doc = calibration.run(args.docs.split(","), args.calibration, HOLDOUT_SEED, args.calibration_rows)
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
        sections[doc_type] = report(doc_type, result, stored.get(doc_type))
        stored[doc_type] = result
        print(sections[doc_type])
    held, calibration_rows = "", {}
    if args.holdout:
        # the held-out reads keep their evidence: the calibration section reports on all of them
        held_results = run({d: args.holdout for d in counts}, HOLDOUT_SEED, None, only, evidence=bool(args.calibration))
        calibration_rows = {d: (SUITES[d][0], calibration_rows_of(d, res["rows"])) for d, res in held_results.items()}
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
    if args.calibration:
        from bench import calibration

        by_doc = calibration_rows or calibration.run(list(counts), args.calibration, HOLDOUT_SEED, [])
        source = "The held-out samples of the section above, each read once." if calibration_rows else ""
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


if __name__ == "__main__":
    main()
