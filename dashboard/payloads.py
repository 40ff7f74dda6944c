"""Tile payloads, computed once per (screen, scope, data version) and shared by every viewer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plotly.io.json import to_json_plotly

from dashboard.i18n import language
from dashboard.registry import ScreenSpec, get_screen
from dashboard.sources import Sources
from layouts.kinds import Props, TileData, tile_update

PayloadBuilder = Callable[[Sources, str | None], dict[str, TileData]]
# One tile's update on the wire: (component id, prop) → (digest of the value, JSON value).
WireProps = dict[tuple[str, str], tuple[str, Any]]


@dataclass(frozen=True)
class ScreenPayload:
    """Every tile of one screen and scope at one data version."""

    slug: str
    district: str | None
    version: int
    tiles: dict[str, TileData]
    digests: dict[str, str]
    updates: dict[str, Props]
    built_at: float
    _translated: dict[str, dict[str, Props]] = field(default_factory=dict, repr=False,
                                                     compare=False)
    _wire: dict[str, dict[str, WireProps]] = field(default_factory=dict, repr=False, compare=False)

    def updates_in(self, lang: str) -> dict[str, Props]:
        """The tile updates drawn in ``lang``; Chinese is built with the payload, others once."""
        if lang == "zh":
            return self.updates
        translated = self._translated.setdefault(lang, {})
        if len(translated) < len(self.updates):
            screen = get_screen(self.slug)
            with language(lang):
                for t in screen.tiles:
                    if t.key not in translated:
                        translated[t.key] = tile_update(screen, t, self.tiles[t.key], self.version)
        return translated

    def wire_updates(self, lang: str) -> dict[str, WireProps]:
        """The tile updates in ``lang`` as plain JSON values, by (component, prop), each with a
        digest: serialised once per payload and shared by every screen, so that a screen's
        push costs no component serialisation and can leave out props its page already has."""
        wire = self._wire.setdefault(lang, {})
        if len(wire) < len(self.updates):
            for tile, props in self.updates_in(lang).items():
                if tile not in wire:
                    plain = json.loads(to_json_plotly(props))
                    wire[tile] = {(component, name): (_text_digest(json.dumps(value)), value)
                                  for component, values in plain.items()
                                  for name, value in values.items()}
        return wire

    def carry_over(self, previous: ScreenPayload) -> None:
        """Take the updates of tiles that did not change since ``previous`` from it, in every
        language it has, rather than drawing and serialising them again."""
        same = [tile for tile, d in self.digests.items() if previous.digests.get(tile) == d]
        for lang, updates in list(previous._translated.items()):
            mine = self._translated.setdefault(lang, {})
            mine.update((tile, updates[tile]) for tile in same if tile in updates)
        for lang, wire in list(previous._wire.items()):
            mine = self._wire.setdefault(lang, {})
            mine.update((tile, wire[tile]) for tile in same if tile in wire)


def digest(data: TileData) -> str:
    """A short fingerprint of what a tile shows: equal digests need no update."""
    return _text_digest(repr(data))


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


class PayloadCache:
    """Builds screen payloads on demand and keeps the newest per screen and scope.

    Concurrent viewers of the same screen and scope wait for one computation instead of each
    reading Redis: a per-key lock for threads, a per-key future on the event loop.
    """

    def __init__(self, sources: Sources, builders: dict[str, PayloadBuilder]):
        self.sources = sources
        self.builders = builders
        self._latest: dict[tuple[str, str | None], ScreenPayload] = {}
        self._locks: dict[tuple[str, str | None], threading.Lock] = {}
        self._guard = threading.Lock()
        self._pending: dict[tuple[str, str | None, int], asyncio.Future] = {}
        self.builds = 0

    def _lock(self, key: tuple[str, str | None]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, slug: str, district: str | None, version: int | None = None) -> ScreenPayload:
        """The payload at ``version`` (``None``: the version Redis has now)."""
        key = (slug, district)
        if version is None:
            version = self.sources.live.version()
        with self._lock(key):
            cached = self._latest.get(key)
            if cached is not None and cached.version == version:
                return cached
            payload = self._build(get_screen(slug), district, version)
            self._latest[key] = payload
            return payload

    async def aget(self, slug: str, district: str | None, version: int) -> ScreenPayload:
        """``get`` for the event loop: one worker thread per version, however many viewers."""
        cached = self._latest.get((slug, district))
        if cached is not None and cached.version == version:
            return cached
        pending_key = (slug, district, version)
        future = self._pending.get(pending_key)
        if future is None:
            future = asyncio.ensure_future(asyncio.to_thread(self.get, slug, district, version))
            self._pending[pending_key] = future
            future.add_done_callback(lambda _: self._pending.pop(pending_key, None))
        return await asyncio.shield(future)

    def _build(self, screen: ScreenSpec, district: str | None, version: int) -> ScreenPayload:
        tiles = self.builders[screen.slug](self.sources, district)
        missing = {t.key for t in screen.tiles} - tiles.keys()
        if missing:
            raise KeyError(f"payload of {screen.slug} lacks tiles {sorted(missing)}")
        self.builds += 1
        digests = {key: digest(data) for key, data in tiles.items()}
        # A tile whose data did not change keeps the update drawn when it last did (its frame
        # says that version): most events touch a few tiles of a screen, not all of them.
        previous = self._latest.get((screen.slug, district))
        if previous is not None and previous.version > version:
            previous = None
        updates = {
            t.key: previous.updates[t.key]
            if previous is not None and previous.digests.get(t.key) == digests[t.key]
            else tile_update(screen, t, tiles[t.key], version)
            for t in screen.tiles}
        payload = ScreenPayload(slug=screen.slug, district=district, version=version, tiles=tiles,
                                digests=digests, updates=updates, built_at=time.time())
        if previous is not None:
            payload.carry_over(previous)
        payload.wire_updates("zh")  # here, off the event loop that every live screen shares
        return payload
