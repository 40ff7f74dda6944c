"""The snapshot database on SQLite and PostgreSQL: schema, demo seed, reads, CSV snapshots."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import text

from dashboard.districts import DISTRICTS
from datasources.platform.master import SiteTrace, UnknownEntityKind
from datasources.platform.seed import DEMO_SUFFIX, seed
from datasources.platform.snapshot import SnapshotLoadError, SnapshotStore
from datasources.waste.schema import CATEGORIES
from datasources.waste.seed import CITY_DAILY_TONNES, HISTORY_DAYS

TODAY = date(2026, 11, 28)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """An empty store on each backend; on PostgreSQL in its own schema, dropped afterwards."""
    if request.param == "sqlite":
        snapshot = SnapshotStore(f"sqlite:///{tmp_path / 'snapshot.db'}")
        yield snapshot
        snapshot.close()
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"gwtest_{uuid.uuid4().hex[:10]}"
    snapshot = SnapshotStore(url, schema=schema)
    yield snapshot
    snapshot.close()
    admin = SnapshotStore(url)
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.close()


@pytest.fixture
def seeded(store):
    summary = seed(store, today=TODAY)
    assert summary.seeded, summary.message
    return store


def test_new_database_is_empty_until_seeded(store):
    assert store.is_empty()
    store.create_schema()
    store.create_schema()  # idempotent
    assert store.is_empty()
    assert store.history(7) == []


def test_seed_fills_sixteen_districts_with_boundaries(seeded):
    districts = seeded.districts()
    assert [(d.adcode, d.name, d.name_en) for d in districts] == [
        (d.adcode, d.name, d.name_en) for d in DISTRICTS
    ]
    area = {d.adcode: d.area_km2 for d in districts}
    assert 15 < area["310101"] < 25  # 黄浦, about 20 km²
    assert area["310115"] > 1000  # 浦东
    collection = seeded.district_geojson()
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["adcode"] for f in collection["features"]] == [
        d.adcode for d in DISTRICTS
    ]
    assert all(shape(f["geometry"]).is_valid for f in collection["features"])


def test_seed_is_idempotent(seeded):
    before = (len(seeded.stations()), len(seeded.sites()), len(seeded.history(HISTORY_DAYS)))
    again = seed(seeded, today=TODAY)
    assert not again.seeded and "not seeded" in again.message
    after = (len(seeded.stations()), len(seeded.sites()), len(seeded.history(HISTORY_DAYS)))
    assert after == before


def test_demo_entities_lie_inside_their_district(seeded):
    polygons = {
        f["properties"]["adcode"]: shape(f["geometry"])
        for f in seeded.district_geojson()["features"]
    }
    placed = [*seeded.stations(), *seeded.sites(), *seeded.cameras()]
    assert placed
    for entity in placed:
        assert entity.is_demo
        assert polygons[entity.district].contains(Point(entity.lon, entity.lat)), entity.id


def test_demo_entities_are_labelled_linked_and_counted(seeded):
    stations, sites = seeded.stations(), seeded.sites()
    vehicles, cameras = seeded.vehicles(), seeded.cameras()
    assert all(s.name.endswith(DEMO_SUFFIX) for s in [*stations, *sites])
    station_district = {s.id: s.district for s in stations}
    vehicle_by_id = {v.id: v for v in vehicles}
    for site in sites:
        assert re.fullmatch(rf"CS-{site.district}-\d{{3}}", site.id)
        vehicle = vehicle_by_id[site.vehicle_id]
        assert vehicle.id == site.id.replace("CS-", "VH-")
        assert station_district[vehicle.station_id] == site.district
    for station in stations:
        assert re.fullmatch(rf"ST-{station.district}-\d{{2}}", station.id)
    for camera in cameras:
        assert camera.id == camera.site_id.replace("CS-", "QC-")
    for district in DISTRICTS:
        assert 2 <= len(seeded.stations(district.adcode)) <= 4
        assert 8 <= len(seeded.sites(district.adcode)) <= 15
    assert 0.7 < len(cameras) / len(sites) < 0.97
    assert len(seeded.stations("310115")) > len(seeded.stations("310101"))


def test_targets_sum_to_the_calibrated_city_figures(seeded):
    assert seeded.targets() == pytest.approx(CITY_DAILY_TONNES)
    for category, city in CITY_DAILY_TONNES.items():
        total = sum(seeded.targets(d.adcode)[category] for d in DISTRICTS)
        assert total == pytest.approx(city, abs=1e-6)
    assert seeded.targets("310115")["wet"] > seeded.targets("310101")["wet"]


def test_history_covers_thirty_days_near_target(seeded):
    history = seeded.history(HISTORY_DAYS)
    days = sorted({p.day for p in history})
    assert len(days) == HISTORY_DAYS and days[-1] == TODAY - timedelta(days=1)
    assert [p.category for p in history[:4]] == list(CATEGORIES)
    targets = seeded.targets()
    for point in history:
        assert point.tonnes == pytest.approx(targets[point.category], rel=0.12)
    week = seeded.history(7, district="310110")
    assert len(week) == 7 * len(CATEGORIES)
    assert seeded.history(3, end=days[0]) == [p for p in history if p.day == days[0]]
    rates = []
    for district in DISTRICTS:
        for point in seeded.quality_history(HISTORY_DAYS, district.adcode):
            rates.append(point.qualified / (point.qualified + point.unqualified))
    assert 0.87 <= min(rates) and max(rates) <= 0.975


def test_seed_is_deterministic(tmp_path):
    a = SnapshotStore(f"sqlite:///{tmp_path / 'a.db'}")
    b = SnapshotStore(f"sqlite:///{tmp_path / 'b.db'}")
    seed(a, rng_seed=7, today=TODAY)
    seed(b, rng_seed=7, today=TODAY)
    assert a.stations() == b.stations() and a.cameras() == b.cameras()
    assert a.history(HISTORY_DAYS) == b.history(HISTORY_DAYS)


def test_master_lookup_traces_sites_and_knows_entities(seeded):
    lookup = seeded.master_lookup()
    site = seeded.sites("310104")[0]
    vehicle = next(v for v in seeded.vehicles() if v.id == site.vehicle_id)
    assert lookup.trace_site(site.id) == SiteTrace("310104", vehicle.id, vehicle.station_id)
    assert lookup.trace_site("CS-nowhere") is None
    assert lookup.is_registered("site", site.id)
    assert lookup.is_registered("vehicle", vehicle.id)
    assert lookup.is_registered("station", vehicle.station_id)
    assert lookup.is_registered("camera", seeded.cameras()[0].id)
    assert not lookup.is_registered("station", "ST-999999-01")
    with pytest.raises(UnknownEntityKind):
        lookup.is_registered("zoo_animal", "x")
    assert seeded.master_lookup() is lookup


def _write(directory: Path, name: str, text_: str) -> Path:
    path = directory / f"{name}.csv"
    path.write_text(text_.lstrip(), encoding="utf-8")
    return path


def _snapshot_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "snapshot"
    directory.mkdir()
    _write(directory, "districts", """
