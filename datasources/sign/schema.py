"""The signboard (户外招牌) part of the snapshot database: the registered large signboards
(大型招牌) with their district, kind, risk level and position, and the sensors installed on
them. Coordinates are WGS84. All rows are demo (named "…（演示）"): no per-sign register is
published; the published city figures are in ``data/SOURCE.md``.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

RISKS: tuple[str, ...] = ("high", "medium", "low")
"""高风险, 中风险, 低风险 (from the sign's age, size, structure and last safety inspection)."""
KINDS: tuple[str, ...] = ("rooftop", "wall", "pole")
"""屋顶招牌, 墙面招牌, 立柱招牌."""


class SignBoard(Base):
    """A registered large signboard."""

    __tablename__ = "sign_boards"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    kind: Mapped[str] = mapped_column(String(16), info={"choices": KINDS})
    risk: Mapped[str] = mapped_column(String(16), info={"choices": RISKS})
    area_m2: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(default=False)


class SignSensor(Base):
    """A tilt and vibration sensor on a signboard."""

    __tablename__ = "sign_sensors"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    sign: Mapped[str] = mapped_column(ForeignKey("sign_boards.id"), index=True)
    installed: Mapped[int | None] = mapped_column(Integer)  # year
    is_demo: Mapped[bool] = mapped_column(default=False)


class SignRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    district: str
    kind: str
    risk: str
    area_m2: float | None
    lat: float
    lon: float
    is_demo: bool


class SensorRow(NamedTuple):
    id: str
    sign: str
    installed: int | None
    is_demo: bool
