"""Reads of the water-area master data (``store.water``), and what the ingest worker needs."""

from __future__ import annotations

from sqlalchemy import select

from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads
from datasources.water.schema import (
    BoatRow,
    CompanyRow,
    FactRow,
    SectionRow,
    WaterBoat,
    WaterCompany,
    WaterFact,
    WaterSection,
)


class WaterReads(DomainReads):
    """The water tables of one snapshot database (empty without sections)."""

    master_table = WaterSection

    def water_sections(self, district: str | None = None) -> list[SectionRow]:
        """The sections, by id; a district's scope holds its own."""
        s = WaterSection
        query = select(s.id, s.name, s.name_en, s.river, s.district, s.company, s.grade, s.path,
                       s.source_url, s.note, s.is_demo)
        return [SectionRow(*row) for row in self._rows(query, s.district, s.id, district)]

    def water_companies(self) -> list[CompanyRow]:
        c = WaterCompany
        with self._sessions() as session:
            return [CompanyRow(*row) for row in session.execute(
                select(c.id, c.name, c.name_en, c.source_url, c.is_demo).order_by(c.id))]

    def water_boats(self) -> list[BoatRow]:
        b = WaterBoat
        with self._sessions() as session:
            return [BoatRow(*row) for row in session.execute(
                select(b.id, b.name, b.name_en, b.section, b.is_demo).order_by(b.id))]

    def water_facts(self) -> dict[str, FactRow]:
        f = WaterFact
        with self._sessions() as session:
            return {row[0]: FactRow(*row) for row in session.execute(
                select(f.key, f.value, f.unit, f.label, f.label_en, f.source_url).order_by(f.key))}


def master_part(reads: WaterReads) -> MasterPart:
    """The registered sections and boats, and each section's district."""
    if reads.is_empty():
        return MasterPart()
    sections = reads.water_sections()
    return MasterPart(
        ids={"water_section": frozenset(s.id for s in sections),
             "water_boat": frozenset(b.id for b in reads.water_boats())},
        tables={"water_section_district": {s.id: s.district for s in sections}},
    )
