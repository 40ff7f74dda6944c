"""Coordinate conversion between GCJ-02 (国测局坐标, "Mars coordinates") and WGS84.

Inside greenwall every coordinate is WGS84 (longitude, latitude), the order GeoJSON uses.
Sources published in GCJ-02 (Amap / 高德 boundaries, most Chinese web maps) are converted
when they enter, and a map tile layer that expects GCJ-02 gets converted coordinates when
they leave.

The forward transform is the widely published one (Krasovsky ellipsoid constants); the
inverse has no closed form and is found by iterating the forward transform until the
round trip is closer than ``INVERSE_TOLERANCE_DEG``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

LonLat = tuple[float, float]
Transform = Callable[[float, float], LonLat]

# Krasovsky 1940 semi-major axis and first eccentricity squared, as in the published formula.
_A = 6378245.0
_EE = 0.00669342162296594323

INVERSE_TOLERANCE_DEG = 1e-7
_MAX_ITERATIONS = 30
_COORDINATE_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


class CoordinateConversionError(ArithmeticError):
    """The iterative GCJ-02 → WGS84 inverse did not converge."""


class UnsupportedGeometryError(ValueError):
    """A GeoJSON object whose ``type`` this module does not know."""


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough bounding box where GCJ-02 applies (there it equals WGS84)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lon: float, lat: float) -> LonLat:
    """The GCJ-02 shift (Δlon, Δlat) in degrees at a WGS84 point."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += common
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2 / 3
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += common
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3

    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """WGS84 → GCJ-02 (the published forward transform); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> LonLat:
    """GCJ-02 → WGS84, iterating the forward transform to within ``INVERSE_TOLERANCE_DEG``."""
    if out_of_china(lon, lat):
        return lon, lat
    wgs_lon, wgs_lat = lon, lat
    for _ in range(_MAX_ITERATIONS):
        gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon, err_lat = gcj_lon - lon, gcj_lat - lat
        if abs(err_lon) < INVERSE_TOLERANCE_DEG and abs(err_lat) < INVERSE_TOLERANCE_DEG:
            return wgs_lon, wgs_lat
        wgs_lon -= err_lon
        wgs_lat -= err_lat
    raise CoordinateConversionError(f"GCJ-02 → WGS84 did not converge at ({lon}, {lat})")


def _map_positions(coords: Any, fn: Transform) -> Any:
    """Apply ``fn`` to every [lon, lat(, z)] position in a nested coordinate array."""
    if coords and isinstance(coords[0], (int, float)):
        lon, lat = fn(float(coords[0]), float(coords[1]))
        return [lon, lat, *coords[2:]]
    return [_map_positions(part, fn) for part in coords]


def transform_geojson(obj: dict[str, Any], fn: Transform) -> dict[str, Any]:
    """A copy of a GeoJSON geometry, Feature or FeatureCollection with ``fn`` applied.

    ``fn`` maps (lon, lat) to (lon, lat), e.g. ``gcj02_to_wgs84``. Properties are kept;
    a ``bbox`` is dropped because it would no longer match.
    """
    kind = obj.get("type")
    out = {k: v for k, v in obj.items() if k != "bbox"}
    if kind == "FeatureCollection":
        out["features"] = [transform_geojson(f, fn) for f in obj["features"]]
    elif kind == "Feature":
        geometry = obj.get("geometry")
        out["geometry"] = None if geometry is None else transform_geojson(geometry, fn)
    elif kind == "GeometryCollection":
        out["geometries"] = [transform_geojson(g, fn) for g in obj["geometries"]]
    elif kind in _COORDINATE_TYPES:
        out["coordinates"] = _map_positions(obj["coordinates"], fn)
    else:
        raise UnsupportedGeometryError(f"unknown GeoJSON type {kind!r}")
    return out


def geojson_to_wgs84(obj: dict[str, Any]) -> dict[str, Any]:
    """A GCJ-02 GeoJSON object converted to WGS84 (for data entering the project)."""
    return transform_geojson(obj, gcj02_to_wgs84)


def geojson_to_gcj02(obj: dict[str, Any]) -> dict[str, Any]:
    """A WGS84 GeoJSON object converted to GCJ-02 (for a GCJ-02 base map at the edge)."""
    return transform_geojson(obj, wgs84_to_gcj02)
