"""`make bench-scaling` (or `python -m bench.run --scaling`): the service under load, through
its HTTP API, as `cardocr serve` runs it, pinned with `taskset` to 1 core and to 2 cores.

For each pinning: one request at a time (the low-load latency), then a closed loop at
saturation (as many requests in flight as the server admits, saturating_concurrency: cards/s,
p50/p95, field accuracy against the generator's truth), then an overload run: requests arriving
at 4x the saturation rate (open loop, Poisson arrivals) for --overload-seconds: the answers'
codes, the accepted requests' p95 against the low-load p95, 5xx other than the documented
refusals (503 ModelArts.4401 / 4403, 504 ModelArts.4402), connection errors, and the latency of
one request right after the load stops (recovery). RSS (the server and its workers) after each
phase.

`--memory N` instead runs bench.memory: N requests to the real pipeline on 2 cores, the RSS
after every 1,000 (the issue: after 10,000 within 10% of after 1,000). Its table is kept as a
subsection of the serving section (a later `make bench-scaling` leaves it in place).

`--baseline-ref REF` also serves the code at git REF (default: 88ed145, the last commit before the worker
processes) the same way, as "today" in the same run. The load generator runs unpinned in this
process; on a shared 2-core machine it competes with the server, so the numbers are noisy:
compare ratios, not absolutes. The tables go to bench/RESULTS.md under their own heading.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import httpx
import numpy as np

from bench import results
from bench.suites import id_card_samples
from cardocr.settings import Limits

HERE = Path(__file__).parent
ROOT = HERE.parent
TITLE = "## Serving at scale (`make bench-scaling`)"
PROJECT = "0000000000000000000000000000dev0"
OCR = f"/v2/{PROJECT}/ocr/id-card"
WIRE_KEYS = {"authority": "issue"}  # the bench's truth names one field as the document does
DOCUMENTED_5XX = {(503, "ModelArts.4401"), (503, "ModelArts.4403"), (504, "ModelArts.4402")}


@dataclass
class Card:
    body: bytes  # the JSON request, encoded once
    truth: dict[str, str]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # accepted (200) answers
    codes: dict[str, int] = field(default_factory=dict)
    fields_right: int = 0
    fields_total: int = 0
    undocumented_5xx: int = 0
    connection_errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)  # connection errors by class
    seconds: float = 0.0

    def p(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.latencies else float("nan")

    @property
    def ok(self) -> int:
        return self.codes.get("200", 0)


def cards(count: int, seed0: int) -> list[Card]:
    out = []
    for _key, photo, truth, _request in id_card_samples(count, seed0):
        image = base64.b64encode(cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()).decode()
        body = ('{"image": "' + image + '"}').encode()
        out.append(Card(body, {WIRE_KEYS.get(k, k): v for k, v in truth.items()}))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`cardocr serve` pinned to `cpus` (a taskset list), from `src` (a source tree)."""

    def __init__(self, cpus: str, src: Path, workers: int | None, threads: int | None, log: Path,
                 max_queue: int | None = None) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARDOCR_")}
        env["PYTHONPATH"] = str(src)
        env["CARDOCR_PORT"] = str(self.port)
        # the COS listener too: two servers (or another bench's) must not fight over 8081
        env["CARDOCR_COS_PORT"] = str(free_port())
        if workers:
            env["CARDOCR_WORKERS"] = str(workers)
        if threads:
            env["CARDOCR_ENGINE_THREADS"] = str(threads)
        if max_queue is not None:  # [limits] max_queue has no environment variable: a config file
            config = log.with_suffix(".toml")
            config.write_text(f"[limits]\nmax_queue = {max_queue}\n")
            env["CARDOCR_CONFIG"] = str(config)
        self.proc = subprocess.Popen(["taskset", "-c", cpus, sys.executable, "-m", "cardocr", "serve",
                                      "--log-level", "warning"], cwd=src.parent, env=env,
                                     stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, client: httpx.Client, token_timeout: float = 300) -> str:
        """Wait until a reading is answered (works for servers without /ready too); the token."""
        deadline = time.monotonic() + token_timeout
        while True:
            try:
                r = client.post(self.url + "/v3/auth/tokens", json=_password_body(), timeout=5)
                if r.status_code == 201:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("server did not start")
            time.sleep(0.3)
        token = r.headers["X-Subject-Token"]
        while time.monotonic() < deadline:
            try:
                if client.get(self.url + "/ready", timeout=5).status_code in (200, 404):
                    return token
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server not ready")

    def rss_mb(self) -> float:
        """Resident memory of the server and every process under it (from /proc)."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        family, frontier = {self.proc.pid}, [self.proc.pid]
        while frontier:
            pid = frontier.pop()
            kids = [c for c, p in parents.items() if p == pid and c not in family]
            family.update(kids)
            frontier += kids
        total = 0
        for pid in family:
            try:
                with open(f"/proc/{pid}/status") as fh:
                    total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                continue
        return total / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _password_body() -> dict:
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "cardocr", "password": "cardocr-dev", "domain": {"name": "cardocr"}}}},
        "scope": {"project": {"id": PROJECT}}}}


async def _one(client: httpx.AsyncClient, url: str, token: str, card: Card, run: Run,
               began: float | None = None) -> str:
    """Post one card; its answer's code ("200", "503 ModelArts.4401", ...; "" for a connection
    error). The latency counts from `began` (default: now)."""
    began = time.perf_counter() if began is None else began
    try:
        r = await client.post(url + OCR, content=card.body, headers={
            "X-Auth-Token": token, "Content-Type": "application/json"})
    except httpx.TransportError as exc:
        run.connection_errors += 1
        kind = type(exc).__name__
        run.error_kinds[kind] = run.error_kinds.get(kind, 0) + 1
        return ""
    seconds = time.perf_counter() - began
    code = "200"
    if r.status_code != 200:
        try:
            code = f"{r.status_code} {r.json()['error_code']}"
        except Exception:  # noqa: BLE001 - an answer that is not the vendor's error body
            code = f"{r.status_code} ?"
        if r.status_code >= 500 and (r.status_code, code.split()[-1]) not in DOCUMENTED_5XX:
            run.undocumented_5xx += 1
    run.codes[code] = run.codes.get(code, 0) + 1
    if r.status_code == 200:
        run.latencies.append(seconds)
        result = r.json()["result"]
        run.fields_total += len(card.truth)
        run.fields_right += sum(result.get(k) == v for k, v in card.truth.items())
    return code


REFUSED = "503 ModelArts.4401"
RETRY_PAUSE = 0.05  # seconds a closed-loop client waits before sending a refused request again


async def closed_loop(url: str, token: str, deck: list[Card], concurrency: int, requests: int) -> Run:
    """`concurrency` clients, each sending its next request when its last is answered. A refused
    request (503 ModelArts.4401: the server's queue is full) is sent again after RETRY_PAUSE, as
    a client honouring Retry-After would, and its latency counts from the first attempt: the
    closed loop may hold more requests than the server admits (2 per worker against workers +
    Limits.queue_for), and a refusal must not count as a request done."""
    run = Run()
    todo = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def worker() -> None:
            for i in todo:
                began = time.perf_counter()
                while await _one(client, url, token, deck[i % len(deck)], run, began) == REFUSED:
                    await asyncio.sleep(RETRY_PAUSE)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.seconds = time.perf_counter() - began
    return run


async def open_loop(url: str, token: str, deck: list[Card], rate: float, seconds: float, seed: int) -> Run:
    """Requests arriving at `rate` per second (Poisson) for `seconds`, whatever the answers."""
    run = Run()
    rng = random.Random(seed)
    tasks = []
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        began = time.perf_counter()
        at, i = 0.0, 0
        while at < seconds:
            delay = began + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(client, url, token, deck[i % len(deck)], run)))
            i += 1
            at += rng.expovariate(rate)
        await asyncio.gather(*tasks)
        run.seconds = time.perf_counter() - began
    return run


@dataclass
class Row:
    label: str
    cores: int
    unloaded: Run
    saturated: Run
    overload: Run | None = None
    after: float = float("nan")  # one request right after the overload stopped
    rss: list[tuple[str, float]] = field(default_factory=list)
    concurrency: int = 0


def saturating_concurrency(label: str, workers: int, max_queue: int | None) -> int:
    """Requests the saturation loop keeps in flight: for ours, exactly what the server admits
    (a reading per worker and its queue, Limits.queue_for), so that a worker that finishes
    finds the next reading waiting and no request is refused; for today's server (no queue
    limit), 2 per worker."""
    if label.startswith("cardocr"):
        return workers + Limits(max_queue=max_queue).queue_for(workers)
    return 2 * workers


def measure(label: str, cpus: str, src: Path, deck: list[Card], args: argparse.Namespace,
            workers: int | None = None, threads: int | None = None) -> Row:
    cores = len(cpus.split(","))
    log = Path(tempfile.gettempdir()) / f"cardocr-scaling-{label.replace(' ', '_')}-{cores}.log"
    server = Server(cpus, src, workers, threads, log, max_queue=args.max_queue if label.startswith("cardocr") else None)
    print(f"[{label}, {cores} core(s)] starting (log {log})", file=sys.stderr)
    try:
        with httpx.Client() as client:
            token = server.wait_ready(client)
        asyncio.run(closed_loop(server.url, token, deck, 1, 2))  # warm-up
        unloaded = asyncio.run(closed_loop(server.url, token, deck, 1, args.unloaded))
        rss = [("after warm-up and low load", server.rss_mb())]
        concurrency = saturating_concurrency(label, workers or cores, args.max_queue)
        saturated = asyncio.run(closed_loop(server.url, token, deck, concurrency, args.saturation))
        rss.append((f"after {args.unloaded + args.saturation + 2} requests", server.rss_mb()))
        row = Row(label, cores, unloaded, saturated, rss=rss, concurrency=concurrency)
        print(f"  unloaded p50 {unloaded.p(50):.3f}  saturated {saturated.ok / saturated.seconds:.2f} cards/s "
              f"p50 {saturated.p(50):.3f} p95 {saturated.p(95):.3f}", file=sys.stderr)
        if args.overload_seconds and label == "cardocr":
            rate = 4 * saturated.ok / saturated.seconds
            row.overload = asyncio.run(open_loop(server.url, token, deck, rate, args.overload_seconds, cores))
            after = asyncio.run(closed_loop(server.url, token, deck, 1, 3))
            row.after = after.p(50)
            total = sum(row.overload.codes.values()) + row.overload.connection_errors
            row.rss.append((f"after the overload ({total} more requests)", server.rss_mb()))
            print(f"  overload at {rate:.1f}/s: {row.overload.codes}", file=sys.stderr)
        return row
    finally:
        server.stop()


def report(rows: list[Row], args: argparse.Namespace) -> str:
    when = time.strftime("%Y-%m-%d %H:%M")
    load = os.getloadavg()[0]
    lines = [TITLE, "",
             f"Run {when}; load average {load:.1f} at the end (the machine is shared: other work ran on the "
             "same 2 cores, so absolute numbers are noisy; compare ratios). Mainland ID cards (id-card, "
             f"{args.cards} distinct photos: scan/photo/small, fronts and backs, seeds {args.seed}..) posted "
             "as base64 JSON through the HTTP API of `cardocr serve` pinned with `taskset`; the load generator "
             "runs unpinned. Low load: one request at a time. Saturation: a closed loop with as many requests "
             "in flight as the server admits (ours: one per worker and its queue; today's: 2 per worker; "
             "a request refused with 503 ModelArts.4401 is sent again 50 ms later, its latency "
             "counted from the first attempt). Field accuracy: answered fields equal to the generator's truth.", "",
             "### Throughput and latency", "",
             "| server | cores | low-load p50 (s) | saturation: cards/s | p50 (s) | p95 (s) | field accuracy "
             "| refused and resent |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s = r.saturated
        acc = f"{s.fields_right / max(1, s.fields_total):.1%} ({s.fields_right}/{s.fields_total})"
        lines.append(f"| {r.label} | {r.cores} | {r.unloaded.p(50):.3f} | {s.ok / s.seconds:.2f} | "
                     f"{s.p(50):.3f} | {s.p(95):.3f} | {acc} | {s.codes.get(REFUSED, 0)} |")
    ours = {r.cores: r for r in rows if r.label == "cardocr"}
    today = next((r for r in rows if r.label.startswith("today")), None)
    if 1 in ours and 2 in ours:
        one, two = ours[1].saturated, ours[2].saturated
        ratio = (two.ok / two.seconds) / (one.ok / one.seconds)
        lines += ["", f"2 cores / 1 core, saturation cards/s: **{ratio:.2f}x**."]
        if today is not None:
            t = today.unloaded
            rate_today = 1 / float(np.mean(t.latencies))
            lines.append(f"Saturation cards/s on 2 cores / today's one-at-a-time rate on 2 cores "
                         f"({rate_today:.2f} cards/s): **{(two.ok / two.seconds) / rate_today:.2f}x**; low-load p50 "
                         f"{ours[2].unloaded.p(50):.3f} s vs today's {t.p(50):.3f} s "
                         f"({ours[2].unloaded.p(50) / t.p(50):.2f}x).")
    lines += ["", f"### Overload: 4x the saturation rate for {args.overload_seconds:.0f} s", "",
              "| cores | offered/s | answers | accepted p95 / low-load p95 | undocumented 5xx | connection errors "
              "| one request after (s) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.overload is None:
            continue
        o = r.overload
        offered = (sum(o.codes.values()) + o.connection_errors) / args.overload_seconds
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(o.codes.items()))
        lines.append(f"| {r.cores} | {offered:.1f} | {codes} | {o.p(95):.3f} / {r.unloaded.p(95):.3f} = "
                     f"{o.p(95) / r.unloaded.p(95):.2f}x | {o.undocumented_5xx} | {o.connection_errors} "
                     f"{o.error_kinds or ''} | {r.after:.3f} |")
    lines += ["", "### Memory (RSS of the server and its workers, MB)", "", "| server | cores | when | RSS |",
              "|---|---|---|---|"]
    for r in rows:
        lines += [f"| {r.label} | {r.cores} | {when_} | {mb:.0f} |" for when_, mb in r.rss]
    return "\n".join(lines) + "\n"


MEMORY_TITLE = "### Memory over many requests (`--memory N`)"  # bench.memory writes it


def splice(path: Path, section: str) -> None:
    """The serving section in place of the file's, keeping its memory subsection (written by
    --memory, a separate run) unless `section` brings one."""
    old = section_of(path.read_text()) if path.exists() else ""
    if MEMORY_TITLE in old and MEMORY_TITLE not in section:
        section = section.rstrip("\n") + "\n\n" + old[old.index(MEMORY_TITLE):].rstrip("\n") + "\n"
    results.splice(path, TITLE, section)


def section_of(text: str) -> str:
    """The scaling section of a results file ('' when it has none): bench.run keeps it."""
    if TITLE not in text:
        return ""
    rest = text.split(TITLE, 1)[1]
    nxt = rest.find("\n## ")
    return TITLE + (rest[:nxt + 1] if nxt >= 0 else rest)


def checkout(ref: str) -> Path:
    """The source tree at git `ref`, exported to a temporary folder (nothing else touched)."""
    out = Path(tempfile.mkdtemp(prefix="cardocr-ref-"))
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out / "src"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The serving bench's flags (bench.memory's `--memory` run among them)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cards", type=int, default=24, help="distinct card photos, cycled")
    ap.add_argument("--seed", type=int, default=100000)
    ap.add_argument("--unloaded", type=int, default=12, help="requests one at a time")
    ap.add_argument("--saturation", type=int, default=48, help="requests in the saturation run")
    ap.add_argument("--overload-seconds", type=float, default=30.0, help="0: no overload run")
    ap.add_argument("--full", action="store_true", help="the issue's run: 2 minutes of overload, 120 saturation "
                    "requests")
    ap.add_argument("--oversubscribed", action=argparse.BooleanOptionalAction, default=True,
                    help="also 2 workers with 2 onnxruntime threads each on 2 cores")
    # 88ed145: the last commit served by one process with an inference thread pool
    ap.add_argument("--baseline-ref", default="88ed145", help="also serve this git ref as 'today' ('' for none)")
    ap.add_argument("--memory", type=int, default=0, metavar="N",
                    help="only the memory run: N requests to the real pipeline on 2 cores, RSS every 1,000")
    ap.add_argument("--memory-step", type=int, default=1000, help="requests between two RSS readings")
    ap.add_argument("--memory-minutes", type=float, default=0.0,
                    help="stop the memory run at the first reading after this many minutes (0: never)")
    ap.add_argument("--max-queue", type=int, default=None, help="serve ours with this [limits] max_queue "
                    "(default: the embedded default)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    return ap.parse_args(argv)


def main(args: argparse.Namespace) -> None:
    """The serving bench (without --memory: bench.memory runs that one)."""
    if args.full:
        args.overload_seconds, args.saturation = 120.0, 120
    deck = cards(args.cards, args.seed)
    src = ROOT / "src"
    rows = [measure("cardocr", "0", src, deck, args), measure("cardocr", "0,1", src, deck, args)]
    if args.oversubscribed:  # the other way to share 2 cores: each worker's models on both
        rows.append(measure("cardocr, 2 threads per worker", "0,1", src, deck, args, workers=2, threads=2))
    if args.baseline_ref:
        rows.append(measure(f"today ({args.baseline_ref})", "0,1", checkout(args.baseline_ref), deck, args))
    section = report(rows, args)
    print(section)
    splice(args.out, section)

