"""Screen query parameters: good ones parse, bad ones say what is wrong."""

from __future__ import annotations

import pytest

from dashboard.query import BadQuery, UnknownDistrict, parse_query


def test_defaults_and_scope():
    assert parse_query("").district is None
    q = parse_query("?district=310115&fit=width&kiosk=1&lang=en")
    assert q.district.name == "浦东新区" and q.fit == "width" and q.kiosk and q.lang == "en"
    assert parse_query("district=310000").district is None  # the whole city
    q = parse_query("district=浦东新区&lang=en")  # the exact name, as tokens and feeds accept
    assert q.district_code == "310115" and q.lang == "en"
    assert parse_query("district=%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA").district_code == "310115"
    assert parse_query({"district": ["黄浦区"]}).district_code == "310101"
    q = parse_query("wall=3x2&tile=5&rotate=30&screens=waste-sorting&rotate_districts=20")
    assert (q.wall.columns, q.wall.rows, q.wall.column, q.wall.row) == (3, 2, 1, 1)
    assert q.rotate_s == 30 and q.screens == ("waste-sorting",) and q.rotate_districts_s == 20


@pytest.mark.parametrize("search, error, words", [
    ("district=999999", UnknownDistrict, "unknown district '999999'"),
    ("district=浦东", UnknownDistrict, "unknown district '浦东' (expected one of the 16"),
    ("district=Pudong", UnknownDistrict, "their exact names, e.g. 310115 or 浦东新区"),
    ("fit=zoom", BadQuery, "fit: must be one of fit, width, stretch"),
    ("lang=fr", BadQuery, "lang: must be one of zh, en"),
    ("district=310115&district=310101", BadQuery, "given 2 times"),
    ("wall=2x2", BadQuery, "tile: must be 1 … 4 for wall=2x2"),
    ("wall=2x2&tile=5", BadQuery, "tile: must be 1 … 4"),
    ("wall=big&tile=1", BadQuery, "wall: must be <columns>x<rows>"),
    ("tile=2", BadQuery, "tile: only meaningful with wall"),
    ("rotate=2", BadQuery, "rotate: must be whole seconds ≥ 5"),
    ("rotate=30&screens=waste-sorting,nope", BadQuery, "screens: unknown screen 'nope'"),
    ("screens=waste-sorting", BadQuery, "a playlist needs rotate"),
    ("layout=phone", BadQuery, "layout: must be one of auto, canvas, tablet"),
])
def test_bad_values_are_explained(search, error, words):
    with pytest.raises(error) as caught:
        parse_query(search)
    assert words in str(caught.value)
    assert caught.value.status == (404 if error is UnknownDistrict else 400)
