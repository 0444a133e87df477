"""The calibration section of `make bench` (issue 22): is the stated confidence the share right?

Rows come from tools.calibrate.collect (the pipeline's own calibrated confidences and verdict,
kept as evidence) on seeds the map was not fitted on (bench.suites.HOLDOUT_SEED; the map is
fitted on tools.calibrate.CALIBRATION_SEED). Per document: a reliability table, the expected
calibration error (ECE), the share of fields stated at >= 0.95 that are right, and the
trade-off of the review threshold: share of cards sent to review against share of wrong
fields that slip through. The curves go to bench/calibration.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bench import results
from cardocr.confidence import load_map, threshold_for
from cardocr.confidence.evidence import contradicted
from cardocr.confidence.threshold import Card
from cardocr.confidence.threshold import trade_off as threshold_trade_off

TITLE = "## Calibrated confidence and review"
BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001)
GROUPS = {"ordinary": ("scan", "photo"), "hard": ("small", "thumb"), "layout": ("layout",)}
CURVE = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)
ECE_BINS = 10
# seeds per document the section reports on, from HOLDOUT_SEED. Issue 22's bar lets 0.5% of the
# wrong fields slip through review: a document must show 200 wrong fields before a single slip
# can pass it, and the 200 seeds of the held-out accuracy section show too few (33 on the
# Mainland card: 0% or >= 3.0%, nothing between). At the held-out rates of make bench at
# 0137698 (wrong fields a seed: ID 33/200, HK 41/200, licence 25/200) these counts expect about
# 250 wrong fields each. The seeds beyond the held-out section's are read by two worker
# processes (tools.calibrate.read_all): 5,216 cards in 70 minutes in session 33.
SEEDS = {"id-card": 1600, "hk-id-card": 1200, "driver-license": 2000}
JOBS = 2


def pairs(rows: list[dict[str, Any]], calibrated: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(stated confidence, right) over every field of the rows: the shipped map applied to the
    stored evidence (what assess() does), or the readers' own confidence."""
    cal = load_map()
    conf, right = [], []
    for r in rows:
        ev = r["evidence"]
        stated = cal.apply(ev["document"], ev) if calibrated else {k: f["conf"] for k, f in ev["fields"].items()}
        for k, ok in r["right"].items():
            conf.append(min(1.0, max(0.0, stated.get(k, 0.0))))
            right.append(float(ok))
    return np.array(conf), np.array(right)


def ece(conf: np.ndarray, right: np.ndarray, bins: int = ECE_BINS) -> float:
    """Expected calibration error: equal-width bins, |share right - mean stated| by share of fields."""
    if not len(conf):
        return float("nan")
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    return float(sum(abs(right[idx == b].mean() - conf[idx == b].mean()) * (idx == b).mean()
                     for b in range(bins) if (idx == b).any()))


def cards(rows: list[dict[str, Any]]) -> list[Card]:
    """Each row as the service's verdict sees it (assess()), the map applied once: every field's
    stated confidence, and whether a failed check or a field the card contradicts sends the
    card to review whatever the threshold."""
    cal = load_map()
    out = []
    for r in rows:
        ev = r["evidence"]
        stated = cal.apply(ev["document"], ev)
        always = not all(ev["checks"].values()) or bool(contradicted(ev))
        out.append(Card(tuple(stated.values()), tuple(bool(ok) for ok in r["right"].values()), always))
    return out


