"""Named video walls: loaded from TOML, each display sent to its screen, scope and part."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasources.platform.snapshot import SnapshotStore
from datasources.platform.walls import UnknownWall, WallError, load_wall_file, wall_display

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "command-centre.toml"
SCREENS = {"waste-sorting", "forest-chief"}


@pytest.fixture
def store(tmp_path):
    store = SnapshotStore(f"sqlite:///{tmp_path / 'walls.db'}")
    store.create_schema()
    yield store
    store.close()


def test_the_example_wall_loads_and_each_display_knows_its_url(store):
    assert load_wall_file(store, EXAMPLE, SCREENS) == "command-centre"
    assert wall_display(store, "command-centre", 1).url() == \
        "/screens/waste-sorting?kiosk=1&wall=2x2&tile=1"
    assert wall_display(store, "command-centre", 6).url() == \
        "/screens/waste-sorting?kiosk=1&wall=2x2&tile=4"
    assert wall_display(store, "command-centre", 3).url() == \
        "/screens/waste-sorting?kiosk=1&district=310115"
    with pytest.raises(UnknownWall, match="has no display 9"):
        wall_display(store, "command-centre", 9)
    with pytest.raises(UnknownWall, match="no wall named 'lobby'"):
        wall_display(store, "lobby", 1)


def test_reloading_a_wall_replaces_its_displays(store, tmp_path):
    load_wall_file(store, EXAMPLE, SCREENS)
    smaller = tmp_path / "cc.toml"
    smaller.write_text('name = "command-centre"\ncolumns = 1\nrows = 1\n'
                       '[[display]]\nn = 1\nscreen = "waste-sorting"\ndistrict = "310104"\n')
    load_wall_file(store, smaller, SCREENS)
    assert wall_display(store, "command-centre", 1).district == "310104"
    with pytest.raises(UnknownWall):
        wall_display(store, "command-centre", 3)


@pytest.mark.parametrize("body, words", [
    ('name = "Bad Name"\ncolumns = 1\nrows = 1', "name must be lower-case"),
    ('name = "w"\ncolumns = 0\nrows = 1', "columns and rows must be whole numbers"),
    ('name = "w"\ncolumns = 1\nrows = 1\n[[display]]\nn = 2\nscreen = "waste-sorting"',
     "display 2: n must be 1 … 1"),
    ('name = "w"\ncolumns = 1\nrows = 1\n[[display]]\nn = 1\nscreen = "nope"', "unknown screen"),
    ('name = "w"\ncolumns = 1\nrows = 1\n[[display]]\nn = 1\nscreen = "waste-sorting"\n'
     'district = "999999"', "unknown district"),
    ('name = "w"\ncolumns = 2\nrows = 1\n[[display]]\nn = 1\nscreen = "waste-sorting"\n'
     'part = "2x1:3"', "part must look like"),
    ("name = ", "w.toml"),
])
def test_a_bad_wall_file_is_explained(store, tmp_path, body, words):
    path = tmp_path / "w.toml"
    path.write_text(body)
    with pytest.raises(WallError, match=words):
        load_wall_file(store, path, SCREENS)
