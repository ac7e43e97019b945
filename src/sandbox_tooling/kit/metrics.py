"""Prometheus metrics (prometheus-client).

Several API processes (``sbx serve --workers N``) or workers share one view when
``PROMETHEUS_MULTIPROC_DIR`` names a directory they all write to (prometheus-client's
multiprocess mode); ``render`` then aggregates it. Queue depth is read from the database at
scrape time, so every process answers the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "sbx_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "sbx_http_request_duration_seconds",
    "HTTP request latency, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REJECTED = Counter(
    "sbx_http_rejected_total",
    "HTTP requests answered 503 Overloaded, by kind (read, write) and reason "
    "(queue_full, queue_timeout, pool_timeout).",
    ["kind", "reason"],
)
JOBS = Counter(
    "sbx_jobs_total",
    "Jobs finished, by request type, job type and final status.",
    ["request_type", "job_type", "status"],
)
JOB_SECONDS = Histogram(
    "sbx_job_duration_seconds",
    "Job run time, by request type, job type and final status.",
    ["request_type", "job_type", "status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)


class QueueDepth(Collector):
    """Jobs waiting or running, by status, counted when scraped."""

    def __init__(self, count: Callable[[], dict[str, int]]) -> None:
        self.count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "sbx_jobs_queued", "Jobs not finished yet, by status.", labels=["status"]
        )
        for status, n in sorted(self.count().items()):
            gauge.add_metric([status], n)
        yield gauge


def render(queue: Callable[[], dict[str, int]]) -> bytes:
    """The exposition text: this process's metrics (or every process's, in multiprocess
    mode) and the queue depth."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(QueueDepth(queue))
        return generate_latest(registry)
    registry.register(QueueDepth(queue))
    return generate_latest(REGISTRY) + generate_latest(registry)
