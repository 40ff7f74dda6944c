"""Prometheus metrics of one web process; feed counters come from Redis (shared by all workers)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from datasources.platform.feedstats import LiveReader


class WebMetrics:
    """Counters and histograms of this process, plus a collector over the shared feed stats."""

    def __init__(self, live: LiveReader):
        self.registry = CollectorRegistry()
        self.screens = Gauge(
            "greenwall_connected_screens", "Screens connected to this web process by WebSocket",
            ["screen"], registry=self.registry,
        )
        self.push_latency = Histogram(
            "greenwall_push_latency_seconds",
            "From the worker committing a data version to this process queuing it to a screen",
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.tile_updates = Counter(
            "greenwall_tile_updates", "Tile updates pushed to screens", ["screen"],
            registry=self.registry,
        )
        self.pushes = Counter(
            "greenwall_pushes", "Messages pushed to screens (each one frame: changed tiles, heartbeat)",
            ["screen"], registry=self.registry,
        )
        self.registry.register(_FeedCollector(live))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _FeedCollector:
    """Reads the cluster-wide feed counters from Redis at scrape time."""

    def __init__(self, live: LiveReader):
        self.live = live

    def describe(self):
        return []

    def collect(self):
        ingested = CounterMetricFamily(
            "greenwall_events_ingested", "Valid feed events counted", labels=["feed"])
        dead = CounterMetricFamily(
            "greenwall_events_deadlettered", "Feed messages sent to the dead-letter stream",
            labels=["feed"])
        dupes = CounterMetricFamily(
            "greenwall_events_duplicate", "Repeated event_id within 24 h, counted once",
            labels=["feed"])
        lag = GaugeMetricFamily(
            "greenwall_feed_last_event_timestamp_seconds", "Event time of the newest event",
            labels=["feed"])
        try:
            stats = self.live.feed_stats()
        except Exception:  # Redis down: /healthz says so; the scrape still answers
            stats = {}
        up = GaugeMetricFamily("greenwall_redis_up", "1 when Redis answered this scrape")
        up.add_metric([], 1.0 if stats else 0.0)
        for feed, s in stats.items():
            ingested.add_metric([feed], s.ingested)
            dead.add_metric([feed], s.deadlettered)
            dupes.add_metric([feed], s.duplicates)
            if s.last_event_ms:
                lag.add_metric([feed], s.last_event_ms / 1000)
        yield from (up, ingested, dead, dupes, lag)
        yield from self._deadletter()

    def _deadletter(self):
        try:
            status = self.live.deadletter()
        except Exception:  # Redis down: greenwall_redis_up says so
            return
        length = GaugeMetricFamily(
            "greenwall_deadletter_length", "Dead letters in the dead-letter stream")
        length.add_metric([], status.length)
        trimmed = CounterMetricFamily(
            "greenwall_deadletter_trimmed",
            "Dead letters dropped by the stream's MAXLEN (GREENWALL_DEADLETTER_MAXLEN) unread")
        trimmed.add_metric([], status.trimmed)
        yield from (length, trimmed)
        if status.maxlen is not None:
            maxlen = GaugeMetricFamily(
                "greenwall_deadletter_maxlen", "Dead letters the stream keeps")
            maxlen.add_metric([], status.maxlen)
            yield maxlen
