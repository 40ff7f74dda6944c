"""The waste screen's tile data, from real feed messages through a real worker."""

from __future__ import annotations

import pytest
from dash.development.base_component import Component

from callbacks.waste_sorting import payload
from dashboard.i18n import plain
from dashboard.query import parse_query
from dashboard.registry import get_screen
from layouts.shell import build_screen
from tests.conftest import wait_until
from tests.feeds_helpers import publish


def _ingested(sources, weighing: int, quality: int) -> bool:
    stats = sources.live.feed_stats()
    return (stats["waste.weighing"].ingested == weighing
            and stats["waste.quality"].ingested == quality)


@pytest.fixture
def fed(sources, worker):
    """A small, exactly known day: three loads and five camera verdicts."""
    r, k = sources.redis, sources.keys
    site = sources.store.sites("310115")[0]
    publish(r, k, "waste.weighing", district="310115", station="ST-310115-01",
            vehicle="VH-X", category="wet", tonnes="5.5")
    publish(r, k, "waste.weighing", district="黄浦区", station="ST-310101-01",
            vehicle="VH-Y", category="dry", tonnes="7.25")
    publish(r, k, "waste.weighing", district="310115", station="ST-310115-01",
            vehicle="VH-X", category="wet", tonnes="2")
    for verdict in ("qualified", "qualified", "qualified"):
        publish(r, k, "waste.quality", district="310115", camera="QC-A", site=site.id,
                verdict=verdict, confidence="0.9")
    publish(r, k, "waste.quality", district="310115", camera="QC-A", site=site.id,
            verdict="unqualified", issue="混有塑料袋", confidence="0.81")
    publish(r, k, "waste.quality", district="310101", camera="QC-B", site="CS-NEW-1",
            verdict="qualified", confidence="0.95")
    wait_until(lambda: _ingested(sources, 3, 5))
    return site


def metric_values(component: Component) -> dict[str, str]:
    """``data-metric`` → ``data-value`` of every element in a component tree."""
    found = {}
    for node in component._traverse():
        if isinstance(node, Component):
            props = node.to_plotly_json()["props"]
            if "data-metric" in props:
                found[props["data-metric"]] = props.get("data-value")
    return found


def test_city_scope_counts_every_event_once(sources, fed):
    tiles = payload(sources, None)
    tonnes = {c.metric: c.value for c in tiles["tonnes"].content.items}
    assert tonnes["waste.tonnes_today.wet"] == 7.5
    assert tonnes["waste.tonnes_today.dry"] == 7.25
    assert tonnes["waste.tonnes_today.hazardous"] == 0
    ranking = tiles["ranking"].content.rows
    assert [r.key for r in ranking[:2]] == ["310101", "310115"]
    assert ranking[1].value == pytest.approx(0.75)
    assert len(ranking) == 16
    cameras = {s.metric: s.value for s in tiles["cameras"].content.stats}
    assert tiles["cameras"].content.ring.value == pytest.approx(4 / 5)
    assert cameras["waste.cameras.online"] == 2


def test_unqualified_load_is_traced_to_vehicle_and_station(sources, fed):
    rows = payload(sources, None)["unqualified"].content.rows
    assert len(rows) == 1
    when, district, trace, issue = (plain(cell) for cell in rows[0].cells)
    assert district == "浦东新区" and issue == "混有塑料袋"
    assert fed.name in trace
    assert "未登记" not in trace, "a registered site must trace to its vehicle and station"


def test_district_scope_shows_only_that_district(sources, fed):
    tiles = payload(sources, "310115")
    tonnes = {c.metric: c.value for c in tiles["tonnes"].content.items}
    assert tonnes["waste.tonnes_today.wet"] == 7.5
    assert tonnes["waste.tonnes_today.dry"] == 0
    assert tiles["cameras"].content.ring.value == pytest.approx(0.75)
    features = tiles["map"].content.districts["features"]
    assert [f["properties"]["adcode"] for f in features] == ["310115"]
    assert [r.selected for r in tiles["ranking"].content.rows].count(True) == 1


def test_built_screen_carries_every_metric_and_unique_ids(sources, fed):
    spec = get_screen("waste-sorting")
    tiles = payload(sources, None)
    layout = build_screen(spec, tiles, 7, parse_query(""))
    ids = [getattr(n, "id", None) for n in layout._traverse() if getattr(n, "id", None)]
    assert len(ids) == len(set(ids)), "duplicate component ids"
    values = metric_values(layout)
    for tile in spec.tiles:
        for key in tile.metrics:
            if "<" not in key:
                assert key in values, f"{tile.key}: metric {key} not on screen"
    assert values["waste.tonnes_today.wet"] == "7.5"
    assert values["waste.qualified_rate.310115"] == "0.75"
    refs = {n.to_plotly_json()["props"].get("data-tile") for n in layout._traverse()
            if hasattr(n, "to_plotly_json")}
    assert {f"waste-sorting.{t.key}" for t in spec.tiles} <= refs
