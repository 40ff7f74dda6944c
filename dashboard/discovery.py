"""One loop finds every screen, and checks it before anything is served.

A screen is three things of one name: ``layouts/<name>.py`` with its spec as ``SCREEN`` (tiles,
places, labels), ``callbacks/<name>.py`` with its ``payload(sources, district)`` builder and,
if it has interactions of its own, ``register(app, sources)``, and the domain package whose
feeds it shows (``datasources/<domain>/``, enabled in ``GREENWALL_DOMAINS``). ``discover`` walks
``layouts/``, pairs each spec with its callbacks module and validates them: every tile's kind
exists, every tile fits the grid without overlapping another, every feed the screen names is
offered by an enabled domain, and every spec has a builder. A mistake stops the process at
start with what to fix; nothing else keeps a list of screens.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import layouts
from dashboard import registry
from dashboard.registry import PayloadBuilder, ScreenSpec
from layouts.kinds import UnknownKind, get_kind

NOT_SCREENS = ("shell", "index")  # layout modules every screen shares


class ScreenError(ValueError):
    """A screen that cannot be served as written; the message says what to fix."""


@dataclass(frozen=True)
class Screen:
    """A discovered screen: its spec, its payload builder and its own interactions."""

    spec: ScreenSpec
    payload: PayloadBuilder
    register: Callable[[Any, Any], None] | None = None


def validate(spec: ScreenSpec, has_builder: bool, known_feeds: Iterable[str] | None) -> None:
    """Raise ``ScreenError`` listing every problem of ``spec``."""
    problems: list[str] = []
    columns, rows = spec.grid
    taken: dict[tuple[int, int], str] = {}
    keys = [t.key for t in spec.tiles]
    problems += [f"tile key {k!r} is used twice" for k in sorted({k for k in keys if keys.count(k) > 1})]
    for tile in spec.tiles:
        try:
            get_kind(tile.kind)
        except UnknownKind as exc:
            problems.append(f"tile {tile.key!r}: {exc}")
        pos = tile.pos
        if pos.w < 1 or pos.h < 1 or pos.x < 0 or pos.y < 0 or pos.x + pos.w > columns \
                or pos.y + pos.h > rows:
            problems.append(f"tile {tile.key!r} at {pos} does not fit the {columns}×{rows} grid")
            continue
        for cell in ((x, y) for x in range(pos.x, pos.x + pos.w) for y in range(pos.y, pos.y + pos.h)):
            if cell in taken:
                problems.append(f"tile {tile.key!r} overlaps tile {taken[cell]!r} at {cell}")
                break
            taken[cell] = tile.key
    if known_feeds is not None:
        known = set(known_feeds)
        named = {f for f in spec.feeds} | {t.feed for t in spec.tiles if t.feed}
        problems += [f"feed {f!r} is offered by no enabled domain (GREENWALL_DOMAINS)"
                     for f in sorted(named - known)]
    if not has_builder:
        problems.append(f"callbacks/{_module_name(spec)}.py has no payload(sources, district)")
    if problems:
        raise ScreenError(f"screen {spec.slug!r}: " + "; ".join(problems))


def _module_name(spec: ScreenSpec) -> str:
    return spec.slug.replace("-", "_")


def discover(known_feeds: Iterable[str] | None = None) -> dict[str, Screen]:
    """Every screen under ``layouts/``, validated and put in the registry, by slug.

    ``known_feeds``: the feeds of the enabled domains (``None`` skips that check, for tools
    that only read specs).
    """
    known = None if known_feeds is None else tuple(known_feeds)
    found: dict[str, Screen] = {}
    for info in sorted(pkgutil.iter_modules(layouts.__path__), key=lambda m: m.name):
        if info.ispkg or info.name.startswith("_") or info.name in NOT_SCREENS:
            continue
        spec = getattr(importlib.import_module(f"layouts.{info.name}"), "SCREEN", None)
        if not isinstance(spec, ScreenSpec):
            continue
        if info.name != _module_name(spec):
            raise ScreenError(f"layouts/{info.name}.py holds screen {spec.slug!r}: name the "
                              f"module {_module_name(spec)}.py")
        try:
            behaviour = importlib.import_module(f"callbacks.{info.name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"callbacks.{info.name}":
                raise
            behaviour = None
        payload = getattr(behaviour, "payload", None)
        validate(spec, callable(payload), known)
        if spec.slug in found:
            raise ScreenError(f"screen {spec.slug!r} is defined twice")
        found[spec.slug] = Screen(spec, payload, getattr(behaviour, "register", None))
    registry.load(s.spec for s in found.values())
    return found


def payload_builders(screens: dict[str, Screen] | None = None) -> dict[str, PayloadBuilder]:
    """``{slug: payload builder}`` of the discovered screens (discovering them if needed)."""
    return {slug: s.payload for slug, s in (screens or discover()).items()}

