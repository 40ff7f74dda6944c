"""The forest-chief (林长制) part of the snapshot database: its tables and the rows read from them.

The "two grids" of the 1+2+5 platform: the chief-duty grid (林长履职网格, ``duty_grids``, one per
chief, nested 市 → 区 → 镇街 → 村居) and the patrol-responsibility grid (巡护责任网格,
``patrol_grids``, H3 cells clipped to the districts, each in one village-level duty grid).
Rangers (护林员) answer for a village duty grid; the ancient and famous tree register (古树名木)
places each tree in a patrol grid. Coordinates are WGS84.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

CHIEF_LEVELS: tuple[str, ...] = ("city", "district", "town", "village")
"""林长 levels: 市级, 区级, 镇（街道）级, 村（居）级."""
TREE_KINDS: tuple[str, ...] = ("ancient", "reserve")
"""古树名木 (registered ancient and famous trees) and 古树后续资源 (reserve trees)."""


class ForestChief(Base):
    """A forest chief (林长) at one level; ``district`` is ``310000`` for the city chief."""

    __tablename__ = "forest_chiefs"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16), info={"choices": CHIEF_LEVELS})
    # Not a foreign key: the city chief's scope is 310000, which is no district.
    district: Mapped[str] = mapped_column(String(6), index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)


class DutyGrid(Base):
    """A chief-duty grid (林长履职网格): what one chief answers for; nested by ``parent_id``."""

    __tablename__ = "duty_grids"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16), info={"choices": CHIEF_LEVELS})
    district: Mapped[str] = mapped_column(String(6), index=True)
    # A plain id, not a foreign key, so that a CSV may list children before parents.
    parent_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    chief_id: Mapped[str] = mapped_column(ForeignKey("forest_chiefs.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)


class PatrolGrid(Base):
    """A patrol-responsibility grid cell (巡护责任网格), inside one village duty grid."""

    __tablename__ = "patrol_grids"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    duty_grid_id: Mapped[str] = mapped_column(ForeignKey("duty_grids.id"), index=True)
    h3_cell: Mapped[str | None] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float] = mapped_column(Float)
    boundary_geojson: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(default=False)


class Ranger(Base):
    """A forest ranger (护林员), patrolling the patrol grids of one village duty grid."""

    __tablename__ = "rangers"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    duty_grid_id: Mapped[str] = mapped_column(ForeignKey("duty_grids.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)


class AncientTree(Base):
    """An ancient or famous tree (古树名木), or a reserve tree (古树后续资源), in the register."""

    __tablename__ = "ancient_trees"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    species: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), info={"choices": TREE_KINDS})
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    grid_id: Mapped[str | None] = mapped_column(ForeignKey("patrol_grids.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(default=False)


class ForestCoverage(Base):
    """Forest coverage (森林覆盖率) of the city in one year, with its published source."""

    __tablename__ = "forest_coverage"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    percent: Mapped[float] = mapped_column(Float)
    source_url: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class ChiefRow:
    """A forest chief (林长) with the duty grid (履职网格) they answer for."""

    id: str
    name: str
    level: str
    district: str
    duty_grid_id: str
    duty_grid_name: str
    parent_grid_id: str | None
    is_demo: bool


@dataclass(frozen=True, slots=True)
class PatrolGridRow:
    """A patrol grid (巡护网格) without its boundary."""

    id: str
    district: str
    duty_grid_id: str
    lat: float
    lon: float
    area_km2: float


@dataclass(frozen=True, slots=True)
class RangerRow:
    """A ranger (护林员) and the village duty grid they patrol."""

    id: str
    name: str
    district: str
    duty_grid_id: str
    is_demo: bool


@dataclass(frozen=True, slots=True)
class TreeRow:
    """An entry of the ancient-tree register (古树名木)."""

    id: str
    name: str
    species: str
    kind: str
    district: str
    grid_id: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """Forest coverage in percent, city-wide, by year, with its source."""

    year: int
    percent: float
    source_url: str
    note: str | None
