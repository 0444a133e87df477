"""`python -m bench.run --scaling --memory N` (bench.scaling's flags): the real pipeline served
on 2 cores, N requests in a closed loop, the RSS of the server and its workers after every
--memory-step requests; the issue asks that RSS after 10,000 be within 10% of RSS after 1,000.
Its table is a subsection of the serving section of bench/RESULTS.md (a later `make
bench-scaling` leaves it in place)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import results
from bench.scaling import (
    MEMORY_TITLE,
    ROOT,
    TITLE,
    Server,
    cards,
    closed_loop,
    saturating_concurrency,
    section_of,
)

BASELINE = 1000  # the issue compares the RSS after 10,000 requests with the RSS after 1,000


def memory_run(args: argparse.Namespace) -> str:
    """The real pipeline served on 2 cores; RSS every --memory-step requests up to args.memory
    (or until --memory-minutes have passed, at the next reading: said so in the table)."""
    deck = cards(args.cards, args.seed)
    log = Path(tempfile.gettempdir()) / "cardocr-scaling-memory.log"
    server = Server("0,1", ROOT / "src", None, None, log)
    print(f"[memory, 2 cores] starting (log {log})", file=sys.stderr)
    points: list[tuple[int, float, float]] = []  # requests, RSS MB, seconds since the start
    codes: dict[str, int] = {}
    errors = 0
    done = 0
    try:
        with httpx.Client() as client:
            token = server.wait_ready(client)
        asyncio.run(closed_loop(server.url, token, deck, 1, 2))  # warm-up
        began = time.monotonic()
        in_flight = saturating_concurrency("cardocr", 2, None)  # 2 cores: 2 workers by default
        points.append((0, server.rss_mb(), 0.0))
        while done < args.memory:
            step = min(args.memory_step, args.memory - done)
            run = asyncio.run(closed_loop(server.url, token, deck, in_flight, step))
            done += step
            for code, n in run.codes.items():
                codes[code] = codes.get(code, 0) + n
            errors += run.connection_errors + run.undocumented_5xx
            points.append((done, server.rss_mb(), time.monotonic() - began))
            print(f"  {done} requests: RSS {points[-1][1]:.0f} MB ({points[-1][2] / 60:.1f} min, "
                  f"{run.ok / run.seconds:.2f} cards/s)", file=sys.stderr)
            if args.memory_minutes and points[-1][2] > 60 * args.memory_minutes:
                break
    finally:
        server.stop()
    return memory_report(points, codes, errors, args)


def memory_report(points: list[tuple[int, float, float]], codes: dict[str, int], errors: int,
                  args: argparse.Namespace) -> str:
    done = points[-1][0]
    # the issue compares with RSS after 1,000 requests; a shorter run with its first reading
    read = [p for p in points if p[0] > 0] or points
    base, first, _ = next(p for p in read if p[0] >= BASELINE) if done >= 2 * BASELINE else read[0]
    lines = [MEMORY_TITLE, "",
             f"Run {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f} at the end: "
             f"`cardocr serve` (the real pipeline, default workers) on 2 cores, {done} requests of "
             f"{args.cards} distinct Mainland ID photos in a closed loop, "
             f"{saturating_concurrency('cardocr', 2, None)} in flight"
             + (f" (asked for {args.memory}; stopped after {args.memory_minutes:.0f} minutes)"
                if done < args.memory else "") + ". Answers: "
             + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items()))
             + f"; connection errors and undocumented 5xx: {errors}.", "",
             f"| requests | RSS (MB) | / RSS after {base} | minutes |", "|---|---|---|---|"]
    for n, mb, seconds in points:
        lines.append(f"| {n} | {mb:.0f} | {mb / first:.3f} | {seconds / 60:.1f} |")
    if done > base:
        lines += ["", f"RSS after {done} requests / after {base}: **{points[-1][1] / first:.3f}**."]
    return "\n".join(lines) + "\n"




def splice_memory(path: Path, memory: str) -> None:
    """The memory subsection into the serving section (replacing an earlier one)."""
    old = section_of(path.read_text()) if path.exists() else ""
    if not old:
        old = TITLE + "\n"
    if MEMORY_TITLE in old:
        old = old[:old.index(MEMORY_TITLE)]
    results.splice(path, TITLE, old.rstrip("\n") + "\n\n" + memory)