def trade_off(rows: list[dict[str, Any]], threshold: float | None = None,
              scored: list[Card] | None = None) -> tuple[float, float, int]:
    """(share of cards sent to review, share of wrong fields on cards not sent, wrong fields);
    threshold None: the document's default (measured with its map). `scored`: cards(rows),
    when the caller asks for many thresholds."""
    if not rows:
        return 0.0, 0.0, 0
    return threshold_trade_off(scored if scored is not None else cards(rows),
                               threshold_for(rows[0]["document"], threshold))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def document_section(title: str, rows: list[dict[str, Any]]) -> list[str]:
    conf, right = pairs(rows)
    raw, _ = pairs(rows, calibrated=False)
    lines = [f"### {title}", "", "| stated confidence | fields | mean stated | share right |", "|---|---|---|---|"]
    for lo, hi in zip(BINS, BINS[1:]):
        sel = (conf >= lo) & (conf < hi)
        label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        lines.append(f"| {label} | {int(sel.sum())} | " +
                     (f"{conf[sel].mean():.3f} | {_pct(right[sel].mean())} |" if sel.any() else "– | – |"))
    top = conf >= 0.95
    lines += ["", f"ECE {ece(conf, right):.3f} (the readers' own confidence: {ece(raw, right):.3f}); "
              f"fields stated ≥ 0.95 right: {_pct(right[top].mean()) if top.any() else '–'} "
              f"({int(right[top].sum())}/{int(top.sum())}); {len(rows)} cards, {len(conf)} fields, "
              f"{int(len(right) - right.sum())} wrong.", "",
              "| condition | cards | fields right | ECE | ≥ 0.95 right | sent to review "
              "| wrong fields slipping through |",
              "|---|---|---|---|---|---|---|"]
    for group, conds in GROUPS.items():
        sel = [r for r in rows if r["condition"] in conds]
        if not sel:
            continue
        c, y = pairs(sel)
        sent, slipped, wrong = trade_off(sel)
        lines.append(f"| {group} ({', '.join(conds)}) | {len(sel)} | {_pct(y.mean())} | {ece(c, y):.3f} | "
                     f"{_pct(y[c >= 0.95].mean()) if (c >= 0.95).any() else '–'} | {_pct(sent)} | "
                     f"{_pct(slipped)} of {wrong} |")
    default = threshold_for(rows[0]["document"]) if rows else None
    ts = sorted({*CURVE, *([default] if default is not None else [])})
    lines += ["", "Review threshold (a field below it, or a failed check, sends the card to review; "
              "**bold**: the default):", "",
              "| threshold | " + " | ".join(f"**{t:.3f}**" if t == default else f"{t:.2f}" for t in ts) + " |",
              "|---|" + "---|" * len(ts)]
    scored = cards(rows)
    curve = [trade_off(rows, t, scored) for t in ts]
    lines.append("| cards sent to review | " + " | ".join(_pct(s) for s, _, _ in curve) + " |")
    lines.append("| wrong fields slipping through | " + " | ".join(_pct(w) for _, w, _ in curve) + " |")
    return lines + [""]


