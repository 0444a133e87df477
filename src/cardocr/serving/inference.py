"""The inference front: a bounded queue of readings in front of N workers, with a deadline.

    route ──read()──▶ admission ──▶ jobs queue ──▶ runner thread per worker slot ──▶ backend
                        │                                                  (a process, or
                        └─ full: Overloaded (503 ModelArts.4401, Retry-After)   this process)

* Admission counts the readings admitted and not yet finished; past workers + max_queue of
  them (max_queue None: one per two workers, Limits.queue_for) a request is refused at once
  (Overloaded), never queued for ever.
* The deadline (limits.request_deadline_seconds) runs from admission: past it the request is
  answered DeadlineExceeded (504 ModelArts.4402); a reading still queued is dropped, one
  running is abandoned (a process backend replaces its worker, a thread one lets it finish).
* Each slot has a runner thread that prepares its worker (starts it, waits until its models
  are loaded), then takes jobs one at a time. A worker that dies answers its job WorkerLost
  (503 ModelArts.4403) and is prepared again (counted as a restart).

The backend is what runs a reading: ThreadBackend calls a reader in this process (tests, and
any app built with create_app(reader=...) or engine=...), workers.ProcessBackend sends it to
a worker process (`cardocr serve`). Several apps (one per wire format and port) may share one
Inference: its queue, deadline and workers serve them all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from cardocr.documents import REGISTRY, DocumentType
from cardocr.errors import DeadlineExceeded, Overloaded, WorkerLost
from cardocr.serving.metrics import Metrics
from cardocr.settings import Limits
from cardocr.stages import StageClock
from cardocr.types import CardResult, ReadRequest

log = logging.getLogger("cardocr.serving")

Reader = Callable[[DocumentType, np.ndarray, ReadRequest], list[CardResult]]


@dataclass
class Reply:
    results: list[CardResult]
    stages: dict[str, float]  # stages.STAGES -> seconds


@dataclass
class Job:
    document: str  # documents.REGISTRY key
    image: np.ndarray
    request: ReadRequest
    request_id: str
    future: concurrent.futures.Future[Reply] = field(default_factory=concurrent.futures.Future)
    abandoned: threading.Event = field(default_factory=threading.Event)  # its answer went out


class Backend(Protocol):
    size: int  # worker slots
    restarts: int  # workers replaced after they died or were stopped

    def prepare(self, slot: int, closing: threading.Event) -> None:
        """Block until `slot` can take a job (start its worker, wait for its models)."""

    def execute(self, slot: int, job: Job) -> Reply:
        """Run one job on `slot`; WorkerLost when the worker died (prepare it again)."""

    def ready_slots(self) -> int: ...

    def close(self, timeout: float) -> None: ...


class ThreadBackend:
    """Readings on threads of this process: a reader called directly."""

    def __init__(self, reader: Reader, size: int) -> None:
        self.reader = reader
        self.size = size
        self.restarts = 0
        self._ready = 0
        self._lock = threading.Lock()

    def prepare(self, slot: int, closing: threading.Event) -> None:
        with self._lock:
            self._ready += 1

    def execute(self, slot: int, job: Job) -> Reply:
        clock = StageClock()
        with clock.active():
            results = self.reader(REGISTRY[job.document], job.image, job.request)
        return Reply(results, clock.seconds)

    def ready_slots(self) -> int:
        return self._ready

    def close(self, timeout: float) -> None:
        pass


class Inference:
    def __init__(self, backend: Backend, limits: Limits, metrics: Metrics | None = None) -> None:
        self.backend = backend
        self.limits = limits
        self.metrics = metrics or Metrics()
        self.metrics.watch(self)
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._admitted = 0  # admitted and not finished (queued + running)
        self._running = 0
        self._closing = threading.Event()
        self._runners: list[threading.Thread] = []

    # -- what the routes call ------------------------------------------------------------------

    async def read(self, doc: DocumentType, image: np.ndarray, request: ReadRequest,
                   request_id: str = "-") -> list[CardResult]:
        """pipeline.read on a worker, or Overloaded at once, or DeadlineExceeded in time."""
        job = self._admit(doc, image, request, request_id)
        try:
            reply = await asyncio.wait_for(asyncio.wrap_future(job.future), self.limits.request_deadline_seconds)
        except TimeoutError:
            raise self._timed_out(job) from None
        except asyncio.CancelledError:  # the request's task was cancelled: nobody waits for it
            job.abandoned.set()
            raise
        return self._done(reply)

    def read_blocking(self, doc: DocumentType, image: np.ndarray, request: ReadRequest,
                      request_id: str = "-") -> list[CardResult]:
        """The same from a thread that may block (never the event loop's): for routes that
        read on their intake threads (a Reader: blocking_reader)."""
        job = self._admit(doc, image, request, request_id)
        try:
            reply = job.future.result(timeout=self.limits.request_deadline_seconds)
        except TimeoutError:
            job.future.cancel()
            raise self._timed_out(job) from None
        return self._done(reply)

    def blocking_reader(self) -> Reader:
        """A Reader (doc, image, request) -> results that goes through this front."""
        return self.read_blocking

    def refuse_if_full(self) -> None:
        """Overloaded now if the queue is full: called before a request's image is fetched and
        decoded, so that under overload a refusal costs little (measured on 1 core at 4x
        overload: refusing after decoding let the decoding of refused requests take half the
        core from the readings). Admission proper comes later (read)."""
        with self._lock:
            if self._full():
                self.metrics.shed.inc()
                raise Overloaded()

    def _full(self) -> bool:
        size = self.backend.size
        return self._closing.is_set() or self._admitted >= size + self.limits.queue_for(size)

    def _admit(self, doc: DocumentType, image: np.ndarray, request: ReadRequest, request_id: str) -> Job:
        self._start()
        with self._lock:
            if self._full():
                self.metrics.shed.inc()
                raise Overloaded()
            self._admitted += 1
        job = Job(doc.name, image, request, request_id)
        self._jobs.put(job)
        return job

    def _timed_out(self, job: Job) -> DeadlineExceeded:
        job.abandoned.set()  # queued: dropped (its future is cancelled); running: stopped
        self.metrics.timed_out.inc()
        log.warning("deadline exceeded", extra={"request_id": job.request_id})
        return DeadlineExceeded()

    def _done(self, reply: Reply) -> list[CardResult]:
        for name, seconds in reply.stages.items():
            self.metrics.stages.labels(name).observe(seconds)
        return reply.results

    # -- state, for /ready and /metrics ----------------------------------------------------------

    @property
    def queued(self) -> int:
        with self._lock:
            return max(0, self._admitted - self._running)

    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    def ready(self) -> bool:
        return not self._closing.is_set() and self.backend.ready_slots() == self.backend.size

    # -- the runners ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the runner threads (each prepares its worker); idempotent."""
        self._start()

    def _start(self) -> None:
        if self._runners:
            return
        with self._lock:
            if self._runners:
                return
            for slot in range(self.backend.size):
                t = threading.Thread(target=self._run, args=(slot,), name=f"cardocr-worker-{slot}", daemon=True)
                t.start()
                self._runners.append(t)

    def _run(self, slot: int) -> None:
        while not self._closing.is_set():
            try:
                self.backend.prepare(slot, self._closing)
            except Exception as exc:  # noqa: BLE001 - a worker that cannot start: try again
                log.error("inference worker %d failed to start: %s", slot, exc)
                self._closing.wait(1.0)
                continue
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                if not job.future.set_running_or_notify_cancel():  # its deadline passed in the queue
                    self._finished(started=False)
                    continue
                with self._lock:
                    self._running += 1
                # the job leaves the count before its answer goes out: a client that sends its
                # next request on the answer must not find the queue still full of this one
                try:
                    reply = self.backend.execute(slot, job)
                except WorkerLost as exc:
                    self._finished(started=True)
                    job.future.set_exception(exc)
                    break  # prepare the slot again
                except BaseException as exc:  # noqa: BLE001 - the route answers it (a bug: logged there)
                    self._finished(started=True)
                    job.future.set_exception(exc)
                    continue
                self._finished(started=True)
                job.future.set_result(reply)

    def _finished(self, started: bool) -> None:
        with self._lock:
            self._admitted -= 1
            if started:
                self._running -= 1

    def close(self, timeout: float = 10.0) -> None:
        """Refuse new readings, let the runners finish what they hold, stop the workers."""
        self._closing.set()
        for _ in self._runners:
            self._jobs.put(None)
        deadline = time.monotonic() + timeout
        for t in self._runners:
            t.join(max(0.0, deadline - time.monotonic()))
        self.backend.close(max(0.5, deadline - time.monotonic()))
