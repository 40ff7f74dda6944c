"""The zoo (上海动物园) part of the snapshot database: its animal areas (展区), houses and
exhibits (馆舍) with their sensors' temperature and humidity ranges, the species kept with
their national protection class, a diet plan per species, keepers, and the zoo's published
figures. Sources: ``data/SOURCE.md``."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datasources.platform.schema import ID_LENGTH, Base

PROTECTION: tuple[str, ...] = ("first", "second", "cites", "none")
"""国家一级, 国家二级, CITES 附录（境外物种）, 非重点保护."""


class ZooArea(Base):
    """An animal area (展区) of the zoo."""

    __tablename__ = "zoo_areas"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    source_url: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class ZooEnclosure(Base):
    """A house or exhibit (馆舍) with the range its sensors must read within."""

    __tablename__ = "zoo_enclosures"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    area: Mapped[str] = mapped_column(ForeignKey("zoo_areas.id"), index=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    t_min: Mapped[float] = mapped_column(Float)
    t_max: Mapped[float] = mapped_column(Float)
    h_min: Mapped[float] = mapped_column(Float)
    h_max: Mapped[float] = mapped_column(Float)
    source_url: Mapped[str | None] = mapped_column(String(512))
    is_demo: Mapped[bool] = mapped_column(default=False)


class ZooSpecies(Base):
    """A species kept at the zoo, its protection class and house; ``heads`` is demo."""

    __tablename__ = "zoo_species"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    protection: Mapped[str] = mapped_column(String(8), info={"choices": PROTECTION})
    enclosure: Mapped[str] = mapped_column(ForeignKey("zoo_enclosures.id"), index=True)
    heads: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str | None] = mapped_column(String(512))


class ZooDiet(Base):
    """One food of a species' diet plan (demo): kilograms a day, feedings a day."""

    __tablename__ = "zoo_diets"

    species: Mapped[str] = mapped_column(ForeignKey("zoo_species.id"), primary_key=True)
    food: Mapped[str] = mapped_column(String(64), primary_key=True)
    kg_per_day: Mapped[float] = mapped_column(Float)
    feeds_per_day: Mapped[int] = mapped_column(Integer)


class ZooKeeper(Base):
    """A keeper (饲养员) of an area (demo)."""

    __tablename__ = "zoo_keepers"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    area: Mapped[str] = mapped_column(ForeignKey("zoo_areas.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(default=True)


class ZooFact(Base):
    """A published figure of the zoo with its source."""

    __tablename__ = "zoo_facts"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(String(512))


class AreaRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    is_demo: bool


class EnclosureRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    area: str
    district: str
    t_min: float
    t_max: float
    h_min: float
    h_max: float
    is_demo: bool


class SpeciesRow(NamedTuple):
    id: str
    name: str
    name_en: str | None
    protection: str
    enclosure: str
    heads: int


class DietRow(NamedTuple):
    species: str
    food: str
    kg_per_day: float
    feeds_per_day: int


class KeeperRow(NamedTuple):
    id: str
    name: str
    area: str


class ZooFactRow(NamedTuple):
    key: str
    value: str
    unit: str
    label: str
    source_url: str | None
