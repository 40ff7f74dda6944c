"""Writing feed messages the way an upstream system does (XADD of flat string fields)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_iso() -> str:
    return datetime.now(SHANGHAI).isoformat()


def publish(client, keys, feed: str, **fields) -> str:
    """XADD one message to ``feed``; values are stringified, ``ts`` and ``event_id`` filled in."""
    fields.setdefault("ts", now_iso())
    fields.setdefault("event_id", uuid.uuid4().hex)
    return client.xadd(keys.feed(feed), {k: str(v) for k, v in fields.items()})


def worker_factory(redis_url: str, keys, tz, master, now_ms: int):
    """A fixture body: ``make(consumer, **options)`` builds ingest workers on their own Redis
    connections, with the clock stopped at ``now_ms``; the connections close afterwards."""
    from datasources.platform.ingest import IngestWorker, connect

    clients = []

    def make(consumer: str = "worker-1", **options) -> IngestWorker:
        client = connect(redis_url)
        clients.append(client)
        options.setdefault("block_ms", 0)
        options.setdefault("now_ms", lambda: now_ms)
        worker = IngestWorker(client, keys, tz, master, consumer, **options)
        worker.ensure_groups()
        return worker

    yield make
    for client in clients:
        client.close()
