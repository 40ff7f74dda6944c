"""/healthz and /metrics say how full the dead-letter stream is and how many dead letters
were trimmed before anyone read them."""

from __future__ import annotations

import pytest

from dashboard.metrics import WebMetrics
from dashboard.ops import health
from datasources.platform.ingest import IngestWorker, connect
from tests.feeds_helpers import publish


@pytest.fixture
def small_deadletter_worker(sources):
    worker = IngestWorker(connect(sources.redis_url), sources.keys, sources.settings.tz,
                          sources.store.master_lookup(), "dl-test", block_ms=0, deadletter_maxlen=3)
    worker.ensure_groups()
    yield worker
    worker.client.close()


def test_health_and_metrics_report_dead_letters_trimmed_unread(sources, small_deadletter_worker):
    _, report = health(sources)
    assert report["deadletter"] == {"length": 0, "maxlen": None, "added": 0, "trimmed": 0}

    for n in range(5):
        publish(sources.redis, sources.keys, "waste.weighing", district="310115", station="ST-1",
                vehicle="VH-1", category="wet", tonnes=f"-{n + 1}")
    while small_deadletter_worker.process_once():
        pass

    _, report = health(sources)
    assert report["deadletter"] == {"length": 3, "maxlen": 3, "added": 5, "trimmed": 2}
    text = WebMetrics(sources.live).render().decode()
    assert "greenwall_deadletter_length 3.0" in text
    assert "greenwall_deadletter_maxlen 3.0" in text
    assert "greenwall_deadletter_trimmed_total 2.0" in text
