"""The water-area part of the snapshot database: the river and water-surface sections (河段,
each a 责任区 kept by one company) with an approximate course, the companies, the cleaning boats
and the published figures. Coordinates are WGS84 and approximate (``path``: ``lat lon`` pairs
separated by ``;``)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

GRADES: tuple[str, ...] = ("special", "first", "district")
"""特级水域, 一级水域, 区管水域 (the 水上管理处's grades of water)."""


class WaterCompany(Base):
    """A company (or its project unit) keeping sections (保洁作业单位)."""

    __tablename__ = "water_companies"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    source_url: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class WaterSection(Base):
    """A section of a river or water surface, the 责任区 of one company."""

    __tablename__ = "water_sections"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    river: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    company: Mapped[str] = mapped_column(ForeignKey("water_companies.id"), index=True)
    grade: Mapped[str] = mapped_column(String(16), info={"choices": GRADES})
    path: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(512))
    note: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class WaterBoat(Base):
    """A cleaning boat (保洁船) with its home section."""

    __tablename__ = "water_boats"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    section: Mapped[str] = mapped_column(ForeignKey("water_sections.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(default=True)


class WaterFact(Base):
    """A published figure (tonnes of 水葫芦 in a year, …) with its source."""

    __tablename__ = "water_facts"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(128))
    label_en: Mapped[str] = mapped_column(String(128))
    source_url: Mapped[str | None] = mapped_column(String(512))


class CompanyRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    source_url: str | None
    is_demo: bool


class SectionRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    river: str
    district: str
    company: str
    grade: str
    path: str
    source_url: str | None
    note: str | None
    is_demo: bool

    def points(self) -> list[tuple[float, float]]:
        """The course as (lat, lon) points, upstream first."""
        return [(float(a), float(b)) for a, b in (p.split() for p in self.path.split(";"))]


class BoatRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    section: str
    is_demo: bool


class FactRow(NamedTuple):
    key: str
    value: str
    unit: str
    label: str
    label_en: str
    source_url: str | None
