"""Prometheus metrics, served at ``GET /_dingconf/metrics`` behind the control guard.

Counters and histograms are kept per process: with ``--workers N`` each
worker counts the requests it answered and a scrape is answered by whichever
worker takes it. The gauges (meetings running, people inside) are read from
the shared store at scrape time, so they agree whichever worker answers.

Event delivery (webhooks) reports through :meth:`Metrics.count_event_delivery`,
the one hook a deliverer needs.
"""

import logging
import math
import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.utils import floatToGoString
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from dingconf.core import errors
from dingconf.db.store import StorageUnavailable
from dingconf.http.asgi import REQUEST_ID
from dingconf.http.operations import ACTION, Authenticate
from dingconf.http.stats import StatsService

__all__ = ["METRICS_PATH", "Metrics", "metrics_routes"]

METRICS_PATH = "/_dingconf/metrics"
log = logging.getLogger("dingconf.metrics")
#: Most calls take well under a millisecond; a PostgreSQL outage fails them
#: after about two seconds (README, "Storage"), so the buckets span both.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


_BUCKET_LABELS = [
    floatToGoString(bound)  # type: ignore[no-untyped-call]
    for bound in (*_LATENCY_BUCKETS, math.inf)
]


class _Requests:
    """Requests counted by (action, status) and timed by action, exposed at scrape time.

    prometheus_client's labelled Counter and Histogram cost ~1.5 us a request
    (locks, a bucket search in Python); plain lists cost a fraction of that,
    and the scrape renders them as the same counter and histogram families.
    """

    def __init__(self) -> None:
        # (action, status) -> [count, created, the action's timings]
        self.counts: dict[tuple[str, int], list[Any]] = {}
        # action -> per-bucket counts (the last one: beyond every bound), then the sum
        self.timings: dict[str, list[float]] = {}

    def describe(self) -> Iterator[Metric]:
        """What :meth:`collect` yields, without values (for the registry)."""
        return self.collect()

    def collect(self) -> Iterator[Metric]:
        """The counter and the histogram, as prometheus_client's would expose them."""
        requests = CounterMetricFamily(
            "dingconf_requests",
            "Requests answered, by DingTalk action name and HTTP status.",
            labels=["action", "status"],
        )
        for (action, status), (count, created, _) in self.counts.items():
            requests.add_metric([action, str(status)], count, created=created)
        yield requests
        latency = HistogramMetricFamily(
            "dingconf_request_duration_seconds",
            "Time from a request's arrival to its answer, by action.",
            labels=["action"],
        )
        for action, timings in self.timings.items():
            cumulative, buckets = 0.0, []
            for bound, count in zip(_BUCKET_LABELS, timings, strict=False):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([action], buckets, timings[-1])
        yield latency


class Metrics:
    """One process's metrics, in a registry of their own (never the global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._requests = _Requests()
        r.register(self._requests)
        self._store_errors = Counter(
            "dingconf_store_errors",
            "Requests that failed because the database could not be used (answered 500).",
            registry=r,
        )
        self._event_deliveries = Counter(
            "dingconf_event_deliveries",
            "Event delivery attempts, by outcome (delivered, retry, dead).",
            ["outcome"],
            registry=r,
        )
        self.meetings_live = Gauge(
            "dingconf_meetings_live", "Meetings running now, in every organisation.", registry=r
        )
        self.participants_inside = Gauge(
            "dingconf_participants_inside",
            "People inside a running meeting now, in every organisation.",
            registry=r,
        )

    def observe(self, action: str, status: int, seconds: float, store_error: bool) -> None:
        """Count one answered request."""
        counted = self._requests.counts.get((action, status))
        if counted is None:
            timings = self._requests.timings.get(action)
            if timings is None:
                timings = self._requests.timings[action] = [0.0] * (len(_LATENCY_BUCKETS) + 2)
            counted = self._requests.counts[(action, status)] = [0, time.time(), timings]
        counted[0] += 1
        timings = counted[2]
        timings[bisect_left(_LATENCY_BUCKETS, seconds)] += 1
        timings[-1] += seconds
        if store_error:
            self._store_errors.inc()

    def count_event_delivery(self, outcome: str) -> None:
        """The hook for event delivery: count one attempt's ``outcome``."""
        self._event_deliveries.labels(outcome).inc()


class _MetricsEndpoint:
    """The ASGI app answering a scrape (a class: Starlette would wrap a function)."""

    __slots__ = ("_admit", "_metrics", "_stats")

    def __init__(self, metrics: Metrics, stats: StatsService, admit: Authenticate) -> None:
        self._metrics, self._stats, self._admit = metrics, stats, admit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            raise errors.route_not_found()
        scope[ACTION] = "Metrics"
        await self._admit(Request(scope, receive))
        try:
            live = await self._stats.live()
            meetings, inside = float(live.meetings), float(live.participants)
        except StorageUnavailable:
            # The counters matter most when the database is down: still serve
            # them, with the store's gauges unknown (NaN) rather than stale.
            log.warning("metrics: the store's gauges are unavailable", exc_info=True)
            meetings = inside = math.nan
        self._metrics.meetings_live.set(meetings)
        self._metrics.participants_inside.set(inside)
        body = generate_latest(self._metrics.registry)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", CONTENT_TYPE_LATEST.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-acs-request-id", str(scope[REQUEST_ID]).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def metrics_routes(metrics: Metrics, stats: StatsService, admit: Authenticate) -> list[BaseRoute]:
    """The scrape route, admitted by ``admit`` (the control API's guard)."""
    return [Route(METRICS_PATH, _MetricsEndpoint(metrics, stats, admit))]
