"""lang=en switches every label the screen draws; Chinese stays the default."""

from __future__ import annotations

import re

import pytest
from dash.development.base_component import Component

from callbacks import PAYLOADS
from callbacks.waste_sorting import payload
from dashboard.i18n import language, t
from dashboard.query import parse_query
from dashboard.registry import get_screen, screens
from layouts.shell import build_screen
from tests.dashboard.test_waste_payload import fed  # noqa: F401  (fixture)

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
        layout = build_screen(get_screen(slug), PAYLOADS[slug](sources, None), 1,
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
        assert t("湿垃圾") == "Wet" and t("浦东新区") == "Pudong" and t("08时") == "08:00"
