"""The forest-chief master data: grids inside the real districts, a complete chief hierarchy,
the real tree totals and coverage history, labelled demo entities, and an idempotent seed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from shapely.geometry import Point, shape

from dashboard.districts import DISTRICTS
from datasources.forest.schema import AncientTree, DutyGrid, ForestChief, PatrolGrid, Ranger
from datasources.forest.seed import ANCIENT_TREES_2016, RESERVE_TREES_2016
from datasources.platform.seed import DEMO_SUFFIX, seed
from datasources.platform.snapshot import SnapshotStore

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    snapshot = SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('forest') / 'snapshot.db'}")
    summary = seed(snapshot, today=TODAY)
    assert summary.seeded and summary.patrol_grids > 0
    yield snapshot
    snapshot.close()


def test_patrol_grids_are_a_few_thousand_small_cells_inside_their_district(store):
    grids = store.forest.patrol_grids()
    assert 300 <= len(grids) <= 2100
    polygons = {f["properties"]["adcode"]: shape(f["geometry"])
                for f in store.district_geojson()["features"]}
    assert {g.district for g in grids} == {d.adcode for d in DISTRICTS}
    for grid in grids:
        assert polygons[grid.district].contains(Point(grid.lon, grid.lat)), grid.id
        assert 2.0 <= grid.area_km2 <= 6.0
    geojson = store.forest.grid_geojson()
    assert len(geojson["features"]) == len(grids)
    # Small enough to send to a browser with the page.
    assert len(json.dumps(geojson, separators=(",", ":"))) < 800_000
    one = shape(geojson["features"][0]["geometry"])
    assert one.is_valid and 2.0 / 111 ** 2 < one.area < 7.0 / 100 ** 2


def test_every_patrol_grid_answers_to_chiefs_at_all_four_levels(store):
    chiefs = store.forest.chiefs()
    levels = Counter(c.level for c in chiefs)
    assert levels["city"] == 1 and levels["district"] == 16
    assert levels["town"] > 100 and levels["village"] > levels["town"]
    by_grid = {c.duty_grid_id: c for c in chiefs}
    for grid in store.forest.patrol_grids("310115"):
        chain, duty = [], grid.duty_grid_id
        while duty:
            chain.append(by_grid[duty])
            duty = by_grid[duty].parent_grid_id
        assert [c.level for c in chain] == ["village", "town", "district", "city"]
        assert all(c.district == "310115" for c in chain[:3]) and chain[3].district == "310000"
    assert all(c.name.endswith(f"林长{DEMO_SUFFIX}") and c.is_demo for c in chiefs)


def test_rangers_patrol_village_duty_grids(store):
    rangers = store.forest.rangers()
    villages = {c.duty_grid_id for c in store.forest.chiefs() if c.level == "village"}
    assert len(rangers) == len(villages)
    assert all(r.duty_grid_id in villages and r.name.endswith(DEMO_SUFFIX) for r in rangers)


def test_the_tree_register_has_the_real_totals_at_demo_places(store):
    assert store.forest.tree_counts() == {"ancient": ANCIENT_TREES_2016, "reserve": RESERVE_TREES_2016}
    assert (ANCIENT_TREES_2016, RESERVE_TREES_2016) == (1595, 1045)
    polygons = {f["properties"]["adcode"]: shape(f["geometry"])
                for f in store.district_geojson()["features"]}
    grids = {g.id: g.district for g in store.forest.patrol_grids()}
    trees = store.forest.trees()
    for tree in trees[::50]:
        assert polygons[tree.district].contains(Point(tree.lon, tree.lat))
        assert grids[tree.grid_id] == tree.district
    assert all(DEMO_SUFFIX in t.name for t in trees)


def test_forest_coverage_history_is_sourced(store):
    rows = store.forest.coverage()
    assert [(r.year, r.percent) for r in rows] == [(2017, 16.2), (2020, 18.49)]
    assert all(r.source_url.startswith("http") for r in rows)


def test_seed_adds_the_forest_to_a_database_seeded_before_it(tmp_path):
    store = SnapshotStore(f"sqlite:///{tmp_path / 'old.db'}")
    seed(store, today=TODAY)
    stations = store.stations()
    with store.session() as session:  # a database from before the forest tables had rows
        for model in (AncientTree, Ranger, PatrolGrid, DutyGrid, ForestChief):
            session.query(model).delete()
    assert store.forest.is_empty()
    again = seed(store, today=TODAY)
    assert again.seeded and again.stations == 0 and again.patrol_grids > 0
    assert "patrol grids" in again.message and "stations" not in again.message
    assert store.stations() == stations
    assert not seed(store, today=TODAY).seeded
    assert store.master_lookup().grid_district(store.forest.patrol_grids()[0].id)
    store.close()
