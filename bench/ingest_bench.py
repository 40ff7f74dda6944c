"""Sustained ingest rate of one worker: write a backlog, time one worker draining it.

    .venv/bin/python bench/ingest_bench.py                 # Redis at 127.0.0.1:6379
    .venv/bin/python bench/ingest_bench.py --embedded      # the embedded redis-server
    .venv/bin/python bench/ingest_bench.py --events 100000 --invalid-share 0.05
    .venv/bin/python bench/ingest_bench.py --workers 2     # two worker processes, one group

The backlog mixes both waste feeds (70 % weighing), half the messages carrying an
``event_id``, and ``--invalid-share`` bad messages that go to the dead-letter stream. Keys
live under a throw-away prefix that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.districts import DISTRICTS  # noqa: E402
from datasources.platform.embedded import EmbeddedRedis  # noqa: E402
from datasources.platform.ingest import IngestWorker, connect  # noqa: E402
from datasources.platform.keys import Keys  # noqa: E402
from datasources.platform.master import SiteTrace, StaticMaster  # noqa: E402
from datasources.waste.reader import WasteReader  # noqa: E402

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


def bench_master() -> StaticMaster:
    """Master data that knows the backlog's sites and cameras (stations stay unregistered)."""
    return StaticMaster(
        sites={f"SITE-{i:04d}": SiteTrace("310115", f"沪A{i:05d}", f"ST-{i % 200:03d}") for i in range(900)},
        cameras=[f"CAM-{i:04d}" for i in range(450)],
    )


def write_backlog(client, keys: Keys, events: int, invalid_share: float) -> float:
    """XADD the backlog in pipelined chunks; seconds it took."""
    started = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    for n, (feed, fields) in enumerate(backlog(events, invalid_share, random.Random(7)), 1):
        pipe.xadd(keys.feed(feed), fields)
        if n % 2000 == 0:
            pipe.execute()
    pipe.execute()
    return time.perf_counter() - started


def delete_prefix(client, keys: Keys) -> None:
    for key in client.scan_iter(match=f"{keys.prefix}:*", count=1000):
        client.delete(key)


def run(url: str, events: int, invalid_share: float, batch_size: int) -> None:
    """One worker in this process, with the time split between reading and applying."""
    client = connect(url)
    keys = Keys(f"gwbench:{uuid.uuid4().hex[:8]}")
    worker = IngestWorker(client, keys, TZ, bench_master(), "bench", batch_size=batch_size, block_ms=0)
    worker.ensure_groups()
    try:
        print(f"wrote {events:,} events in {write_backlog(client, keys, events, invalid_share):.1f} s")
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

        stats = WasteReader(client, keys, TZ).feed_stats()
        ingested = sum(s.ingested for s in stats.values())
        dead = sum(s.deadlettered for s in stats.values())
        print(f"drained {handled:,} events in {elapsed:.2f} s: {handled / elapsed:,.0f} events/s")
        print(f"  read {reading:.2f} s, validate + apply {applying:.2f} s (batch size {batch_size})")
        print(f"  ingested {ingested:,}, dead-lettered {dead:,}")
    finally:
        delete_prefix(client, keys)
        client.close()


def _worker_process(url: str, prefix: str, consumer: str, batch_size: int, go, stop) -> None:
    """A worker process of ``sustained``: drain the group until told to stop."""
    client = connect(url)
    worker = IngestWorker(client, Keys(prefix), TZ, bench_master(), consumer,
                          batch_size=batch_size, block_ms=50)
    go.wait()
    while not stop.is_set():
        worker.apply_batch(worker.read_batch())
    client.close()


def sustained(url: str, events: int, invalid_share: float, workers: int,
              batch_size: int = 500) -> dict:
    """``workers`` worker processes in one consumer group drain a backlog of ``events``; timed
    from the go signal until the aggregates have counted every event (end to end)."""
    context = multiprocessing.get_context("spawn")  # no threads of the caller in the children
    client = connect(url)
    keys = Keys(f"gwbench:{uuid.uuid4().hex[:8]}")
    IngestWorker(client, keys, TZ, bench_master(), "setup").ensure_groups()
    go, stop = context.Event(), context.Event()
    children = [context.Process(target=_worker_process, daemon=True,
                                args=(url, keys.prefix, f"bench-{n}", batch_size, go, stop))
                for n in range(workers)]
    aggregates = WasteReader(client, keys, TZ)
    try:
        write_backlog(client, keys, events, invalid_share)
        for child in children:
            child.start()
        time.sleep(1.0)  # let the children import and connect before the clock starts
        started = time.perf_counter()
        go.set()
        while True:
            stats = aggregates.feed_stats().values()
            counted = sum(s.ingested + s.deadlettered + s.duplicates for s in stats)
            if counted >= events:
                break
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        return {"workers": workers, "events": events, "invalid_share": invalid_share,
                "seconds": round(elapsed, 3), "events_per_s": round(events / elapsed),
                "ingested": sum(s.ingested for s in stats),
                "deadlettered": sum(s.deadlettered for s in stats)}
    finally:
        stop.set()
        go.set()
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
        delete_prefix(client, keys)
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
    parser.add_argument("--workers", type=int, default=0,
                        help="N > 0: time N worker processes in one group, end to end")
    args = parser.parse_args()
    if args.workers:
        print(sustained(args.url, args.events, args.invalid_share, args.workers, args.batch_size))
        return
    if args.embedded:
        with tempfile.TemporaryDirectory() as directory:
            with EmbeddedRedis(Path(directory) / "redis.db") as server:
                run(server.url, args.events, args.invalid_share, args.batch_size)
    else:
        run(args.url, args.events, args.invalid_share, args.batch_size)


if __name__ == "__main__":
    main()
