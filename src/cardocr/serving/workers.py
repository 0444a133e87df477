"""Inference worker processes: each loads the models once and reads one image at a time.

Workers are started with `spawn` (a fresh interpreter: no copy of the HTTP process's threads
or sockets) and talk to their runner thread (serving.inference) over a pipe:

    worker -> ("ready", pid)                                once its reader is built
    runner -> (request_id, document, shape, dtype, ReadRequest), then the image's bytes
                                                            one job
    worker -> ("ok", [CardResult], stage seconds)
            | ("error", error class name, message, stage seconds)   a CardOcrError: its answer
            | ("bug", exception class name, stage seconds)          logged with its traceback there
    runner -> None                                          finish and exit

The image goes as its raw bytes after a small header, not pickled with the job: measured
on a 1422x1067 photo, 2.7 ms of CPU for both ends against 13.8 ms pickled (2% of a card).

A worker ignores SIGINT and SIGTERM: the HTTP process decides when it stops (after its
in-flight requests are answered). One that dies (killed, out of memory, a crash in native
code) is noticed by its runner: the job answers WorkerLost and a new worker is started.
One still busy after its job's deadline passed is killed and replaced the same way.

The reader a worker runs comes from `reader_factory`, "module:function" taking the engine
thread count: the real pipeline by default; tests name slow or crashing fakes.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from contextvars import ContextVar
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from cardocr import errors
from cardocr.documents import REGISTRY, DocumentType
from cardocr.errors import WorkerLost
from cardocr.serving.inference import Job, Reader, Reply
from cardocr.stages import StageClock
from cardocr.types import CardResult, ReadRequest

log = logging.getLogger("cardocr.serving")

DEFAULT_READER = "cardocr.serving.workers:engine_reader"
POLL_SECONDS = 0.05  # how often a runner checks that its worker lives and its job is still wanted


class WorkerBug(RuntimeError):
    """A bug in a worker (its traceback is in the log): answered as an internal error."""


def engine_reader(threads: int) -> Reader:
    """pipeline.read with this process's engine (`threads` onnxruntime threads), its model runs
    timed (stages.TimedEngine). In a worker started with more threads for when it reads alone
    (ProcessBackend's alone_threads), the engine follows the count of busy workers
    (serving.sharing)."""
    from cardocr.ocr.engine import OcrEngine, get_engine
    from cardocr.pipeline import read
    from cardocr.serving.sharing import LoadShared
    from cardocr.stages import TimedEngine

    base: OcrEngine = get_engine(threads)
    shared = None
    if _sharing is not None and _sharing[1] > threads:
        busy, alone_threads = _sharing
        shared = LoadShared(base, get_engine(alone_threads), busy, threads, alone_threads)
        base = shared
    engine = TimedEngine(base)

    def reader(doc: DocumentType, image: np.ndarray, request: ReadRequest) -> list[CardResult]:
        if shared is not None:
            shared.set_cv_threads()
        return read(doc, image, request, engine)

    return reader


# (busy workers counter, threads when alone) in a worker started with alone_threads
_sharing: tuple[Any, int] | None = None


def _load(factory: str) -> Any:
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)


_request_id: ContextVar[str] = ContextVar("cardocr_worker_request_id", default="-")


class _RequestIdFilter(logging.Filter):
    """A worker's log lines carry the request id of the job it is reading."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        record.worker = os.getpid()
        return True


def worker_main(conn: Connection, reader_factory: str, threads: int, log_level: str,
                alone_threads: int | None = None, busy: Any = None) -> None:
    global _sharing
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from cardocr.logs import configure_logging
    from cardocr.telemetry import report_internal_error

    configure_logging(log_level).addFilter(_RequestIdFilter())
    if busy is not None and alone_threads:
        _sharing = (busy, alone_threads)
    reader = _load(reader_factory)(threads)
    conn.send(("ready", os.getpid()))
    pixels = bytearray()  # the job's image lands here; grown to the largest seen
    while True:
        try:
            message = conn.recv()
            if message is None:
                return
            request_id, document, shape, dtype, request = message
            size = int(np.prod(shape)) * np.dtype(dtype).itemsize
            if len(pixels) < size:
                pixels = bytearray(size)
            conn.recv_bytes_into(pixels)
        except (EOFError, OSError):
            return
        image = np.frombuffer(pixels, dtype, int(np.prod(shape))).reshape(shape)
        _request_id.set(request_id)
        clock = StageClock()
        reply: tuple[Any, ...]
        try:
            with clock.active():
                results = reader(REGISTRY[document], image, request)
            reply = ("ok", results, clock.seconds)
        except errors.CardOcrError as exc:
            reply = ("error", type(exc).__name__, exc.message, clock.seconds)
        except Exception as exc:  # noqa: BLE001 - a bug: logged here, answered there
            report_internal_error(exc, "inference worker", request_id)
            reply = ("bug", type(exc).__name__, clock.seconds)
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle is a bug too
            report_internal_error(exc, "inference worker", request_id)
            conn.send(("bug", type(exc).__name__, clock.seconds))


class ProcessBackend:
    """`size` worker processes with `threads` onnxruntime threads each; with `alone_threads`
    (more than `threads`), a worker that is the only one reading uses that many instead
    (serving.sharing)."""

    def __init__(self, size: int, threads: int, *, alone_threads: int | None = None,
                 reader_factory: str = DEFAULT_READER, log_level: str = "info",
                 start_timeout: float = 300.0) -> None:
        self.size = size
        self.threads = threads
        self.alone_threads = alone_threads if alone_threads and alone_threads > threads else None
        self.reader_factory = reader_factory
        self.log_level = log_level
        self.start_timeout = start_timeout
        self.restarts = 0
        self._ctx = multiprocessing.get_context("spawn")
        self._busy = self._ctx.Value("i", 0)  # workers reading a job now (serving.sharing)
        self._procs: list[BaseProcess | None] = [None] * size
        self._conns: list[Connection | None] = [None] * size
        self._ready = [False] * size
        self._lock = threading.Lock()

    def ready_slots(self) -> int:
        return sum(self._ready)

    @property
    def busy(self) -> int:
        """Workers reading a job now."""
        return int(self._busy.value)

    def pids(self) -> list[int | None]:
        return [p.pid if p is not None else None for p in self._procs]

    def prepare(self, slot: int, closing: threading.Event) -> None:
        self._stop(slot)
        if self._procs[slot] is not None:
            with self._lock:
                self.restarts += 1
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=worker_main, name=f"cardocr-worker-{slot}", daemon=True,
                                 args=(child, self.reader_factory, self.threads, self.log_level,
                                       self.alone_threads, self._busy))
        proc.start()
        child.close()
        self._procs[slot], self._conns[slot] = proc, parent
        began = time.monotonic()
        while not parent.poll(POLL_SECONDS):
            if not proc.is_alive() or closing.is_set() or time.monotonic() - began > self.start_timeout:
                raise WorkerLost(f"The inference worker did not start (exit code {proc.exitcode}).")
        try:
            kind, pid = parent.recv()
        except (EOFError, OSError):
            raise WorkerLost(f"The inference worker did not start (exit code {proc.exitcode}).") from None
        self._ready[slot] = True
        log.info("inference worker %d ready", slot, extra={"worker": pid, "threads": self.threads})

    def execute(self, slot: int, job: Job) -> Reply:
        proc, conn = self._procs[slot], self._conns[slot]
        assert proc is not None and conn is not None  # prepared
        with self._busy.get_lock():
            self._busy.value += 1
        try:
            return self._execute(slot, job, proc, conn)
        finally:
            with self._busy.get_lock():
                self._busy.value -= 1

    def _execute(self, slot: int, job: Job, proc: BaseProcess, conn: Connection) -> Reply:
        try:
            image = np.ascontiguousarray(job.image)
            conn.send((job.request_id, job.document, image.shape, image.dtype.str, job.request))
            conn.send_bytes(image.data.cast("B"))
            while not conn.poll(POLL_SECONDS):
                if not proc.is_alive():
                    raise EOFError
                if job.abandoned.is_set():  # its deadline passed: stop reading it
                    log.warning("inference worker %d stopped: its request passed its deadline", slot,
                                extra={"request_id": job.request_id, "worker": proc.pid})
                    self._stop(slot)
                    raise WorkerLost()
            reply = conn.recv()
        except (EOFError, OSError):
            log.error("inference worker %d died (exit code %s); replacing it", slot, proc.exitcode,
                      extra={"request_id": job.request_id, "worker": proc.pid})
            self._ready[slot] = False
            raise WorkerLost() from None
        kind = reply[0]
        if kind == "ok":
            return Reply(reply[1], reply[2])
        if kind == "error":
            error_class = getattr(errors, reply[1], None)
            if not (isinstance(error_class, type) and issubclass(error_class, errors.CardOcrError)):
                error_class = errors.RecognitionFailed
            raise error_class(reply[2])
        raise WorkerBug(reply[1])

    def _stop(self, slot: int, timeout: float = 0.0) -> None:
        self._ready[slot] = False
        proc, conn = self._procs[slot], self._conns[slot]
        if proc is None:
            return
        if conn is not None and timeout > 0 and proc.is_alive():
            try:
                conn.send(None)
            except OSError:
                pass
            proc.join(timeout)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        if conn is not None:
            conn.close()
        self._conns[slot] = None

    def close(self, timeout: float) -> None:
        """Ask every worker to finish, then kill any that has not within `timeout`."""
        began = time.monotonic()
        for slot in range(self.size):
            self._stop(slot, max(0.1, timeout - (time.monotonic() - began)))
