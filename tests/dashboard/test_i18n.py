"""lang=en switches every label the screen draws; Chinese stays the default."""

from __future__ import annotations

import re

import pytest
from dash.development.base_component import Component

from callbacks.waste_sorting import payload
from dashboard.discovery import payload_builders
from dashboard.i18n import language, plain, screen_labels, t, text
from dashboard.query import parse_query
from dashboard.registry import get_screen, screens
from layouts.forest_chief import OVERDUE_LABELS, OVERDUE_LINE, SCOPE_CHIEF
from layouts.shell import build_screen
from layouts.waste_sorting import HOUR
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