adcode,name,name_en,area_km2
310101,黄浦区,Huangpu,20.5
310104,徐汇区,Xuhui,54.8
""")
    _write(directory, "transfer_stations", """
id,name,district,lat,lon,capacity_tpd,is_demo
ST-A,"Station A, north",310101,31.23,121.48,800,false
ST-B,Station B,310104,31.18,121.43,,0
""")
    _write(directory, "vehicles", """
id,plate,district,station_id,is_demo
VH-1,沪A00001,310101,ST-A,false
""")
    _write(directory, "collection_sites", """
id,name,district,lat,lon,vehicle_id,is_demo
CS-1,Site 1,310101,31.231,121.481,VH-1,false
""")
    _write(directory, "quality_cameras", """
id,district,site_id,is_demo
QC-1,310101,CS-1,false
""")
    _write(directory, "waste_targets", """
district,category,tonnes_per_day
310000,wet,9000
310101,wet,250.5
""")
    _write(directory, "daily_weighing", """
day,district,category,tonnes
2026-11-27,310101,wet,240.25
2026-11-27,310101,dry,400
""")
    return directory


def test_load_csv_dir_round_trip_and_upsert(store, tmp_path):
    directory = _snapshot_dir(tmp_path)
    counts = store.load_csv_dir(directory, progress=False)
    assert counts == {
        "districts": 2, "transfer_stations": 2, "vehicles": 1, "collection_sites": 1,
        "quality_cameras": 1, "waste_targets": 2, "daily_weighing": 2,
    }
    assert [d.name for d in store.districts()] == ["黄浦区", "徐汇区"]
    station_a, station_b = store.stations()
    assert (station_a.name, station_a.capacity_tpd, station_a.is_demo) == (
        "Station A, north", 800.0, False,
    )
    assert station_b.capacity_tpd is None
    assert store.cameras()[0].lat == pytest.approx(31.231)
    assert store.targets() == {"wet": 9000.0}
    assert store.targets("310101") == {"wet": 250.5}
    assert [tuple(p) for p in store.history(1)] == [
        (date(2026, 11, 27), "wet", 240.25), (date(2026, 11, 27), "dry", 400.0),
    ]
    lookup = store.master_lookup()
    assert lookup.trace_site("CS-1") == SiteTrace("310101", "VH-1", "ST-A")

    _write(directory, "transfer_stations", """
