"""lang=en switches every label the screen draws; Chinese stays the default."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from dash import html
from dash.development.base_component import Component

from callbacks.waste_sorting import payload
from dashboard.discovery import payload_builders
from dashboard.errors import error_page
from dashboard.i18n import language, plain, screen_labels, t, text
from dashboard.query import parse_query
from dashboard.registry import get_screen, screens
from layouts.forest_chief import OVERDUE_LABELS, OVERDUE_LINE, SCOPE_CHIEF
from layouts.index import build_index
from layouts.shell import build_screen
from layouts.waste_sorting import HOUR
from tests.conftest import wait_until
from tests.dashboard.test_waste_payload import fed  # noqa: F401  (fixture)
from tests.feeds_helpers import SHANGHAI, publish

HAN = re.compile(r"[\u4e00-\u9fff]")


def texts(component: Component) -> list[str]:
    """Every string a person reads: children, titles and labels."""
    found = []
    for node in component._traverse():
        if not isinstance(node, Component):
            continue
        props = node.to_plotly_json()["props"]
        for name in ("children", "title", "label", "aria-label"):
            value = props.get(name)
            if isinstance(value, str):
                found.append(value)
        # Text beside elements in one parent (["今日巡护 ", <b>3</b>, " 次"]) is read as well.
        if isinstance(props.get("children"), list | tuple):
            found += [c for c in props["children"] if isinstance(c, str)]
        for option in props.get("options") or []:
            found.append(option["label"])
    return found


def untranslated(strings: list[str], entity_names: set[str]) -> list[str]:
    """Chinese left in an English screen, less proper names (entities, demo labels, traces)."""
    return [s for s in strings if HAN.search(s) and s not in entity_names
            and "→" not in s and "（演示）" not in s]


@pytest.mark.parametrize("slug", [s.slug for s in screens()])
def test_every_screen_in_english_even_with_empty_feeds(sources, slug):
    with language("en"):
        layout = build_screen(get_screen(slug), payload_builders()[slug](sources, None), 1,
                              parse_query("lang=en"))
    assert untranslated(texts(layout), set(sources.store.entity_names().values())) == []


def test_english_screen_has_no_untranslated_label(sources, fed):  # noqa: F811
    spec = get_screen("waste-sorting")
    tiles = payload(sources, None)
    entity_names = set(sources.store.entity_names().values())
    with language("en"):
        layout = build_screen(spec, tiles, 1, parse_query("lang=en"))
    assert untranslated(texts(layout), entity_names) == []
    assert "Shanghai (city)" in texts(layout)
    assert layout.to_plotly_json()["props"]["lang"] == "en"


def test_chinese_is_the_default():
    assert parse_query("").lang == "zh"
    assert t("湿垃圾") == "湿垃圾"
    with language("en"):
        assert t("浦东新区") == "Pudong" and t("全市") == "City-wide"


def test_a_screen_brings_its_own_labels_and_templates():
    hour = text(HOUR, hour=8)
    assert t(hour) == str(hour) == "08时"
    with language("en"):
        assert t("湿垃圾") == "湿垃圾"  # no screen is being drawn: only the shared words
        with screen_labels(get_screen("waste-sorting").labels):
            assert t("湿垃圾") == "Wet" and t(hour) == "08:00" and t("浦东新区") == "Pudong"


def test_a_composed_text_translates_its_labels_but_not_its_names():
    line = text(OVERDUE_LINE, case="AJ-0001", scenario=text("毁林占绿"),
                overdue=text(OVERDUE_LABELS["verified"]), days=2.04)
    assert plain(line) == "AJ-0001 毁林占绿 待处置超期2.0天"
    with language("en"), screen_labels(get_screen("forest-chief").labels):
        assert t(line) == "AJ-0001 Deforestation: disposal overdue by 2.0 d"
        assert t(text(SCOPE_CHIEF, chief="张林")) == "Chief: 张林"


def test_every_screen_template_fills_in_both_languages():
    """A template's English names the same fields as its Chinese (else drawing it fails)."""
    fields = re.compile(r"{(\w+)")
    for spec in screens():
        for zh, en in spec.labels.items():
            if "{" in zh:
                assert set(fields.findall(zh)) == set(fields.findall(en)), (spec.slug, zh)


# ---- every label translated: what the map draws, the info panel, the index, the error page --


