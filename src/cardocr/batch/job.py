"""The batch job on Ray Data: sources in, one answer per image out, streamed to the driver.

    driver: list sources -> drop those the output already has -> ray.data.from_items
        -> map_batches(ImageReader, an actor pool: each actor loads the models once, with
           onnxruntime and OpenCV sized to the actor's CPU share)
        -> iter_rows on the driver: each answer written (and flushed) as it arrives

Input blocks hold BLOCK_ROWS sources: Ray Data hands an operator's output to the driver a
block at a time, so small blocks keep answers streaming (and what a crash loses small), at a
per-block cost that is negligible next to a reading (~0.25 s per card on one core).

The driver holds the list of sources (about 100 bytes each): for tens of millions of images,
run one job per list file of a few million.

Ray: a local one started for the job (sized to `cpus`, dashboard off, usage stats off) unless
one is already running in this process or `address` names a cluster. Nothing is downloaded:
no runtime_env; cardocr and its models must be installed on every node.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cardocr.batch.sink import Sink
from cardocr.batch.sources import S3Config, read_source
from cardocr.errors import CardOcrError, InternalError
from cardocr.render.huawei import Flag, HuaweiOptions, error_body
from cardocr.settings import Limits

BLOCK_ROWS = 4


def recognize_source(source: str, doc_type: str, options: HuaweiOptions, engine: Any, limits: Limits,
                     s3_client: Any = None, where: str = "batch") -> dict[str, Any]:
    """One image, read from its source, through the API's own decoding limits, pipeline and
    renderer (api.huawei_ocr.recognize_bytes): {"result": ...} (with --type auto also
    "type"), or the API's error body for it."""
    from cardocr.api import huawei_ocr

    try:
        data = read_source(source, limits.max_image_bytes, s3_client)
        return huawei_ocr.recognize_bytes(doc_type, data, options, engine, limits)
    except CardOcrError as exc:
        return error_body(exc)
    except Exception as exc:  # noqa: BLE001 - a bug: logged with its traceback, counted, answered
        from cardocr.telemetry import report_internal_error

        report_internal_error(exc, where)
        return error_body(InternalError())


class ImageReader:
    """A Ray Data actor: the models loaded once, then batches of sources read one by one."""

    def __init__(self, doc_type: str, options: HuaweiOptions, limits: Limits, s3: S3Config, threads: int) -> None:
        import cv2

        from cardocr.logs import configure_logging
        from cardocr.ocr.engine import get_engine

        configure_logging("warning")  # internal errors as JSON lines (no field values)
        cv2.setNumThreads(threads)  # OpenCV's pool would otherwise take every core of the node
        self.doc_type, self.options, self.limits = doc_type, options, limits
        self.engine = get_engine(threads)
        self.s3, self.s3_client = s3, None  # made on the first s3:// source

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        sources = [str(s) for s in batch["source"]]
        if self.s3_client is None and any(s.startswith("s3://") for s in sources):
            self.s3_client = self.s3.client()
        bodies = [json.dumps(recognize_source(s, self.doc_type, self.options, self.engine, self.limits,
                                              self.s3_client), ensure_ascii=False) for s in sources]
        return {"source": sources, "body": bodies}


@dataclass(frozen=True)
class Job:
    doc_type: str
    # the confidences and the review verdict are always in a batch's answers (batch_options)
    options: HuaweiOptions = HuaweiOptions(flags=frozenset({Flag.CONFIDENCE}))
    limits: Limits = field(default_factory=Limits)
    s3: S3Config = S3Config()
    address: str | None = None  # a Ray cluster ("auto", "ray://host:10001", host:6379); None: local
    cpus: int | None = None  # a local Ray's CPUs (None: this process's)
    workers: int | None = None  # actors (None: one per cpus_per_worker CPUs of the Ray cluster)
    cpus_per_worker: int = 1  # each actor's CPU share, and its onnxruntime / OpenCV threads


@dataclass
class Tally:
    listed: int = 0
    skipped: int = 0  # already in the output
    read: int = 0
    failed: int = 0
    workers: int = 0
    seconds: float = 0.0  # from the dataset's start (actors loading included) to its last answer
    first_answer_s: float | None = None  # when the first answer came, on the same clock

    @property
    def per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


def local_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def start_ray(job: Job) -> bool:
    """Connect to or start Ray unless it is already up in this process; True if we did."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # Ray would report usage over the network
    if job.address:
        ray.init(address=job.address, logging_level=logging.WARNING)
    else:
        ray.init(num_cpus=job.cpus or local_cpus(), include_dashboard=False, logging_level=logging.WARNING)
    return True


def run(sources: list[str], sink: Sink, job: Job, on_answer: Callable[[int, int], None] | None = None) -> Tally:
    """Read every source not yet in `sink`, writing each answer as it arrives. `on_answer(done,
    total)` after each (for a progress bar). Ray is started here if not already up, and shut
    down again if it was."""
    tally = Tally(listed=len(sources))
    done = sink.done()
    todo = [s for s in sources if s not in done]
    tally.skipped = len(sources) - len(todo)
    if not todo:
        return tally
    import ray

    if on_answer is not None:
        on_answer(0, len(todo))
    started = start_ray(job)
    try:
        tally.workers = _workers(job, len(todo))
        t0 = time.perf_counter()
        for record in _answers(todo, job, tally.workers):
            sink.write(record)
            tally.read += 1
            tally.failed += "error_code" in record
            if tally.first_answer_s is None:
                tally.first_answer_s = time.perf_counter() - t0
            if on_answer is not None:
                on_answer(tally.read, len(todo))
        tally.seconds = time.perf_counter() - t0
    finally:
        sink.close()
        if started:
            ray.shutdown()
    return tally


def _workers(job: Job, todo: int) -> int:
    import ray

    if job.workers:
        n = job.workers
    else:
        n = int(ray.cluster_resources().get("CPU", 1)) // job.cpus_per_worker  # type: ignore[no-untyped-call]
    return max(1, min(n, todo))  # no actor loads models it will not use


def _answers(todo: list[str], job: Job, workers: int) -> Iterable[dict[str, Any]]:
    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = False  # the CLI shows its own
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "progress bars disabled"
    # at least a few blocks per actor, or a short job would leave actors idle
    rows = max(1, min(BLOCK_ROWS, len(todo) // (workers * 4)))
    items = ray.data.from_items([{"source": s} for s in todo], override_num_blocks=math.ceil(len(todo) / rows))
    ds = items.map_batches(
        ImageReader,
        fn_constructor_kwargs={"doc_type": job.doc_type, "options": job.options, "limits": job.limits,
                               "s3": job.s3, "threads": job.cpus_per_worker},
        batch_size=rows,
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=job.cpus_per_worker,
    )
    for row in ds.iter_rows():
        yield {"source": row["source"], **json.loads(row["body"])}
