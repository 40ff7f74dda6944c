"""Named video walls (拼接屏): which screen, scope and part each display of a wall shows.

A wall is described in a TOML file and loaded into the snapshot database::

    name = "command-centre"
    title = "指挥中心大屏"
    columns = 4            # displays across
    rows = 2               # displays down

    [[display]]            # displays 1 and 2 together show waste-sorting at 3840×2160 …
    n = 1
    screen = "waste-sorting"
    part = "2x1:1"         # … this one part 1 of a 2×1 split of that canvas
    [[display]]
    n = 2
    screen = "waste-sorting"
    part = "2x1:2"
    [[display]]
    n = 3
    screen = "waste-sorting"
    district = "310115"    # one district on its own display

``/walls/<name>?display=<n>`` sends display n to its screen in kiosk mode.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from sqlalchemy import ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.districts import BY_ADCODE, CITY_ADCODE
from datasources.platform.schema import Base

if TYPE_CHECKING:
    from datasources.platform.snapshot import SnapshotStore

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PART = re.compile(r"^([1-9])x([1-9]):([1-9]\d?)$")


class WallError(ValueError):
    """A wall file or wall request that cannot be used; the message says why."""


class UnknownWall(WallError):
    """No such wall, or no such display on it (HTTP 404)."""


class WallRecord(Base):
    __tablename__ = "walls"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    columns: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)


class WallDisplayRecord(Base):
    __tablename__ = "wall_displays"

    wall: Mapped[str] = mapped_column(ForeignKey("walls.name", ondelete="CASCADE"),
                                      primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    screen: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(6))
    part: Mapped[str | None] = mapped_column(String(16))


@dataclass(frozen=True)
class WallDisplay:
    wall: str
    n: int
    screen: str
    district: str | None
    part: str | None

    def url(self) -> str:
        """The screen URL this display shows: kiosk mode, its scope, its part of the canvas."""
        query: dict[str, str] = {"kiosk": "1"}
        if self.district:
            query["district"] = self.district
        if self.part:
            match = _PART.match(self.part)
            assert match is not None  # checked when loaded
            query["wall"] = f"{match[1]}x{match[2]}"
            query["tile"] = match[3]
        return f"/screens/{self.screen}?{urlencode(query)}"


def _display(wall: str, raw: dict, slots: int, screens: set[str]) -> WallDisplayRecord:
    where = f"display {raw.get('n', '?')}"
    n = raw.get("n")
    if not isinstance(n, int) or not 1 <= n <= slots:
        raise WallError(f"{where}: n must be 1 … {slots}")
    screen = raw.get("screen")
    if screen not in screens:
        raise WallError(f"{where}: unknown screen {screen!r} (known: {', '.join(sorted(screens))})")
    district = raw.get("district")
    if district is not None and str(district) != CITY_ADCODE and str(district) not in BY_ADCODE:
        raise WallError(f"{where}: unknown district {district!r}")
    part = raw.get("part")
    if part is not None:
        match = _PART.match(str(part))
        if match is None or not 1 <= int(match[3]) <= int(match[1]) * int(match[2]):
            raise WallError(f"{where}: part must look like 2x1:1 (columns x rows : part), got {part!r}")
    return WallDisplayRecord(wall=wall, n=n, screen=screen,
                             district=None if district in (None, CITY_ADCODE) else str(district),
                             part=None if part is None else str(part))


def load_wall_file(store: SnapshotStore, path: Path, screens: set[str]) -> str:
    """Load (or replace) the wall described in a TOML file; its name."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WallError(f"{path}: {error}") from None
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise WallError(f"{path}: name must be lower-case letters, digits and '-', got {name!r}")
    columns, rows = data.get("columns"), data.get("rows")
    if not all(isinstance(v, int) and 1 <= v <= 16 for v in (columns, rows)):
        raise WallError(f"{path}: columns and rows must be whole numbers 1 … 16")
    displays = [_display(name, raw, columns * rows, screens) for raw in data.get("display", [])]
    if len({d.n for d in displays}) != len(displays):
        raise WallError(f"{path}: a display number is given twice")
    with store.session() as session:
        session.execute(delete(WallDisplayRecord).where(WallDisplayRecord.wall == name))
        session.merge(WallRecord(name=name, title=str(data.get("title", name)), columns=columns,
                                 rows=rows))
        session.flush()
        session.add_all(displays)
    return name


def wall_display(store: SnapshotStore, name: str, n: int) -> WallDisplay:
    """What display ``n`` of wall ``name`` shows; ``UnknownWall`` if there is no such thing."""
    with store.session() as session:
        row = session.scalar(select(WallDisplayRecord).where(
            WallDisplayRecord.wall == name, WallDisplayRecord.n == n))
        if row is None:
            known = session.get(WallRecord, name)
            raise UnknownWall(f"wall {name!r} has no display {n}" if known
                              else f"no wall named {name!r} (load one with `greenwall wall load`)")
        return WallDisplay(row.wall, row.n, row.screen, row.district, row.part)
