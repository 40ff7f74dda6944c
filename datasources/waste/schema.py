"""The waste-sorting (垃圾分类) part of the snapshot database: its tables and the rows read from them.

Transfer stations, collection vehicles, collection sites and their quality cameras (master
data, 主数据), daily targets, and the daily weighing and quality history (日统计).
Coordinates are WGS84.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base
from datasources.waste.feeds import WASTE_CATEGORIES

CATEGORIES: tuple[str, ...] = WASTE_CATEGORIES
"""Waste categories (湿垃圾, 干垃圾, 可回收物, 有害垃圾) as the feeds name them."""
_CATEGORY_SQL = "category IN ({})".format(", ".join(f"'{c}'" for c in CATEGORIES))


class TransferStation(Base):
    """A waste transfer station (中转站) where collection vehicles unload and are weighed."""

    __tablename__ = "transfer_stations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacity_tpd: Mapped[float | None] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(default=False)


class Vehicle(Base):
    """A collection vehicle (收运车辆) and the station it unloads at."""

    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    plate: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    station_id: Mapped[str | None] = mapped_column(ForeignKey("transfer_stations.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)


class CollectionSite(Base):
    """A collection point (收集点), served by one vehicle."""

    __tablename__ = "collection_sites"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    vehicle_id: Mapped[str | None] = mapped_column(ForeignKey("vehicles.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)


class QualityCamera(Base):
    """A wet-garbage quality camera (湿垃圾品质识别智能探头) at a collection site."""

    __tablename__ = "quality_cameras"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("collection_sites.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)


class WasteTarget(Base):
    """Daily tonnage target by category for a district, or for the city (``310000``)."""

    __tablename__ = "waste_targets"
    __table_args__ = (CheckConstraint(_CATEGORY_SQL, name="ck_waste_targets_category"),)

    # Not a foreign key: the city-wide row uses 310000, which is no district.
    district: Mapped[str] = mapped_column(String(6), primary_key=True)
    category: Mapped[str] = mapped_column(
        String(16), primary_key=True, info={"choices": CATEGORIES}
    )
    tonnes_per_day: Mapped[float] = mapped_column(Float)


class DailyWeighing(Base):
    """Tonnes weighed (车载称重) in one district on one day, by category."""

    __tablename__ = "daily_weighing"
    __table_args__ = (CheckConstraint(_CATEGORY_SQL, name="ck_daily_weighing_category"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), primary_key=True)
    category: Mapped[str] = mapped_column(
        String(16), primary_key=True, info={"choices": CATEGORIES}
    )
    tonnes: Mapped[float] = mapped_column(Float)


class DailyQuality(Base):
    """Quality-camera verdicts in one district on one day (合格 / 不合格 loads)."""

    __tablename__ = "daily_quality"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), primary_key=True)
    qualified: Mapped[int] = mapped_column(Integer)
    unqualified: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True, slots=True)
class StationRow:
    """A transfer station (中转站)."""

    id: str
    name: str
    district: str
    lat: float
    lon: float
    capacity_tpd: float | None
    is_demo: bool


@dataclass(frozen=True, slots=True)
class SiteRow:
    """A collection site (收集点) and the vehicle serving it."""

    id: str
    name: str
    district: str
    lat: float
    lon: float
    vehicle_id: str | None
    is_demo: bool


@dataclass(frozen=True, slots=True)
class VehicleRow:
    id: str
    plate: str | None
    district: str
    station_id: str | None
    is_demo: bool


@dataclass(frozen=True, slots=True)
class CameraRow:
    """A quality camera (品质识别探头); ``lat``/``lon`` are its site's, if it has one."""

    id: str
    district: str
    site_id: str | None
    lat: float | None
    lon: float | None
    is_demo: bool


class HistoryPoint(NamedTuple):
    day: date
    category: str
    tonnes: float


class QualityPoint(NamedTuple):
    day: date
    qualified: int
    unqualified: int
