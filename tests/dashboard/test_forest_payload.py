"""The forest-chief screen's tile data: zeros and "暂无数据" with empty feeds, exact figures from
real feed messages through a real worker, and a district's scope."""

from __future__ import annotations

import pytest
from dash.development.base_component import Component

from callbacks.forest_chief import payload
from callbacks.forest_map import grid_info
from dashboard.i18n import plain
from dashboard.query import parse_query
from dashboard.registry import get_screen
from layouts.shell import build_screen
from tests.conftest import wait_until
from tests.dashboard.test_waste_payload import metric_values
from tests.feeds_helpers import now_iso, publish

SPEC = get_screen("forest-chief")


def texts(component: Component) -> str:
    found = []
    for node in [component, *component._traverse()]:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, Component) and isinstance(getattr(node, "children", None), str):
            found.append(node.children)
    return " ".join(found)


def built(tiles, district=None):
    query = parse_query(f"district={district}" if district else "")
    return build_screen(SPEC, tiles, 1, query)


def test_empty_feeds_show_zeros_and_no_data(sources):
    tiles = payload(sources, None)
    layout = built(tiles)
    values = metric_values(layout)
    for tile in SPEC.tiles:
        for key in tile.metrics:
            if "<" not in key:
                assert key in values, f"{tile.key}: metric {key} not on screen"
    for key in ("forest.cases.open", "forest.cases.overdue", "forest.rangers.on_patrol",
                "forest.patrol.grids_visited", "forest.funnel.reported.current",
                "forest.scenario.fire.open", "forest.lists.negative.overdue"):
        assert values[key] == "0", key
    assert values["forest.patrol.coverage"] == "0"
    assert values["forest.cases.ontime_rate"] == "", "no closed case yet: unknown, not 0 %"
    assert values["forest.fire_risk.level"] == ""
    assert values["forest.chiefs.district"] == "16" and values["forest.trees.ancient"] == "1595"
    assert values["forest.coverage"] == "18.49"
    assert all(r.value is None for r in tiles["ranking"].content.rows)
    assert "暂无数据" in texts(layout)
    ids = [n.id for n in layout._traverse() if getattr(n, "id", None)]
    assert len(ids) == len(set(ids)), "duplicate component ids"
    assert all(t.last_event_ms is None for t in tiles.values())


@pytest.fixture
def fed(sources, worker):
    """One ranger on patrol in one grid, one case verified there, a fire rating."""
    r, k = sources.redis, sources.keys
    grid = sources.store.forest.patrol_grids("310115")[0]
    ranger = next(x for x in sources.store.forest.rangers("310115") if x.duty_grid_id == grid.duty_grid_id)
    for kind in ("start", "checkpoint"):
        publish(r, k, "forest.patrol", ranger=ranger.id, grid=grid.id, kind=kind, lat=grid.lat,
                lon=grid.lon)
    for stage in ("reported", "verified"):
        publish(r, k, "forest.incident", incident="AJ-T-1", scenario="wildlife", stage=stage,
                grid=grid.id, lat=grid.lat, lon=grid.lon, note="发现捕鸟网", ts=now_iso())
    publish(r, k, "forest.fire_risk", district="310115", level="3")
    wait_until(lambda: sum(s.ingested for f, s in sources.live.feed_stats().items()
                           if f.startswith("forest.")) == 5)
    return grid, ranger


def test_fed_screen_counts_each_event(sources, fed):
    grid, ranger = fed
    tiles = payload(sources, None)
    values = metric_values(built(tiles))
    assert values["forest.cases.open"] == "1"
    assert values["forest.funnel.verified.current"] == "1"
    assert values["forest.funnel.reported.current"] == "0"
    assert values["forest.funnel.reported.reached"] == "1"
    assert values["forest.scenario.wildlife.open"] == "1"
    assert values["forest.scenario.wildlife.month"] == "1"
    assert values["forest.rangers.on_patrol"] == "1"
    assert values["forest.patrol.grids_visited"] == "1"
    assert values["forest.fire_risk.level"] == "3"
    [marker] = tiles["map"].content.markers["features"]
    assert marker["properties"]["id"] == "AJ-T-1"
    assert tiles["map"].content.values == {grid.id: 2}
    assert tiles["map"].content.levels["310115"] == 3
    score = {r.key: r.value for r in tiles["ranking"].content.rows}
    assert score["310115"] is not None and score["310101"] is None
    assert plain(tiles["ticker"].content.rows[0].cells[2]).startswith("AJ-T-1")


def test_district_scope_shows_only_that_district(sources, fed):
    grid, _ = fed
    pudong = metric_values(built(payload(sources, "310115"), "310115"))
    huangpu_tiles = payload(sources, "310101")
    huangpu = metric_values(built(huangpu_tiles, "310101"))
    assert pudong["forest.cases.open"] == "1" and huangpu["forest.cases.open"] == "0"
    assert pudong["forest.chiefs.city"] == "0" and pudong["forest.chiefs.district"] == "1"
    assert int(pudong["forest.patrol.grids_total"]) == len(sources.store.forest.patrol_grids("310115"))
    assert huangpu["forest.fire_risk.level"] == ""
    assert huangpu_tiles["map"].content.markers["features"] == []
    assert [f["properties"]["adcode"] for f in huangpu_tiles["map"].content.districts.data["features"]] \
        == ["310101"]


def test_grid_info_names_chiefs_rangers_and_open_cases(sources, fed):
    grid, ranger = fed
    panel = " ".join(texts(c) if isinstance(c, Component) else str(c) for c in grid_info(sources, grid.id))
    assert grid.id in panel and ranger.name in panel and "巡护中" in panel
    assert "AJ-T-1" in panel and "待处置" in panel
    for level in ("村居", "镇街", "区级", "市级"):
        assert level in panel
    assert "未登记" in " ".join(texts(c) for c in grid_info(sources, "PG-nowhere"))
