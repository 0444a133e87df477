"""Batch jobs on Ray: `cardocr batch SOURCE [--type T] --out results.jsonl` (T: auto by default).

Reads every image of a folder, a glob, a list file or an S3 prefix (sources.py) on a Ray Data
actor pool (job.py) and writes one record per image, the API's own answer or error body plus
the image's source, as JSON lines or Parquet (sink.py). A second run with the same output
skips the images it already holds. Field values are written to the output only, never logged.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from cardocr.batch.job import Job, Tally, recognize_source, run
from cardocr.batch.sink import open_sink
from cardocr.batch.sources import S3Config, SourceError, list_sources
from cardocr.documents import AUTO, REGISTRY
from cardocr.render.huawei import Flag, HuaweiOptions, wire_for
from cardocr.types import BOTH_SIDES

__all__ = ["Job", "S3Config", "Tally", "batch_options", "main", "recognize_source", "run"]


def batch_options(doc_type: str, side: str | None, flags: list[str],
                  review_threshold: float | None = None) -> HuaweiOptions:
    """The request options, checked as the API checks them (ValueError with what is wrong).
    Every answer carries the calibrated confidences and the review verdict (return_confidence,
    issue 22: the batch output always shows them), whatever the flags.
    --type auto: the document is told per image, so a flag any document takes is accepted
    (and dropped for the images whose document does not take it), and no --side."""
    if doc_type == AUTO:
        if side is not None:
            raise ValueError("--side goes with a --type; auto tells the side from the card")
        taken = {f.value for name in REGISTRY if (w := wire_for(name)) is not None for f in w.flags}
    else:
        wire = wire_for(doc_type) if doc_type in REGISTRY else None
        if wire is None:
            raise ValueError(f"unknown --type; choose one of: {AUTO}, {', '.join(REGISTRY)}")
        sides = (*REGISTRY[wire.document].sides, BOTH_SIDES) if wire.takes_side else ()
        if side is not None and side not in sides:
            raise ValueError(f"unknown --side; {doc_type} takes: {', '.join(sides) or 'none'}")
        taken = {f.value for f in wire.flags}
    wrong = [f for f in flags if f not in taken]
    if wrong:
        raise ValueError(f"{doc_type} does not take: {', '.join(wrong)} (it takes: {', '.join(sorted(taken))})")
    return HuaweiOptions(side, frozenset({*(Flag(f) for f in flags), Flag.CONFIDENCE}), review_threshold)


def main(source: str, job: Job, out: Path, fmt: str, console: Console | None = None) -> int:
    """The CLI's work: list, run with a progress bar on stderr, sum up. The exit code: 0 when
    every image was answered with a result, 1 when some got an error body, 2 for bad usage."""
    err = console or Console(stderr=True)
    try:
        sink = open_sink(out, fmt)
        sources = list_sources(source, job.s3)
    except (SourceError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        return 2
    if not sources:
        err.print(f"[red]no images in {source}[/red]")
        return 2
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err, transient=False) as progress:
        task = progress.add_task("reading", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        tally = run(sources, sink, job, advance)
    err.print(f"{tally.listed} images: {tally.skipped} already in {out}, {tally.read} read "
              f"({tally.failed} with an error) on {tally.workers} Ray workers, "
              f"{tally.per_second:.2f} images/s")
    return 1 if tally.failed else 0
