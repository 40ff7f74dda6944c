"""Reads of the ring-belt master data (``store.belt``), and what the ingest worker needs of it."""

from __future__ import annotations

from sqlalchemy import select

from datasources.belt.schema import (
    BeltDevice,
    BeltFact,
    BeltPark,
    BeltParkRow,
    BeltSection,
    BeltStation,
    DeviceRow,
    FactRow,
    SectionRow,
    StationRow,
)
from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads


class BeltReads(DomainReads):
    """The belt tables of one snapshot database (empty without belt parks)."""

    master_table = BeltPark

    def belt_parks(self, district: str | None = None) -> list[BeltParkRow]:
        """The belt's parks, by id; a district's scope holds its own."""
        p = BeltPark
        query = select(p.id, p.name, p.name_en, p.district, p.status, p.opened, p.lat, p.lon,
                       p.position, p.area_ha, p.section, p.source_url, p.note, p.is_demo)
        return [BeltParkRow(*row) for row in self._rows(query, p.district, p.id, district)]

    def belt_sections(self) -> list[SectionRow]:
        s = BeltSection
        with self._sessions() as session:
            return [SectionRow(*row) for row in session.execute(
                select(s.id, s.name, s.name_en, s.contractor, s.is_demo).order_by(s.id))]

    def belt_stations(self) -> list[StationRow]:
        s = BeltStation
        with self._sessions() as session:
            return [StationRow(*row) for row in session.execute(
                select(s.id, s.name, s.park, s.lat, s.lon, s.is_demo).order_by(s.id))]

    def belt_devices(self) -> list[DeviceRow]:
        d = BeltDevice
        with self._sessions() as session:
            return [DeviceRow(*row) for row in session.execute(
                select(d.id, d.park, d.kind, d.name, d.name_en, d.is_demo).order_by(d.id))]

    def belt_facts(self) -> dict[str, FactRow]:
        f = BeltFact
        with self._sessions() as session:
            return {row[0]: FactRow(*row) for row in session.execute(
                select(f.key, f.value, f.unit, f.label, f.source_url).order_by(f.key))}


def master_part(reads: BeltReads) -> MasterPart:
    """The registered parks, devices and sections, and each park's district."""
    if reads.is_empty():
        return MasterPart()
    parks = reads.belt_parks()
    return MasterPart(
        ids={"belt_park": frozenset(p.id for p in parks),
             "belt_device": frozenset(d.id for d in reads.belt_devices()),
             "belt_section": frozenset(s.id for s in reads.belt_sections())},
        tables={"belt_park_district": {p.id: p.district for p in parks}},
    )
