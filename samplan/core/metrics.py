"""Prometheus metrics kept in the process (prometheus_client): requests and their latency, and
access-log write failures. The figures read from the database at each scrape (the task
queue, the outbox, failed deliveries, the worker's heartbeat) are collected by
`samplan.ops.metrics`. With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an
empty directory before they start, so that `/metrics` adds up every process
(docs/operations.md)."""

import time

from prometheus_client import Counter, Histogram

REQUESTS = Histogram(
    "samplan_http_request_duration_seconds",
    "Time to answer a request, by method, route pattern and status class.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ACCESS_LOG_FAILURES = Counter(
    "samplan_access_log_write_failures",
    "Reads refused because their access-log entry could not be written.",
)


class RequestMetricsMiddleware:
    """Times every request, labelled by the URL pattern (never the path: no ids in labels)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "unmatched"
        REQUESTS.labels(
            request.method if request.method in KNOWN_METHODS else "other",
            route[:100],
            f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
