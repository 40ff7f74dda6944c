"""Sustained ingest rate of one worker: write a backlog, time one worker draining it.

    .venv/bin/python bench/ingest_bench.py                 # Redis at 127.0.0.1:6379
    .venv/bin/python bench/ingest_bench.py --embedded      # the embedded redis-server
    .venv/bin/python bench/ingest_bench.py --events 100000 --invalid-share 0.05

The backlog mixes both waste feeds (70 % weighing), half the messages carrying an
``event_id``, and ``--invalid-share`` bad messages that go to the dead-letter stream. Keys
live under a throw-away prefix that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.districts import DISTRICTS  # noqa: E402
from datasources.aggregates import Aggregates  # noqa: E402
from datasources.embedded import EmbeddedRedis  # noqa: E402
from datasources.keys import Keys  # noqa: E402
from datasources.master import SiteTrace, StaticMaster  # noqa: E402
from datasources.redis_feeds import IngestWorker, connect  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def backlog(count: int, invalid_share: float, rng: random.Random):
    """(feed, fields) pairs: realistic waste messages, some of them bad.

    Each station, camera and site belongs to one district, as in the master data.
    """
    now_ms = int(time.time() * 1000)
    for n in range(count):
        ts = str(now_ms - rng.randrange(3_600_000))
        if rng.random() < 0.7:
            feed = "waste.weighing"
            station = rng.randrange(200)
            district = DISTRICTS[station % len(DISTRICTS)]
            fields = {
                "district": district.adcode if n % 3 else district.name,
                "station": f"ST-{station:03d}",
                "vehicle": f"沪A{rng.randrange(2000):05d}",
                "category": rng.choice(("wet", "dry", "recyclable", "hazardous")),
                "tonnes": f"{rng.uniform(0.5, 12):.2f}",
                "ts": ts,
            }
        else:
            feed = "waste.quality"
            site = rng.randrange(1000)
            fields = {
                "district": DISTRICTS[site % len(DISTRICTS)].adcode,
                "camera": f"CAM-{site // 2:04d}",
                "site": f"SITE-{site:04d}",
                "verdict": "unqualified" if rng.random() < 0.1 else "qualified",
                "confidence": f"{rng.random():.3f}",
                "ts": ts,
            }
        if n % 2:
            fields["event_id"] = f"bench-{n}"
        if rng.random() < invalid_share:
            fields["ts" if n % 2 else "district"] = "2026-11-29T10:00:00" if n % 2 else "火星区"
        yield feed, fields


def run(url: str, events: int, invalid_share: float, batch_size: int) -> None:
    client = connect(url)
    keys = Keys(f"gwbench:{uuid.uuid4().hex[:8]}")
    master = StaticMaster(
        sites={f"SITE-{i:04d}": SiteTrace("310115", f"沪A{i:05d}", f"ST-{i % 200:03d}") for i in range(900)},
        cameras=[f"CAM-{i:04d}" for i in range(450)],
    )
    worker = IngestWorker(client, keys, TZ, master, "bench", batch_size=batch_size, block_ms=0)
    worker.ensure_groups()
    try:
        started = time.perf_counter()
        pipe = client.pipeline(transaction=False)
        for n, (feed, fields) in enumerate(backlog(events, invalid_share, random.Random(7)), 1):
            pipe.xadd(keys.feed(feed), fields)
            if n % 2000 == 0:
                pipe.execute()
        pipe.execute()
        print(f"wrote {events:,} events in {time.perf_counter() - started:.1f} s")

        handled = 0
        reading = applying = 0.0
        started = time.perf_counter()
        while handled < events:
            t0 = time.perf_counter()
            batch = worker.read_batch()
            t1 = time.perf_counter()
            handled += worker.apply_batch(batch)
            reading, applying = reading + t1 - t0, applying + time.perf_counter() - t1
        elapsed = time.perf_counter() - started

        stats = Aggregates(client, keys, TZ).feed_stats()
        ingested = sum(s.ingested for s in stats.values())
        dead = sum(s.deadlettered for s in stats.values())
        print(f"drained {handled:,} events in {elapsed:.2f} s: {handled / elapsed:,.0f} events/s")
        print(f"  read {reading:.2f} s, validate + apply {applying:.2f} s (batch size {batch_size})")
        print(f"  ingested {ingested:,}, dead-lettered {dead:,}")
    finally:
        for key in client.scan_iter(match=f"{keys.prefix}:*", count=1000):
            client.delete(key)
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--embedded", action="store_true", help="run against an embedded redis-server")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--invalid-share", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    if args.embedded:
        with tempfile.TemporaryDirectory() as directory:
            with EmbeddedRedis(Path(directory) / "redis.db") as server:
                run(server.url, args.events, args.invalid_share, args.batch_size)
    else:
        run(args.url, args.events, args.invalid_share, args.batch_size)


if __name__ == "__main__":
    main()
