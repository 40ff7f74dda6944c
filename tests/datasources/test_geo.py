"""GCJ-02 ⇄ WGS84 conversion: a published test point, round-trip accuracy, GeoJSON helpers."""

from __future__ import annotations

import itertools

import pytest

from dashboard.geo import (
    UnsupportedGeometryError,
    gcj02_to_wgs84,
    geojson_to_gcj02,
    geojson_to_wgs84,
    wgs84_to_gcj02,
)

# (WGS84 lon, lat) → (GCJ-02 lon, lat): the Shanghai vector used by the eviltransform test suites.
SHANGHAI_WGS = (121.5272106, 31.1774276)
SHANGHAI_GCJ = (121.531541859215, 31.17530398364597)


def test_known_point_forward():
    lon, lat = wgs84_to_gcj02(*SHANGHAI_WGS)
    assert lon == pytest.approx(SHANGHAI_GCJ[0], abs=1e-9)
    assert lat == pytest.approx(SHANGHAI_GCJ[1], abs=1e-9)


def test_known_point_inverse():
    lon, lat = gcj02_to_wgs84(*SHANGHAI_GCJ)
    assert lon == pytest.approx(SHANGHAI_WGS[0], abs=2e-7)
    assert lat == pytest.approx(SHANGHAI_WGS[1], abs=2e-7)


def test_shanghai_offset_is_a_few_hundred_metres():
    lon, lat = wgs84_to_gcj02(121.4737, 31.2304)  # People's Square
    assert 0.003 < lon - 121.4737 < 0.006
    assert -0.003 < lat - 31.2304 < -0.001


@pytest.mark.parametrize(
    "lon, lat",
    [
        *itertools.product((120.85, 121.2, 121.5, 121.95), (30.68, 31.0, 31.3, 31.87)),
        (116.3975, 39.9087),  # Beijing
        (113.9123, 22.5438),  # Shenzhen
        (87.6168, 43.8256),  # Ürümqi
    ],
)
def test_round_trip_within_a_centimetre(lon, lat):
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back_lon - lon) < 2e-7
    assert abs(back_lat - lat) < 2e-7


def test_identity_outside_china():
    assert wgs84_to_gcj02(-0.1276, 51.5072) == (-0.1276, 51.5072)
    assert gcj02_to_wgs84(139.6917, 35.6895) == (139.6917, 35.6895)


def test_geojson_helpers_convert_every_position_and_keep_the_rest():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": "310101"},
                "bbox": [0, 0, 1, 1],
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[[[121.47, 31.23, 4.0], [121.48, 31.23, 4.0],
                                      [121.48, 31.24, 4.0], [121.47, 31.23, 4.0]]]],
                },
            },
            {"type": "Feature", "properties": {}, "geometry": None},
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Point", "coordinates": list(SHANGHAI_WGS)}],
                },
            },
        ],
    }
    gcj = geojson_to_gcj02(collection)
    first = gcj["features"][0]
    assert first["properties"] == {"adcode": "310101"}
    assert "bbox" not in first
    position = first["geometry"]["coordinates"][0][0][0]
    assert position[:2] == list(wgs84_to_gcj02(121.47, 31.23)) and position[2] == 4.0
    assert gcj["features"][1]["geometry"] is None
    point = gcj["features"][2]["geometry"]["geometries"][0]["coordinates"]
    assert point == pytest.approx(list(SHANGHAI_GCJ), abs=1e-9)
    assert collection["features"][0]["bbox"] == [0, 0, 1, 1], "input left untouched"

    back = geojson_to_wgs84(gcj)["features"][0]["geometry"]["coordinates"][0][0][1]
    assert back[:2] == pytest.approx([121.48, 31.23], abs=2e-7)


def test_unknown_geojson_type_is_an_error():
    with pytest.raises(UnsupportedGeometryError):
        geojson_to_wgs84({"type": "Circle", "coordinates": [121.0, 31.0]})
