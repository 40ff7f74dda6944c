"""What the domains' ingest tests share: times written as local clock times, a worker over
``StaticMaster`` with a fixed clock, draining it, sending a message, and reading the dead
letters and a feed's counters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster

TZ = ZoneInfo("Asia/Shanghai")


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def ms(iso: str) -> int:
    return int(at(iso).timestamp() * 1000)


def t(hm: str, day: str = "2026-12-01") -> str:
    """``"09:30"`` on ``day``, Shanghai time, as ISO text."""
    return f"{day}T{hm}:00+08:00"


@contextmanager
def static_worker(redis_url: str, keys: Keys, master: StaticMaster, name: str,
                  now: str) -> Iterator[IngestWorker]:
    """An ingest worker over ``master`` whose clock says ``now`` (ISO)."""
    client = connect(redis_url)
    ingest = IngestWorker(client, keys, TZ, master, name, block_ms=0, now_ms=lambda: ms(now))
    ingest.ensure_groups()
    try:
        yield ingest
    finally:
        client.close()


def drain(worker: IngestWorker) -> int:
    """Process until the streams are empty; how many entries were handled."""
    handled = 0
    while n := worker.process_once():
        handled += n
    return handled


def send(client, keys: Keys, feed: str, ts: str, **fields) -> str:
    return client.xadd(keys.feed(feed), {"ts": str(ms(ts)), **{k: str(v) for k, v in fields.items()}})


def dead_letters(client, keys: Keys) -> list[dict]:
    return [fields for _, fields in client.xrange(keys.deadletter)]


def stats(client, keys: Keys, feed: str) -> tuple[int, int, int]:
    """(ingested, dead-lettered, duplicates) of ``feed``."""
    values = client.hgetall(keys.feed_stats)
    return tuple(int(values.get(f"{feed}:{c}", 0)) for c in ("ingested", "deadlettered", "duplicates"))
