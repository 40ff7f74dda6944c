"""A district's payload carries no entity of another district (issue 9, 市区两级).

Events of two districts — 浦东新区 (310115, the scope) and 黄浦区 (310101, the other) — go
through a real worker into real Redis; the payload built for 浦东 is then serialised whole
(every tile's data including map geometry, the page drawn from it, and the updates pushed on
the wire) and searched for the other district's ids and names. An entity whose district is
unknown (not registered) belongs to no district, only to the city; the city sees everything.
City-wide rankings of the 16 districts and city totals are public and may stay.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from plotly.io.json import to_json_plotly

from dashboard.discovery import payload_builders
from dashboard.i18n import plain
from dashboard.payloads import PayloadCache
from dashboard.query import parse_query
from dashboard.registry import get_screen
from layouts.shell import build_screen
from tests.conftest import wait_until
from tests.feeds_helpers import now_iso, publish

SCOPE, OTHER = "310115", "310101"


def serialised(sources, slug: str, district: str | None) -> str:
    """Everything a viewer of ``slug`` in ``district``'s scope can be sent, as one text."""
    tiles = payload_builders()[slug](sources, district)
    data = {key: dataclasses.asdict(tile) for key, tile in tiles.items()}
    page = build_screen(get_screen(slug), tiles, 1,
                        parse_query(f"district={district}" if district else ""))
    wire = PayloadCache(sources, payload_builders()).get(slug, district).wire_updates("zh")
    pushed = [value for props in wire.values() for _, value in props.values()]
    return "\n".join(json.dumps(part, ensure_ascii=False, default=str) for part in
                     (data, json.loads(to_json_plotly(page)), pushed))


def leaked(text: str, needles: set[str]) -> list[str]:
    return sorted(n for n in needles if n in text)


def _ingested(sources, prefix: str, count: int) -> bool:
    return sum(s.ingested for f, s in sources.live.feed_stats().items()
               if f.startswith(prefix)) == count


@dataclasses.dataclass
class Side:
    """What one district's (or nobody's) events named: what must show, what must not."""

    ids: set[str]
    names: set[str]

    @property
    def all(self) -> set[str]:
        return self.ids | self.names


@pytest.fixture
def waste_fed(sources, worker):
    """Weighing loads and camera verdicts naming registered and unregistered entities of both
    districts, including a 浦东 verdict at a 黄浦 site (its trace leads to 黄浦's vehicle and
    station), a 浦东 load weighed at a 黄浦 station, and unregistered sites, cameras, stations
    and vehicles."""
    r, k, store = sources.redis, sources.keys, sources.store
    sides = {}
    for district in (SCOPE, OTHER):
        site = store.sites(district)[0]
        vehicle = next(v for v in store.vehicles(district) if v.id == site.vehicle_id)
        station = next(s for s in store.stations(district) if s.id == vehicle.station_id)
        camera = next(c for c in store.cameras(district))
        publish(r, k, "waste.weighing", district=district, station=station.id,
                vehicle=vehicle.id, category="wet", tonnes="4")
        publish(r, k, "waste.quality", district=district, camera=camera.id, site=site.id,
                verdict="unqualified", issue=f"问题-{district}", confidence="0.8")
        sides[district] = Side({site.id, vehicle.id, station.id, camera.id},
                               {site.name, vehicle.plate, station.name, f"问题-{district}"})
    other_site = store.sites(OTHER)[1]
    other_vehicle = next(v for v in store.vehicles(OTHER) if v.id == other_site.vehicle_id)
    other_station = next(s for s in store.stations(OTHER) if s.id == other_vehicle.station_id)
    publish(r, k, "waste.weighing", district=SCOPE, station=other_station.id,
            vehicle=other_vehicle.id, category="recyclable", tonnes="2")
    publish(r, k, "waste.quality", district=SCOPE, camera="QC-STRAY-HP", site=other_site.id,
            verdict="unqualified", issue="跨区收集点", confidence="0.7")
    publish(r, k, "waste.quality", district=SCOPE, camera="QC-UNREG-PD", site="CS-UNREG-PD",
            verdict="unqualified", issue="新收集点", confidence="0.7")
    publish(r, k, "waste.weighing", district=SCOPE, station="ST-UNREG-PD", vehicle="VH-UNREG-PD",
            category="dry", tonnes="3")
    publish(r, k, "waste.weighing", district=OTHER, station="ST-UNREG-HP", vehicle="VH-UNREG-HP",
            category="dry", tonnes="3")
    wait_until(lambda: _ingested(sources, "waste.", 9))
    sides[OTHER].ids |= {other_site.id, other_vehicle.id, other_station.id, "ST-UNREG-HP",
                         "VH-UNREG-HP"}
    sides[OTHER].names |= {other_site.name, other_vehicle.plate, other_station.name}
    unknown = Side({"CS-UNREG-PD", "QC-UNREG-PD", "QC-STRAY-HP", "ST-UNREG-PD", "VH-UNREG-PD"},
                   set())
    return sides[SCOPE], sides[OTHER], unknown


