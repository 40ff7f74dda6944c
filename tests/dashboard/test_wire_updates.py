"""Tile updates on the wire: serialised once per payload, prop by prop, so a screen gets only
the props that changed (``ScreenPayload.wire_updates``)."""

from __future__ import annotations

import json

from dashboard import ids
from dashboard.discovery import payload_builders
from dashboard.payloads import PayloadCache
from tests.conftest import wait_until
from tests.feeds_helpers import publish

WET = ids.metric("waste.tonnes_today.wet")
DRY = ids.metric("waste.tonnes_today.dry")


def _weigh(sources, category: str, tonnes: str) -> None:
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-1", category=category, tonnes=tonnes)


def test_wire_updates_are_plain_json_of_every_prop_of_every_tile(sources):
    payload = PayloadCache(sources, payload_builders()).get("waste-sorting", None)
    wire = payload.wire_updates("zh")
    assert wire.keys() == payload.updates.keys()
    for tile, props in payload.updates.items():
        assert {(c, p) for c, values in props.items() for p in values} == set(wire[tile])
    json.dumps(wire["tonnes"][(WET, "children")][1])  # plain JSON: no Dash components left
    assert payload.wire_updates("zh") is wire  # once per payload and language


def test_one_weighing_changes_the_props_of_its_category_only(sources, worker):
    cache = PayloadCache(sources, payload_builders())
    _weigh(sources, "dry", "3")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
    before = cache.get("waste-sorting", None).wire_updates("zh")["tonnes"]
    _weigh(sources, "wet", "2.5")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 2)
    after = cache.get("waste-sorting", None).wire_updates("zh")["tonnes"]
    changed = {key for key in after if before[key][0] != after[key][0]}
    assert (WET, "data-value") in changed
    assert after[(WET, "data-value")][1] == "2.5"
    assert not {key for key in changed if key[0] == DRY}


def test_tiles_a_weighing_did_not_change_keep_their_drawn_update(sources, worker):
    cache = PayloadCache(sources, payload_builders())
    _weigh(sources, "dry", "3")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
    before = cache.get("waste-sorting", None)
    before.wire_updates("en")
    _weigh(sources, "wet", "2.5")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 2)
    after = cache.get("waste-sorting", None)
    assert after.version > before.version
    # Quality cameras: untouched by a weighing, so drawn once and reused, in both languages.
    assert after.updates["cameras"] is before.updates["cameras"]
    assert after.wire_updates("en")["cameras"] is before.wire_updates("en")["cameras"]
    assert after.updates["tonnes"] is not before.updates["tonnes"]
    # What a screen is sent is what a fresh drawing of this version would send.
    fresh = PayloadCache(sources, payload_builders()).get("waste-sorting", None, after.version)
    for lang in ("zh", "en"):
        for tile, props in fresh.wire_updates(lang).items():
            values = {key: value for key, (_, value) in props.items()}
            reused = {key: value for key, (_, value) in after.wire_updates(lang)[tile].items()}
            frame = ids.tile("waste-sorting", tile)
            for key in set(values) | set(reused):
                if key != (frame, "data-version"):  # the version its data last changed at
                    assert reused[key] == values[key], (lang, tile, key)
