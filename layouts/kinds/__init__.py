"""Tile kinds as plugins: one module per kind, each holding everything about that kind.

A kind module (``layouts/kinds/<name>.py``) holds

- its **data type(s)**: small frozen dataclasses that a screen's payload builder
  (``callbacks/<screen>.py``) fills, one per tile as ``TileData.content``;
- ``render(screen, tile, content)``: the tile's body at first render;
- ``update(screen, tile, content)``: what a live update sends, ``{component id: {prop: value}}``.
  ``render`` draws its components with exactly these props as first values, so a page built at
  version N and a page updated to version N look the same;
- ``table(tile, content)``: the tile's data as a ``Table``, which ``/export/<slug>/<tile>.csv`` writes;
- its **push budget**: the least seconds between two live pushes of one tile (read by
  ``callbacks/live.py``). Numbers go out at once; a chart, map or list redrawn ten times a
  second only costs a wall's browsers CPU;

and declares them as ``KIND = TileKind(...)``. The frame around the body (grid place, title,
freshness badge, export link, ``data-tile``/``data-version``) is the same for every kind and
drawn here (``build_tile``, ``tile_update``); shared helpers are in ``_common``.

To add a kind ``<name>``:

1. Write ``layouts/kinds/<name>.py``: the data dataclass, ``render``, ``update``, ``table`` and
   ``KIND = TileKind("<name>", <Data>, render, update, table, push_budget_s=...)``. Copy the
   nearest existing kind (``ticker`` is the smallest list, ``gauge`` the smallest numbers).
   Every number a host page or test may read carries ``metric_attrs(key, value)``; the data
   holds raw numbers, and the kind shows them with ``formatted(value, tile.format_of(key))``
   (the spec's ``Format``: decimals, unit, percent, larger unit) and tones them with
   ``tone(...)`` (its bands), so ``render``, ``update`` and ``table`` read alike. Every
   label it draws goes through ``dashboard.i18n.t`` (a ``str`` or a ``Text``; the screen's
   label set is in force inside ``render`` and ``update``); its ``table`` writes the Chinese
   form, ``plain(label)``.
2. Put its CSS (class ``gw-kind-<name>`` on the tile) in ``assets/`` and, if its components take
   functions (dash-leaflet styles), the JavaScript there too, never in Python strings.
3. Use it in a screen spec (``TileSpec(key, "<name>", ...)``) and fill its data type in that
   screen's payload builder. ``tests/layouts/test_kinds.py`` then checks that its first render
   carries what its update sends, and ``tests/dashboard/test_export.py`` that its table is
   rectangular.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, screen_labels, text
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds._common import (
    Cell,
    Props,
    Stat,
    Table,
    TileData,
    formatted,
    frame,
    frame_props,
    raw,
    tone,
)

__all__ = ["KINDS", "Cell", "Props", "Stat", "Table", "Text", "TileData", "TileKind", "UnknownKind",
           "build_tile", "formatted", "get_kind", "plain", "raw", "text", "tile_update", "tone"]


@dataclass(frozen=True)
class TileKind:
    """One kind of tile: its data type, how its body is drawn and updated, its CSV table, and
    the least time between two pushes of one of its tiles (seconds)."""

    name: str
    data: type
    render: Callable[[ScreenSpec, TileSpec, Any], Any]
    update: Callable[[ScreenSpec, TileSpec, Any], Props]
    table: Callable[[TileSpec, Any], Table]
    push_budget_s: float

    def content(self, tile: TileSpec, data: TileData) -> Any:
        """``data.content``, checked to be this kind's data type."""
        if not isinstance(data.content, self.data):
            raise TypeError(f"tile {tile.key!r} of kind {tile.kind!r} needs {self.data.__name__}, "
                            f"got {type(data.content).__name__}")
        return data.content


class UnknownKind(LookupError):
    """No tile kind is registered under this name."""


# One module per kind, named as the kind; each declares ``KIND``. Found by walking this
# package, so a new kind is a new module and nothing else here.
KIND_MODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)
                            if not m.ispkg and not m.name.startswith("_")))


def _load(module: str) -> TileKind:
    kind = importlib.import_module(f"{__name__}.{module}").KIND
    if kind.name != module:
        raise ValueError(f"layouts/kinds/{module}.py declares kind {kind.name!r}: name them alike")
    return kind


KINDS: dict[str, TileKind] = {module: _load(module) for module in KIND_MODULES}


def get_kind(name: str) -> TileKind:
    """The kind called ``name``; ``UnknownKind`` says which exist."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(f"unknown tile kind {name!r}: the kinds are {', '.join(sorted(KINDS))} "
                          f"(add one as layouts/kinds/__init__.py describes)") from None


def build_tile(screen: ScreenSpec, tile: TileSpec, data: TileData, version: int,
               export_href: str | None = None) -> html.Section:
    """A whole tile at ``version``: the frame around its kind's body, with an export link when
    ``export_href`` is given (full screens; not kiosk or embed)."""
    kind = get_kind(tile.kind)
    with screen_labels(screen.labels):
        body = kind.render(screen, tile, kind.content(tile, data))
        return frame(screen, tile, data, version, body, export_href)


def tile_update(screen: ScreenSpec, tile: TileSpec, data: TileData, version: int) -> Props:
    """Everything a live update of this tile sends: its body's props and the frame's attributes."""
    kind = get_kind(tile.kind)
    with screen_labels(screen.labels):
        props = kind.update(screen, tile, kind.content(tile, data))
    props[ids.tile(screen.slug, tile.key)] = frame_props(data, version)
    return props
