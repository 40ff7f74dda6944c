"""The park visitor-flow (公园游客量) part of the snapshot database: key parks, their gates, and
the city's park counts by year (千园之城). Coordinates are WGS84.

A park's **capacity** is instantaneous (瞬时: people in the park at once) and daily (日), as
LB/T 034-2014 publishes them. ``capacity_basis`` says where the figure comes from: ``published``
(the park's own figure, with its source) or ``derived`` (GB 51192-2016: C = A / Am, area over
the area per visitor; see ``datasources.park.seed``). A park without either has no capacity and
no comfort band.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

CAPACITY_BASES: tuple[str, ...] = ("published", "derived")


class Park(Base):
    """A key park (重点公园) whose gates report visitor flow."""

    __tablename__ = "parks"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area_ha: Mapped[float | None] = mapped_column(Float)
    open_24h: Mapped[bool] = mapped_column(default=False)
    hours: Mapped[str | None] = mapped_column(String(32))  # "06:00-18:00"; None when open 24 h
    capacity_instant: Mapped[int | None] = mapped_column(Integer)
    capacity_daily: Mapped[int | None] = mapped_column(Integer)
    capacity_basis: Mapped[str | None] = mapped_column(String(16), info={"choices": CAPACITY_BASES})
    source_url: Mapped[str | None] = mapped_column(String(512))
    note: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class ParkGate(Base):
    """A gate (出入口) of a key park."""

    __tablename__ = "park_gates"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("parks.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))


class ParkCount(Base):
    """The city's parks in one year and category (``全部`` for the total), with its source."""

    __tablename__ = "park_counts"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    open_24h: Mapped[int | None] = mapped_column(Integer)
    source_url: Mapped[str | None] = mapped_column(String(512))


class ParkRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    district: str
    category: str
    lat: float
    lon: float
    area_ha: float | None
    open_24h: bool
    hours: str | None
    capacity_instant: int | None
    capacity_daily: int | None
    capacity_basis: str | None
    source_url: str | None
    note: str | None
    is_demo: bool


class GateRow(NamedTuple):
    id: str
    park_id: str
    name: str


class ParkCountRow(NamedTuple):
    year: int
    category: str
    count: int
    open_24h: int | None
    source_url: str | None
