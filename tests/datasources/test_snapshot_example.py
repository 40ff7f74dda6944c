"""The documented snapshot folder (docs/examples/snapshot, described in docs/snapshots.md) loads
with the real ``greenwall snapshot load`` into a fresh SQLite database, and the screens' reads
find what it holds; a bad file is refused naming file, line and column, loading nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from datasources.platform.schema import Base
from datasources.platform.snapshot import SnapshotStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "snapshot"
DOC = ROOT / "docs" / "snapshots.md"


def greenwall(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENWALL_")}
    return subprocess.run([sys.executable, "-m", "dashboard.cli", "--data-dir", str(data_dir),
                           *args], env=env, cwd=data_dir, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def loaded(tmp_path):
    done = greenwall(tmp_path, "snapshot", "load", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    store = SnapshotStore(f"sqlite:///{tmp_path / 'greenwall.db'}")
    yield store, done.stdout
    store.close()


def test_the_example_folder_loads_and_reads_as_a_screen_reads_it(loaded, tmp_path):
    store, said = loaded
    assert str(tmp_path / "greenwall.db") in said and "daily_weighing 16" in said
    assert [(d.adcode, d.name) for d in store.districts()] == [("310101", "黄浦区"),
                                                               ("310115", "浦东新区")]
    # 垃圾分类: stations, sites and cameras on the map, targets and history on the charts.
    assert [s.id for s in store.stations("310115")] == ["ST-310115-01", "ST-310115-02"]
    assert all(s.name.endswith("（演示）") and s.is_demo for s in store.sites())
    assert store.cameras("310115")[0].lat == pytest.approx(31.216)  # placed at its site
    assert store.targets("310101")["wet"] == 180
    assert store.targets()["dry"] == 2860  # the city: the districts' sum
    history = store.history(7, "310115")
    assert history[0].day == date(2026, 11, 27) and len(history) == 8
    assert store.quality_history(7)[-1].qualified == 398 + 4102
    assert store.entity_names()["VH-310115-002"] == "VH-310115-002"  # no plate: its id
    # 林长制: chiefs with their grids, rangers, patrol grids on the map, trees, coverage.
    assert {c.level for c in store.chiefs()} == {"city", "district", "town", "village"}
    assert [r.id for r in store.rangers("310115")] == ["RG-310115-001", "RG-310115-002"]
    assert len(store.grid_geojson("310115")["features"]) == 2
    assert store.tree_counts("310115") == {"ancient": 1, "reserve": 1}
    assert store.coverage()[-1].percent == 18.49
    # The ingest worker places the example's patrol grids and collection sites.
    master = store.master_lookup()
    assert master.grid_district("PG-310115-002") == "310115"
    assert master.trace_site("CS-310101-001") is not None


def test_loading_again_updates_rows_in_place(loaded, tmp_path):
    store, _ = loaded
    again = greenwall(tmp_path, "snapshot", "load", str(EXAMPLE))
    assert again.returncode == 0, again.stderr
    assert len(store.stations()) == 3


def test_a_bad_value_names_file_line_and_column_and_loads_nothing(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE, broken)
    weighing = broken / "daily_weighing.csv"
    lines = weighing.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("88.2", "88,2吨").replace(",88,2吨", ',"88,2吨"')
    weighing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    done = greenwall(data, "snapshot", "load", str(broken))
    assert done.returncode == 2
    assert f"{weighing}, line 4, column 'tonnes': '88,2吨' is not a number" in done.stderr
    assert "Traceback" not in done.stderr
    store = SnapshotStore(f"sqlite:///{data / 'greenwall.db'}")
    assert store.districts() == []  # all or nothing
    store.close()


def test_the_doc_describes_every_table_and_column_the_example_uses():
    text = DOC.read_text(encoding="utf-8")
    for file in sorted(EXAMPLE.glob("*.csv")):
        heading = f"### `{file.stem}.csv`"
        assert heading in text, file.stem
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        for column in Base.metadata.tables[file.stem].c:
            assert f"| `{column.name}`" in section or f", `{column.name}` |" in section, \
                f"{file.stem}.{column.name}"
