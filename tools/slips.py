"""Confident misreads (issue 22): wrong fields the pipeline states at or above the document's
review threshold. Generator cards through pipeline.read (bench.run's samples and truth), each
card's evidence (cardocr.confidence.evidence_of), stated confidences, review reasons and, per
field, the lines behind it (text, least sure characters, the runner-up of each) kept in a
JSONL file, then a report of the slips:

    python -m tools.slips read --seeds 1300000:1300040 --out /tmp/me/dev.jsonl
    python -m tools.slips report /tmp/me/dev.jsonl

A field *escapes* when it is wrong, stated at or above the document's threshold, and the card
is not sent to review (no other field below it, no failed check): what the bench's
calibration section counts as slipping through. Field values are synthetic: printing them is
fine. `read` appends, and skips the samples the file already holds (a stopped run resumes).
Documents and seed ranges are interleaved so that a run stopped early has read some of each.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np


def _line_info(line: Any, charset: list[str]) -> dict[str, Any]:
    """A recognised line's text, its characters' posteriors and, per character, the runner-up
    class and the log ratio of best to runner-up (full alphabet)."""
    out: dict[str, Any] = {"text": line.text, "p": [round(float(p), 4) for p in line.char_probs]}
    if line.probs is None or not line.probs.size:
        return out
    from cardocr.confidence.lines import runner_ups

    best, steps, second, ratios = runner_ups(line.probs)
    runner = [[charset[int(best[t])], charset[int(s)] if s else "_", round(float(r), 2)]
              for t, s, r in zip(steps, second, ratios)]
    out["runner"] = runner
    # the six likeliest classes at each emitting step (a name's character against the
    # characters names carry: checks.names)
    rows = line.probs[steps]
    top = np.argsort(-rows, axis=1)[:, :6]
    out["top"] = [[[charset[int(j)], round(float(row[j]), 5)] for j in order]
                  for row, order in zip(rows, top)]
    return out


def read_one(doc_type: str, key: tuple, photo: Any, truth: dict, request: Any) -> dict[str, Any]:
    from cardocr.confidence import evidence_of, lines, threshold_for
    from cardocr.documents import REGISTRY
    from cardocr.ocr.engine import get_engine
    from cardocr.pipeline import read

    engine = get_engine()
    kept: dict[str, Any] = {}
    orig = lines.field_evidence

    def spy(reading: Any, seen: list, charset: Any, card_image: Any) -> None:
        orig(reading, seen, charset, card_image)
        for name, f in reading.fields.items():
            if f.quad is None:
                continue
            box = lines._box(np.asarray(f.quad))
            kept[name] = [_line_info(s.line, engine.charset) for s in seen if lines._inside(s, box)]

    import cardocr.pipeline as pipeline

    pipeline.field_evidence = spy  # type: ignore[assignment]
    row: dict[str, Any] = {"document": doc_type, "seed": key[0], "side": key[1], "condition": key[2]}
    try:
        result = read(REGISTRY[doc_type], photo, request, engine)[0]
    except Exception as exc:  # noqa: BLE001 - a tool: note it and go on
        row["error"] = type(exc).__name__
        return row
    finally:
        pipeline.field_evidence = orig  # type: ignore[assignment]
    got = {k: f.value if f.value is not None else "" for k, f in result.fields.items()}
    row.update({
        "threshold": threshold_for(doc_type), "review": result.review, "evidence": evidence_of(result),
        "fields": {k: {"want": truth.get(k), "got": got.get(k), "raw": round(float(f.confidence), 4),
                       "cal": round(float(result.calibrated.get(k, 0.0)), 4), "lines": kept.get(k, [])}
                   for k, f in result.fields.items()},
        "right": {k: got.get(k) == v for k, v in truth.items() if k in got},
        "corrections": [list(c) for c in result.reading.corrections],
    })
    return row


def samples(docs: list[str], ranges: list[tuple[int, int]], conds: tuple[str, ...] | None):
    from bench.suites import SUITES

    gens = []
    for d in docs:
        for first, last in ranges:
            c = SUITES[d][4] if conds is None else tuple(x for x in SUITES[d][4] if x in conds)
            gens.append((d, SUITES[d][1](last - first, first, c)))
    for group in itertools.zip_longest(*(g for _, g in gens)):
        for (d, _), s in zip(gens, group):
            if s is not None:
                yield d, s


def cmd_read(args: argparse.Namespace) -> None:
    out = Path(args.out)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            done.add((r["document"], r["seed"], r["side"], r["condition"]))
    ranges = [tuple(int(x) for x in s.split(":")) for s in args.seeds.split(",")]
    conds = tuple(args.cond.split(",")) if args.cond else None
    for d, (key, photo, truth, request) in samples(args.docs.split(","), ranges, conds):  # type: ignore[arg-type]
        if (d, *key) in done:
            continue
        row = read_one(d, key, photo, truth, request)
        with out.open("a") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def escapes(row: dict[str, Any]) -> list[str]:
    """The row's wrong fields stated at or above its threshold (per field), in field order."""
    return [k for k, ok in row.get("right", {}).items()
            if not ok and row["fields"][k]["cal"] >= row["threshold"]]


def cmd_report(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for p in args.files for line in Path(p).read_text().splitlines() if line.strip()]
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    for d, rs in by_doc.items():
        read = [r for r in rs if "right" in r]
        wrong = sum(1 for r in read for ok in r["right"].values() if not ok)
        above = sum(len(escapes(r)) for r in read)
        slipped = sum(sum(1 for ok in r["right"].values() if not ok) for r in read if not r["review"])
        top = [(r, k) for r in read for k, ok in r["right"].items() if r["fields"][k]["cal"] >= 0.95]
        top_wrong = sum(1 for r, k in top if not r["right"][k])
        sent = sum(1 for r in read if r["review"])
        print(f"{d}: {len(read)} cards ({len(rs) - len(read)} unread), {wrong} wrong fields; stated >= threshold "
              f"{above}; slipping (card not sent) {slipped} = {100 * slipped / max(1, wrong):.1f}%; "
              f">= 0.95 wrong {top_wrong}/{len(top)}; sent {sent}/{len(read)}")
        for r in read:
            for k in escapes(r):
                f = r["fields"][k]
                ev = r["evidence"]["fields"][k]
                print(f"  {r['seed']} {r['side']} {r['condition']} {k}: want {f['want']!r} got {f['got']!r} "
                      f"raw {f['raw']} cal {f['cal']} thr {r['threshold']:.3f} sent={bool(r['review'])} "
                      f"margin {ev.get('margin_min')} unsure {ev.get('unsure')} miss {ev.get('miss_max')} "
                      f"corr {[c for c in r['corrections'] if c[0] == k]}")
                if args.lines:
                    for ln in f["lines"]:
                        weak = [x for x in ln.get("runner", []) if x[2] < 6]
                        print(f"      line {ln['text']!r} p {ln['p']} weak {weak}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read")
    r.add_argument("--docs", default="id-card,hk-id-card,driver-license")
    r.add_argument("--seeds", required=True, help="first:last[,first:last...] (last exclusive)")
    r.add_argument("--cond", default="", help="only these conditions (comma-separated)")
    r.add_argument("--out", required=True)
    p = sub.add_parser("report")
    p.add_argument("files", nargs="+")
    p.add_argument("--lines", action="store_true", help="the lines behind each slip")
    args = ap.parse_args()
    if args.cmd == "read":
        cmd_read(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    main()
