"""The ring-belt (环城生态公园带) part of the snapshot database: the belt's 50 parks with their
status and opening year, its sections (标段) and their maintenance contractors, its 驿站, the
devices of its parks and the belt's published figures (projects are known from their feed).
Coordinates are WGS84; ``position`` says whether a park's is ``published`` or ``approximate``.

An open belt park is also a park of the visitor-flow domain (``parks``, same id): its gates
report on ``park.gate``, and the belt's seed puts it there.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

PARK_STATUSES: tuple[str, ...] = ("planning", "building", "open")
"""前期, 在建, 已开放."""
POSITIONS: tuple[str, ...] = ("published", "approximate")


class BeltSection(Base):
    """A section (标段) of the belt, kept by one maintenance contractor."""

    __tablename__ = "belt_sections"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    contractor: Mapped[str] = mapped_column(String(128))
    is_demo: Mapped[bool] = mapped_column(default=False)


class BeltPark(Base):
    """One of the belt's parks."""

    __tablename__ = "belt_parks"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    status: Mapped[str] = mapped_column(String(16), info={"choices": PARK_STATUSES})
    opened: Mapped[int | None] = mapped_column(Integer)  # year; None: before 2023, not found
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    position: Mapped[str] = mapped_column(String(16), info={"choices": POSITIONS})
    area_ha: Mapped[float | None] = mapped_column(Float)
    section: Mapped[str] = mapped_column(ForeignKey("belt_sections.id"), index=True)
    source_url: Mapped[str | None] = mapped_column(String(512))
    note: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class BeltStation(Base):
    """A 驿站 (环城驿) along the belt."""

    __tablename__ = "belt_stations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    park: Mapped[str] = mapped_column(ForeignKey("belt_parks.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(default=False)


class BeltDevice(Base):
    """A device in a belt park (camera, video tower, light, toilet, sensor, …)."""

    __tablename__ = "belt_devices"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    park: Mapped[str] = mapped_column(ForeignKey("belt_parks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    is_demo: Mapped[bool] = mapped_column(default=False)


class BeltFact(Base):
    """A published figure of the belt (length, green way, 驿站 planned, …) with its source."""

    __tablename__ = "belt_facts"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(String(512))


class BeltParkRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    district: str
    status: str
    opened: int | None
    lat: float
    lon: float
    position: str
    area_ha: float | None
    section: str
    source_url: str | None
    note: str | None
    is_demo: bool


class SectionRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    contractor: str
    is_demo: bool


class StationRow(NamedTuple):
    id: str
    name: str
    park: str
    lat: float
    lon: float
    is_demo: bool


class DeviceRow(NamedTuple):
    id: str
    park: str
    kind: str
    name: str
    name_en: str | None
    is_demo: bool


class FactRow(NamedTuple):
    key: str
    value: str
    unit: str
    label: str
    source_url: str | None