def test_waste_district_scope_carries_no_other_district_entity(sources, waste_fed):
    mine, other, unknown = waste_fed
    text = serialised(sources, "waste-sorting", SCOPE)
    assert leaked(text, other.all | unknown.all) == []
    assert leaked(text, mine.names) == sorted(mine.names), "the scope's own loads must show"
    assert "跨区收集点" in text and "新收集点" in text, "the scope's own verdicts stay listed"
    assert "QC-" + SCOPE in text, "the scope's registered camera is named"


def test_waste_city_scope_carries_both_districts(sources, waste_fed):
    mine, other, unknown = waste_fed
    text = serialised(sources, "waste-sorting", None)
    # The city lists every unqualified load, an unregistered site and camera by their ids.
    shown = mine.names | other.names | {"CS-UNREG-PD", "QC-UNREG-PD", "QC-STRAY-HP"}
    assert leaked(text, shown) == sorted(shown)


@pytest.fixture
def forest_fed(sources, worker):
    """Patrols and cases of both districts, a 黄浦 ranger patrolling a 浦东 grid, an
    unregistered ranger in a 浦东 grid, a case in an unregistered grid, and 黄浦's fire
    danger at its highest."""
    r, k, forest = sources.redis, sources.keys, sources.store.forest
    sides, events = {}, 0
    for district in (SCOPE, OTHER):
        grid = forest.patrol_grids(district)[0]
        ranger = next(x for x in forest.rangers(district) if x.duty_grid_id == grid.duty_grid_id)
        incident, note = f"AJ-ISO-{district}", f"备注-{district}"
        for kind in ("start", "finish"):
            publish(r, k, "forest.patrol", ranger=ranger.id, grid=grid.id, kind=kind,
                    lat=grid.lat, lon=grid.lon)
        publish(r, k, "forest.incident", incident=incident, scenario="fire", stage="reported",
                grid=grid.id, lat=grid.lat, lon=grid.lon, note=note, ts=now_iso())
        events += 3
        sides[district] = Side({grid.id, incident}, {ranger.name, note})
    scope_grid = forest.patrol_grids(SCOPE)[1]
    stray = forest.rangers(OTHER)[-1]
    for ranger in (stray.id, "RG-UNREG-PD"):
        publish(r, k, "forest.patrol", ranger=ranger, grid=scope_grid.id, kind="start",
                lat=scope_grid.lat, lon=scope_grid.lon)
    publish(r, k, "forest.incident", incident="AJ-ISO-NOWHERE", scenario="wildlife",
            stage="reported", grid="PG-UNREG", lat=scope_grid.lat, lon=scope_grid.lon,
            note="备注-无网格", ts=now_iso())
    publish(r, k, "forest.fire_risk", district=OTHER, level="5")
    wait_until(lambda: _ingested(sources, "forest.", events + 4))
    sides[OTHER].ids |= {x.id for x in forest.rangers(OTHER)}
    sides[OTHER].names.add(stray.name)
    unknown = Side({"RG-UNREG-PD", "AJ-ISO-NOWHERE"}, {"备注-无网格"})
    return sides[SCOPE], sides[OTHER], unknown


def test_forest_district_scope_carries_no_other_district_entity(sources, forest_fed):
    mine, other, unknown = forest_fed
    text = serialised(sources, "forest-chief", SCOPE)
    assert leaked(text, other.all | unknown.all | {"PG-UNREG"}) == []
    assert leaked(text, mine.all) == sorted(mine.all)
    tiles = payload_builders()["forest-chief"](sources, SCOPE)
    unnamed = [r for r in tiles["ticker"].content.rows if plain(r.cells[2]).startswith("未登记护林员 · ")]
    assert len(unnamed) == 2, "patrols in the scope's grids stay listed, their rangers unnamed"
    assert tiles["map"].content.levels == {SCOPE: None}


def test_forest_city_scope_carries_both_districts(sources, forest_fed):
    mine, other, unknown = forest_fed
    text = serialised(sources, "forest-chief", None)
    shown = mine.all | other.names | {f"AJ-ISO-{OTHER}", f"备注-{OTHER}"} | unknown.all
    assert leaked(text, shown) == sorted(shown)
    assert "未登记护林员" not in text
    assert payload_builders()["forest-chief"](sources, None)["map"].content.levels[OTHER] == 5
