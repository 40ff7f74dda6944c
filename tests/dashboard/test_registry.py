"""Every registered screen is a valid spec: it builds, its IDs are unique, its tiles fit."""

from __future__ import annotations

import itertools

import pytest

from dashboard.registry import UnknownScreen, get_screen, screens
from layouts.kinds import KINDS


def test_the_contract_screens_are_registered():
    slugs = {s.slug for s in screens()}
    assert "waste-sorting" in slugs
    with pytest.raises(UnknownScreen):
        get_screen("no-such-screen")


@pytest.mark.parametrize("spec", screens(), ids=lambda s: s.slug)
def test_tiles_fit_the_grid_without_overlap(spec):
    columns, rows = spec.grid
    cells: dict[tuple[int, int], str] = {}
    for tile in spec.tiles:
        assert tile.kind in KINDS, f"{tile.key}: unknown kind {tile.kind}"
        p = tile.pos
        assert p.x >= 0 and p.y >= 0 and p.w > 0 and p.h > 0
        assert p.x + p.w <= columns and p.y + p.h <= rows, f"{tile.key} leaves the canvas"
        for cell in itertools.product(range(p.x, p.x + p.w), range(p.y, p.y + p.h)):
            assert cell not in cells, f"{tile.key} overlaps {cells[cell]} at {cell}"
            cells[cell] = tile.key
    assert len({t.key for t in spec.tiles}) == len(spec.tiles)