id,name,district,lat,lon,capacity_tpd,is_demo
ST-A,Station A renamed,310101,31.23,121.48,900,false
""")
    _write(directory, "collection_sites", """
id,name,district,lat,lon,vehicle_id,is_demo
CS-2,Site 2,310104,31.181,121.431,,false
""")
    store.load_csv_dir(directory, progress=False)
    assert [(s.id, s.name, s.capacity_tpd) for s in store.stations()] == [
        ("ST-A", "Station A renamed", 900.0), ("ST-B", "Station B", None),
    ]
    assert lookup.trace_site("CS-2") == SiteTrace("310104", None, None), "lookup refreshed"


@pytest.mark.parametrize(
    "table, body, line, column, words",
    [
        ("transfer_stations",
         "id,name,district,lat,lon,capacity_tpd,is_demo\n"
         "ST-A,A,310101,31.2,121.4,800,false\nST-B,B,310101,31.2,121.4,lots,false\n",
         3, "capacity_tpd", "not a number"),
        ("transfer_stations",
         "id,name,district,lat,lon,is_demo\nST-A,A,310999,31.2,121.4,false\n",
         2, "district", "not found in districts.adcode"),
        ("transfer_stations", "id,name,district,lat,lon,colour\n", 1, "colour", "unknown column"),
        ("transfer_stations", "id,name,district,lat\n", 1, "lon", "required column missing"),
        ("waste_targets", "district,category,tonnes_per_day\n310101,kitchen,3\n",
         2, "category", "not one of wet, dry, recyclable, hazardous"),
        ("daily_weighing", "day,district,category,tonnes\n27/11/2026,310101,wet,3\n",
         2, "day", "not a date"),
        ("vehicles", "id,district\n" + "V" * 65 + ",310101\n", 2, "id", "at most 64"),
        ("vehicles", "id,district,is_demo\nVH-9,310101,perhaps\n", 2, "is_demo", "boolean"),
    ],
)
def test_a_bad_row_names_file_line_and_column(store, tmp_path, table, body, line, column, words):
    directory = _snapshot_dir(tmp_path)
    path = _write(directory, table, body)
    with pytest.raises(SnapshotLoadError) as caught:
        store.load_csv_dir(directory, progress=False)
    error = caught.value
    assert (error.file, error.line, error.column) == (path, line, column)
    assert words in str(error) and f"{path.name}" in str(error) and f"line {line}" in str(error)
    assert store.is_empty(), "nothing is loaded from a snapshot with a bad row"


def test_an_unknown_table_file_is_refused(store, tmp_path):
    directory = _snapshot_dir(tmp_path)
    path = _write(directory, "parks_typo", "id\n1\n")
    with pytest.raises(SnapshotLoadError, match="no table 'parks_typo'") as caught:
        store.load_csv_dir(directory, progress=False)
    assert caught.value.file == path


def test_a_file_not_in_utf8_is_refused(store, tmp_path):
    directory = _snapshot_dir(tmp_path)
    path = directory / "districts.csv"
    path.write_bytes("adcode,name,name_en\n310101,黄浦区,Huangpu\n".encode("gbk"))
    with pytest.raises(SnapshotLoadError, match="not UTF-8") as caught:
        store.load_csv_dir(directory, progress=False)
    assert caught.value.file == path


def test_load_shows_a_progress_bar(store, tmp_path, capsys):
    store.load_csv_dir(_snapshot_dir(tmp_path), progress=True)
    assert "transfer_stations: 100%" in capsys.readouterr().err
