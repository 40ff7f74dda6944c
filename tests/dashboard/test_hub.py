"""The live hub wakes only the screens whose feeds changed, against real Redis."""

from __future__ import annotations

import asyncio

import redis

from dashboard.hub import LiveHub
from datasources.platform.keys import Keys

WASTE = ("waste.weighing", "waste.quality")
FOREST = ("forest.patrol", "forest.incident", "forest.fire_risk")


def test_a_change_wakes_the_screens_of_its_feeds_only(redis_url, key_prefix):
    keys = Keys(key_prefix)
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def commit(version: int, feeds: str) -> None:  # what the ingest script writes per batch
        client.set(keys.version, version)
        client.xadd(keys.changes, {"version": version, "feeds": feeds, "districts": "310115"})

    async def scenario() -> dict[str, float]:
        hub = LiveHub(redis_url, keys, block_ms=200)
        hub.ensure_started()
        await hub.wait(hub.version, 2.0)  # connected
        loop = asyncio.get_running_loop()
        woke: dict[str, float] = {}

        async def screen(name: str, feeds: tuple[str, ...]) -> None:
            started = loop.time()
            await hub.wait(hub.version_of(feeds), 3.0, feeds)
            woke[name] = loop.time() - started

        waiting = [asyncio.create_task(screen("waste", WASTE)),
                   asyncio.create_task(screen("forest", FOREST)),
                   asyncio.create_task(screen("everything", ()))]
        await asyncio.sleep(0.3)
        commit(hub.version + 1, "forest.patrol,forest.incident")
        await asyncio.gather(*waiting)
        assert hub.version_of(WASTE) < hub.version_of(FOREST) == hub.version
        assert hub.last_change_ms_of(FOREST) is not None and hub.last_change_ms_of(WASTE) is None
        await hub.close()
        return woke

    try:
        woke = asyncio.run(scenario())
    finally:
        client.close()
    assert woke["forest"] < 1.5 and woke["everything"] < 1.5
    assert woke["waste"] >= 2.9  # slept through the forest change until its own timeout