def plot(by_doc: dict[str, tuple[str, list[dict[str, Any]]]], path: Path) -> None:
    """Reliability diagrams and the review trade-off curves, one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax1.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    thresholds = np.linspace(0, 1, 101)
    for _doc, (title, rows) in by_doc.items():
        conf, right = pairs(rows)
        idx = np.minimum((conf * ECE_BINS).astype(int), ECE_BINS - 1)
        xs = [conf[idx == b].mean() for b in range(ECE_BINS) if (idx == b).any()]
        ys = [right[idx == b].mean() for b in range(ECE_BINS) if (idx == b).any()]
        ax1.plot(xs, ys, marker="o", label=f"{title} (ECE {ece(conf, right):.3f})")
        scored = cards(rows)
        curve = np.array([trade_off(rows, t, scored)[:2] for t in thresholds])
        ax2.plot(100 * curve[:, 0], 100 * curve[:, 1], label=title)
        s, w, _ = trade_off(rows, None, scored)
        ax2.plot([100 * s], [100 * w], marker="o", color=ax2.lines[-1].get_color())
    ax1.set(xlabel="stated confidence", ylabel="share right", title="Reliability (held-out seeds)")
    ax2.set(xlabel="cards sent to review (%)", ylabel="wrong fields slipping through (%)",
            title="Review trade-off (dot: the default threshold)")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def report(by_doc: dict[str, tuple[str, list[dict[str, Any]]]], seed0: int, png: Path | None,
           source: str = "") -> str:
    """The section for RESULTS.md; `by_doc`: doc type -> (title, rows)."""
    lines = [TITLE, "",
             f"Held-out cards from seed {seed0} (every condition, `layout` included), read through the pipeline; "
             "the map (src/cardocr/confidence/calibration.json) was fitted by `python -m tools.calibrate` on "
             "seeds 900000.., never on these. A card no reader found is left out (nothing to state). "
             "Default threshold: each document's, measured with its map on the calibration range "
             f"(cardocr.confidence.threshold); no signals asked for here. {source}", ""]
    lines += ["Issue 22's targets (all conditions together):", "",
              "| document | cards | ECE ≤ 0.03 | stated ≥ 0.95 right ≥ 99.5% | default threshold "
              "| wrong fields slipping through ≤ 0.5% | cards to review ≤ 15% |",
              "|---|---|---|---|---|---|---|"]
    for _doc, (title, rows) in by_doc.items():
        conf, right = pairs(rows)
        e, top = ece(conf, right), float(right[conf >= 0.95].mean()) if (conf >= 0.95).any() else float("nan")
        sent, slipped, wrong = trade_off(rows)

        def mark(ok: bool) -> str:
            return "yes" if ok else "**no**"

        lines.append(f"| {title} | {len(rows)} | {e:.3f} {mark(e <= 0.03)} | {_pct(top)} {mark(top >= 0.995)} | "
                     f"{threshold_for(_doc):.3f} | {_pct(slipped)} of {wrong} {mark(slipped <= 0.005)} | "
                     f"{_pct(sent)} {mark(sent <= 0.15)} |")
    lines.append("")
    for _doc, (title, rows) in by_doc.items():
        lines += document_section(title, rows)
    if png is not None:
        plot(by_doc, png)
        lines.append(f"![reliability and review trade-off]({png.name})")
    return "\n".join(lines) + "\n"


def splice(path: Path, section: str) -> None:
    results.splice(path, TITLE, section)


def seeds_for(docs: list[str], count: int | None) -> dict[str, int]:
    """Seeds per document the section reports on: `count` each, or SEEDS."""
    return {d: count if count is not None else SEEDS[d] for d in docs}


def read(counts: dict[str, int], seed0: int, jobs: int = JOBS) -> list[dict[str, Any]]:
    """Rows of `counts` seeds per document from `seed0`, read now by `jobs` worker processes
    (tools.calibrate.read_all, into a directory that is gone afterwards: nothing is reused
    from an earlier run)."""
    import tempfile

    from tools.calibrate import load, read_all

    counts = {d: n for d, n in counts.items() if n > 0}
    if not counts:
        return []
    with tempfile.TemporaryDirectory(prefix="cardocr-bench-") as tmp:
        samples = Path(tmp) / "rows.jsonl"
        read_all(counts, seed0, samples, jobs, fresh=True)
        return load(samples)


def keep(by_doc: dict[str, tuple[str, list[dict[str, Any]]]], path: Path) -> None:
    """The section's rows as JSON lines, the shape tools.calibrate.load reads back."""
    import json

    path.write_text("".join(json.dumps(r) + "\n" for _title, rows in by_doc.values() for r in rows))


def source(seeds: dict[str, int], seed0: int, from_above: int) -> str:
    """Where the section's samples came from, for its opening paragraph."""
    span = "; ".join(f"{d} {seed0}..{seed0 + n - 1}" for d, n in seeds.items())
    if not from_above:
        return f"Seeds read for this section by {JOBS} worker processes: {span}."
    return (f"Seeds {span}: the first {from_above} a document are the held-out samples of the section above, "
            f"the rest were read for this section by {JOBS} worker processes; each sample read once.")


def by_document(docs: list[str], rows: list[dict[str, Any]]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    from bench.suites import SUITES

    return {d: (SUITES[d][0], [r for r in rows if r["document"] == d]) for d in docs
            if any(r["document"] == d for r in rows)}


def run(docs: list[str], seeds: dict[str, int], seed0: int, stored: list[Path],
        read_already: dict[str, tuple[int, list[dict[str, Any]]]] | None = None,
        jobs: int = JOBS) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Rows per document: `seeds[doc]` seeds from `seed0`. `read_already` (doc -> (n, rows):
    the held-out section's first n seeds) gives the first n; the rest are read now. Or
    tools.calibrate's stored rows (`stored`, e.g. written with --collect-only --seed
    <held-out seed>), read nothing."""
    from tools.calibrate import load

    if stored:
        return by_document(docs, [r for p in stored for r in load(p)])
    done = read_already or {}
    rows = [r for d in docs for r in done.get(d, (0, []))[1]]
    first = {d: done.get(d, (0, []))[0] for d in docs}
    # read_all starts every document at one seed: group the documents by where they resume
    for start in sorted(set(first.values())):
        rows += read({d: seeds[d] - start for d in docs if first[d] == start}, seed0 + start, jobs)
    return by_document(docs, rows)
