"""What /metrics shows (Prometheus text format). Labels are routes as declared (with their
`{project_id}` placeholder, not the request's path), document types, HTTP statuses and wire
error codes: bounded sets, and never a value read from a card or sent by a client.

Everything is recorded in the HTTP process: the worker processes send each reading's stage
times back with its result, so no multi-process collection is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from cardocr.serving.inference import Inference

# why the HTTP layer refused a request before (or instead of) reading it: the server's limits
# (cardocr.server) and the body's (api.common.read_body)
REFUSALS = ("bad_request", "headers_too_large", "head_timeout", "too_many_connections",
            "body_too_large", "body_timeout")
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 15.0, 30.0)
STAGE_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "cardocr_requests", "Answers, by route, document type, HTTP status and wire error code ('-': none)",
            ["route", "document", "status", "code"], registry=self.registry)
        self.latency = Histogram(
            "cardocr_request_duration_seconds", "Time from the request's arrival to its answer",
            ["route", "document"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.stages = Histogram(
            "cardocr_stage_duration_seconds",
            "Time per reading in each pipeline stage (find, straighten, detect, recognise, validate)",
            ["stage"], buckets=STAGE_BUCKETS, registry=self.registry)
        self.shed = Counter(
            "cardocr_shed", "Requests refused at once because the inference queue was full (503 ModelArts.4401)",
            registry=self.registry)
        self.timed_out = Counter(
            "cardocr_deadline_exceeded", "Requests answered 504 ModelArts.4402: not read within the deadline",
            registry=self.registry)

        self.refused = Counter(
            "cardocr_http_refused", "Requests refused by the HTTP layer's limits, by reason ("
            + ", ".join(REFUSALS) + ")", ["reason"], registry=self.registry)
        for reason in REFUSALS:  # every reason shows, at 0 until it happens
            self.refused.labels(reason)

    def refuse(self, reason: str) -> None:
        self.refused.labels(reason).inc()

    def watch(self, inference: Inference) -> None:
        """Queue depth, readings in flight, workers ready and restarts, read at each scrape."""
        self.registry.register(_PoolCollector(inference))

    def observe_request(self, route: str, document: str, status: int, code: str, seconds: float) -> None:
        self.requests.labels(route, document, str(status), code).inc()
        self.latency.labels(route, document).observe(seconds)


class _PoolCollector(Collector):
    def __init__(self, inference: Inference) -> None:
        self.inference = inference

    def collect(self) -> Iterator[Metric]:
        inf = self.inference
        yield GaugeMetricFamily("cardocr_queue_depth", "Readings admitted and waiting for a worker", value=inf.queued)
        yield GaugeMetricFamily("cardocr_inference_in_flight", "Readings running on a worker", value=inf.running)
        yield GaugeMetricFamily("cardocr_workers", "Inference worker slots", value=inf.backend.size)
        yield GaugeMetricFamily("cardocr_workers_ready", "Inference workers with their models loaded",
                                value=inf.backend.ready_slots())
        yield CounterMetricFamily("cardocr_worker_restarts", "Inference workers replaced (died, or stopped "
                                  "after a deadline)", value=inf.backend.restarts)