@pytest.fixture
def forest_fed(sources, worker):
    """An open, overdue case in a 浦东 grid with a ranger on duty: a marker and a full panel."""
    grid = sources.store.forest.patrol_grids("310115")[0]
    publish(sources.redis, sources.keys, "forest.incident", incident="AJ-I18N-1", scenario="neglect",
            stage="reported", grid=grid.id, lat=grid.lat, lon=grid.lon, note="发现林地堆放垃圾",
            ts=(datetime.now(SHANGHAI) - timedelta(days=3)).isoformat())
    wait_until(lambda: sources.live.feed_stats()["forest.incident"].ingested == 1)
    return grid


def _geojson_labels(layout: Component) -> list[str]:
    """The names and labels the maps' JavaScript draws from their GeoJSON data."""
    found = []
    for node in layout._traverse():
        data = getattr(node, "data", None)
        if isinstance(node, Component) and isinstance(data, dict) and "features" in data:
            found += [v for f in data["features"] for k, v in f.get("properties", {}).items()
                      if k in ("name", "label") and isinstance(v, str)]
    return found


@pytest.mark.parametrize("slug", ["waste-sorting", "forest-chief"])
def test_the_maps_draw_district_names_and_markers_in_the_page_language(sources, forest_fed, slug):
    spec = get_screen(slug)
    tiles = payload_builders()[slug](sources, None)
    with language("en"):
        english = _geojson_labels(build_screen(spec, tiles, 1, parse_query("lang=en")))
    with language("zh"):
        chinese = _geojson_labels(build_screen(spec, tiles, 1, parse_query("")))
    assert "Pudong" in english and "浦东新区" in chinese
    assert untranslated(english, set(sources.store.entity_names().values())) == []
    if slug == "forest-chief":
        [marker] = [s for s in english if s.startswith("AJ-I18N-1")]
        assert marker == "AJ-I18N-1 Neglected forest land · To verify · overdue"
        assert "AJ-I18N-1 林地失管失养 · 待核实 · 超期" in chinese
        # The live update carries the markers drawn in each language too.
        update = ScreenPayloadLike(sources, slug).update("en")
        assert "AJ-I18N-1 Neglected forest land · To verify · overdue" in str(update)


class ScreenPayloadLike:
    """The map tile's live update, as the push draws it in a language."""

    def __init__(self, sources, slug):
        self.spec, self.tiles = get_screen(slug), payload_builders()[slug](sources, None)

    def update(self, lang: str):
        from layouts.kinds import tile_update

        with language(lang):
            return tile_update(self.spec, self.spec.tile("map"), self.tiles["map"], 1)


def test_the_grid_info_panel_speaks_english(sources, forest_fed):
    from callbacks.forest_map import grid_info

    entity_names = set(sources.store.entity_names().values())
    with language("en"), screen_labels(get_screen("forest-chief").labels):
        panel = html.Div(grid_info(sources, forest_fed.id))
        unknown = html.Div(grid_info(sources, "PG-NOT-REGISTERED"))
    strings = texts(panel)
    assert "Chiefs in charge" in strings and "Rangers" in strings
    assert any("Neglected forest land · To verify" in s for s in strings)
    # Chiefs' and rangers' names are proper names and stay as registered.
    assert untranslated(strings, entity_names) == []
    assert texts(unknown) == ["Grid PG-NOT-REGISTERED is not registered"]


def test_the_index_and_the_error_page_speak_english(sources):
    with language("en"):
        index = build_index(screens())
    assert untranslated(texts(index), set()) == [], "a screen's description lacks its English"
    body = error_page(404, "no screen 'x'", lang="en").body.decode()
    assert "Back to screens" in body and "href='/?lang=en'" in body and not HAN.search(body)
    # Not knowing the reader's language, the way back says both.
    assert "返回大屏目录 · Back to screens" in error_page(404, "没有 (none)").body.decode()


def test_every_tile_note_and_description_has_its_english():
    """Notes are tooltips: a missing one does not show on the page, so check the label sets."""
    for spec in screens():
        wanted = [spec.description, *(tile.note for tile in spec.tiles if tile.note)]
        assert [w for w in wanted if w not in spec.labels] == [], spec.slug


def test_a_district_screen_calls_the_city_coverage_city_wide(sources):
    spec = get_screen("forest-chief")
    tiles = payload_builders()["forest-chief"](sources, "310115")
    for lang, label in (("zh", "全市森林覆盖率"), ("en", "City-wide forest cover")):
        with language(lang):
            layout = build_screen(spec, tiles, 1, parse_query(f"district=310115&lang={lang}"))
        assert any(s.startswith(label) for s in texts(layout)), lang
    city = payload_builders()["forest-chief"](sources, None)
    with language("zh"):
        strings = texts(build_screen(spec, city, 1, parse_query("")))
    assert not any(s.startswith("全市森林覆盖率") for s in strings)
