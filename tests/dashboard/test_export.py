"""CSV export: one table per tile kind, the same numbers the screen shows, in a file Excel opens."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from datetime import date
from urllib.parse import unquote

import pytest

from callbacks.waste_sorting import payload
from dashboard.export import Table, content_disposition, tile_table, to_csv
from dashboard.query import parse_query
from dashboard.registry import get_screen, screens
from layouts.shell import build_screen, export_path
from tests.conftest import wait_until
from tests.feeds_helpers import publish

SLUG = "waste-sorting"


@pytest.fixture
def fed(sources, worker):
    """Loads in two districts and camera verdicts in Pudong, including hostile issue text."""
    r, k = sources.redis, sources.keys
    site = sources.store.sites("310115")[0]
    publish(r, k, "waste.weighing", district="310115", station="ST-310115-01",
            vehicle="VH-X", category="wet", tonnes="5.5")
    publish(r, k, "waste.weighing", district="310101", station="ST-310101-01",
            vehicle="VH-Y", category="dry", tonnes="7.25")
    publish(r, k, "waste.quality", district="310115", camera="QC-A", site=site.id,
            verdict="qualified", confidence="0.9")
    publish(r, k, "waste.quality", district="310115", camera="QC-A", site=site.id,
            verdict="unqualified", issue="=HYPERLINK(\"http://x\")", confidence="0.8")
    wait_until(lambda: sources.live.feed_stats()["waste.quality"].ingested == 2
               and sources.live.feed_stats()["waste.weighing"].ingested == 2)


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would guess the encoding"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def metric_values(component) -> dict[str, str]:
    values = {}
    for node in component._traverse():
        props = node.to_plotly_json()["props"] if hasattr(node, "to_plotly_json") else {}
        if "data-metric" in props:
            values[props["data-metric"]] = props.get("data-value", "")
    return values


def test_every_tile_of_every_screen_exports_a_rectangular_table(sources):
    for spec in screens():
        from dashboard.discovery import payload_builders

        tiles = payload_builders()[spec.slug](sources, None)
        for tile in spec.tiles:
            table = tile_table(tile, tiles[tile.key])
            assert table.header, f"{spec.slug}.{tile.key}: no header"
            assert all(len(row) == len(table.header) for row in table.rows), tile.key


def test_exported_numbers_are_the_numbers_on_the_screen(sources, fed):
    spec = get_screen(SLUG)
    tiles = payload(sources, "310115")
    shown = metric_values(build_screen(spec, tiles, 1, parse_query("district=310115")))
    compared = 0
    for key, metric_column, value_column in (("tonnes", 0, 2), ("recycling", 0, 2),
                                             ("cameras", 0, 2), ("ranking", 5, 3)):
        rows = rows_of(to_csv(tile_table(spec.tile(key), tiles[key])))
        for row in rows[1:]:
            assert row[value_column] == shown[row[metric_column]], (key, row)
            compared += 1
    assert compared == 4 + 3 + 4 + 16
    tonnes = rows_of(to_csv(tile_table(spec.tile("tonnes"), tiles["tonnes"])))
    assert tonnes[0] == ["指标", "名称", "数值", "单位", "日目标", "完成率"]
    assert tonnes[1][:4] == ["waste.tonnes_today.wet", "湿垃圾", "5.5", "吨"]
    assert tonnes[2][2] == "0"  # the dry load was in 黄浦区, outside this scope


def test_map_and_series_and_ticker_tables(sources, fed):
    spec = get_screen(SLUG)
    tiles = payload(sources, "310115")
    map_rows = rows_of(to_csv(tile_table(spec.tile("map"), tiles["map"])))
    assert map_rows[0] == ["图层", "代码", "名称", "数值"]
    assert map_rows[1] == ["今日合格率", "310115", "浦东新区", "0.5"]  # the one district drawn
    stations = {row[1]: row[3] for row in map_rows[2:]}
    assert stations["ST-310115-01"] == "5.5"
    assert all(code.startswith("ST-310115") for code in stations)
    hourly = rows_of(to_csv(tile_table(spec.tile("hourly"), tiles["hourly"])))
    assert hourly[0] == ["时间", "今日（吨）", "昨日（吨）"] and len(hourly) == 25
    ticker = rows_of(to_csv(tile_table(spec.tile("unqualified"), tiles["unqualified"])))
    assert ticker[0] == ["时间", "区", "收集点 → 车辆 → 中转站", "问题", "说明"]
    # Feed text that Excel would run as a formula is written as text.
    assert ticker[1][3] == "'=HYPERLINK(\"http://x\")" and ticker[1][1] == "浦东新区"


def test_csv_file_format():
    body = to_csv(Table(("名称", "数值", "备注"), (("a,b", 1.5, None), ("-1", -2, "+x"))))
    assert body == "\ufeff名称,数值,备注\r\n\"a,b\",1.5,\r\n'-1,-2,'+x\r\n".encode()


def test_filename_is_ascii_with_the_chinese_name_per_rfc_5987():
    spec = get_screen(SLUG)
    header = content_disposition(spec, spec.tile("ranking"), "310115", date(2026, 11, 30))
    assert header.startswith('attachment; filename="waste-sorting-ranking-310115-2026-11-30.csv"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii()
    assert unquote(encoded) == "垃圾分类实时监管-16区湿垃圾品质合格率排名-浦东新区-2026-11-30.csv"
    city = content_disposition(spec, spec.tile("tonnes"), None, date(2026, 11, 30))
    assert 'filename="waste-sorting-tonnes-city-2026-11-30.csv"' in city
    assert unquote(city.split("''", 1)[1]).endswith("-全市-2026-11-30.csv")


def test_export_links_on_full_screens_only(sources):
    spec = get_screen(SLUG)
    tiles = payload(sources, None)

    def links(component) -> dict[str, str]:
        return {p["data-export"]: p["href"] for p in
                (n.to_plotly_json()["props"] for n in component._traverse()
                 if hasattr(n, "to_plotly_json")) if "data-export" in p}

    full = links(build_screen(spec, tiles, 1, parse_query("district=310115")))
    assert full == {f"{SLUG}.{t.key}": export_path(SLUG, t.key, "310115") for t in spec.tiles}
    assert full[f"{SLUG}.tonnes"] == "/export/waste-sorting/tonnes.csv?district=310115"
    assert links(build_screen(spec, tiles, 1, parse_query("kiosk=1"))) == {}
    assert links(build_screen(spec, tiles, 1, parse_query(""), chromeless=True)) == {}


def test_an_embedded_screen_has_no_chrome_but_title_and_clock(sources):
    from dashboard import ids

    spec = get_screen(SLUG)
    layout = build_screen(spec, payload(sources, None), 1, parse_query(""), chromeless=True,
                          root_attrs={"data-embed": "1"})
    found = {getattr(n, "id", None) for n in layout._traverse()}
    classes = " ".join(str(getattr(n, "className", "")) for n in layout._traverse())
    assert ids.SCOPE_PICKER not in found and "gw-home" not in classes
    assert ids.CLOCK in found and "gw-title" in classes
    assert layout.to_plotly_json()["props"]["data-embed"] == "1"


# ---- over HTTP -----------------------------------------------------------------------------


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("path, status, words", [
    ("/export/waste-sorting/nope.csv", 404, "no tile 'nope'"),
    ("/export/no-such-screen/tonnes.csv", 404, "no screen 'no-such-screen'"),
    ("/export/waste-sorting/tonnes.csv?district=999999", 404, "unknown district"),
])
def test_export_outside_any_scope_is_404(web, path, status, words):
    import html

    got, _, body = get(web + path)
    assert got == status
    assert words in html.unescape(body.decode())


def test_export_over_http_is_the_scoped_tile_as_a_download(web, sources, fed):
    status, headers, body = get(web + "/export/waste-sorting/tonnes.csv?district=310101")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"].startswith(
        'attachment; filename="waste-sorting-tonnes-310101-')
    rows = rows_of(body)
    values = {row[0]: row[2] for row in rows[1:]}
    assert values["waste.tonnes_today.dry"] == "7.25" and values["waste.tonnes_today.wet"] == "0"
    assert int(headers["X-Greenwall-Version"]) == sources.live.version()
