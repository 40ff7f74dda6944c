"""Tile kinds: every kind is complete, an unknown one is a clear error, and every tile of every
screen is drawn with exactly the props its live update sends."""

from __future__ import annotations

import dataclasses
import json

import pytest
from dash import Patch
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

from dashboard.registry import screens
from layouts.kinds import KINDS, Stat, TileData, UnknownKind, build_tile, get_kind, tile_update
from layouts.kinds.gauge import Gauge


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_is_complete(name):
    kind = get_kind(name)
    assert kind.name == name
    assert dataclasses.is_dataclass(kind.data) and kind.data.__dataclass_params__.frozen
    assert callable(kind.render) and callable(kind.update) and callable(kind.table)
    assert kind.push_budget_s >= 0


def test_every_screen_uses_known_kinds():
    for spec in screens():
        for tile in spec.tiles:
            assert get_kind(tile.kind).name == tile.kind


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(UnknownKind, match="unknown tile kind 'pie'.*counters") as raised:
        get_kind("pie")
    assert isinstance(raised.value, LookupError)  # the export route answers it with a 404


def test_content_of_another_kind_is_refused():
    spec = screens()[0]
    tile = next(t for t in spec.tiles if t.kind != "gauge")
    wrong = TileData(Gauge(ring=Stat("x", "x", 1)))
    with pytest.raises(TypeError, match=f"needs {get_kind(tile.kind).data.__name__}, got Gauge"):
        build_tile(spec, tile, wrong, 1)
    with pytest.raises(TypeError):
        tile_update(spec, tile, wrong, 1)


def _props_by_id(component: Component) -> dict[str, dict]:
    found = {}
    for node in [component, *component._traverse()]:
        if isinstance(node, Component) and getattr(node, "id", None):
            found[node.id] = node.to_plotly_json()["props"]
    return found


def _plain(value) -> object:
    return json.loads(to_json_plotly(value))


def test_first_render_carries_what_an_update_sends(sources):
    from dashboard.discovery import payload_builders

    checked = 0
    for spec in screens():
        tiles = payload_builders()[spec.slug](sources, None)
        for tile in spec.tiles:
            drawn = _props_by_id(build_tile(spec, tile, tiles[tile.key], 3))
            for component_id, props in tile_update(spec, tile, tiles[tile.key], 3).items():
                assert component_id in drawn, f"{spec.slug}.{tile.key}: {component_id} not drawn"
                for prop, value in props.items():
                    if isinstance(value, Patch):  # a patch of a prop drawn whole (a figure)
                        continue
                    assert _plain(drawn[component_id].get(prop)) == _plain(value), (
                        f"{spec.slug}.{tile.key}: {component_id}.{prop} drawn differently")
                    checked += 1
    assert checked > 50
