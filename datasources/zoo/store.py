"""Reads of the zoo master data (``store.zoo``), and what the ingest worker needs of it."""

from __future__ import annotations

from sqlalchemy import select

from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads
from datasources.zoo.schema import (
    AreaRow,
    DietRow,
    EnclosureRow,
    KeeperRow,
    SpeciesRow,
    ZooArea,
    ZooDiet,
    ZooEnclosure,
    ZooFact,
    ZooFactRow,
    ZooKeeper,
    ZooSpecies,
)


class ZooReads(DomainReads):
    """The zoo tables of one snapshot database (empty without enclosures)."""

    master_table = ZooEnclosure

    def zoo_areas(self) -> list[AreaRow]:
        a = ZooArea
        with self._sessions() as session:
            return [AreaRow(*row) for row in session.execute(
                select(a.id, a.name, a.name_en, a.is_demo).order_by(a.id))]

    def zoo_enclosures(self, district: str | None = None) -> list[EnclosureRow]:
        """The houses, by id; a district's scope holds its own."""
        e = ZooEnclosure
        query = select(e.id, e.name, e.name_en, e.area, e.district, e.t_min, e.t_max, e.h_min,
                       e.h_max, e.is_demo)
        return [EnclosureRow(*row) for row in self._rows(query, e.district, e.id, district)]

    def zoo_species(self) -> list[SpeciesRow]:
        s = ZooSpecies
        with self._sessions() as session:
            return [SpeciesRow(*row) for row in session.execute(
                select(s.id, s.name, s.name_en, s.protection, s.enclosure, s.heads).order_by(s.id))]

    def zoo_diets(self) -> list[DietRow]:
        d = ZooDiet
        with self._sessions() as session:
            return [DietRow(*row) for row in session.execute(
                select(d.species, d.food, d.kg_per_day, d.feeds_per_day)
                .order_by(d.species, d.food))]

    def zoo_keepers(self) -> list[KeeperRow]:
        k = ZooKeeper
        with self._sessions() as session:
            return [KeeperRow(*row) for row in session.execute(
                select(k.id, k.name, k.area).order_by(k.id))]

    def zoo_facts(self) -> dict[str, ZooFactRow]:
        f = ZooFact
        with self._sessions() as session:
            return {row[0]: ZooFactRow(*row) for row in session.execute(
                select(f.key, f.value, f.unit, f.label, f.source_url).order_by(f.key))}


def master_part(reads: ZooReads) -> MasterPart:
    """The registered enclosures and species, each enclosure's district, and the diet plans."""
    if reads.is_empty():
        return MasterPart()
    enclosures = reads.zoo_enclosures()
    return MasterPart(
        ids={"zoo_enclosure": frozenset(e.id for e in enclosures),
             "zoo_species": frozenset(s.id for s in reads.zoo_species())},
        tables={"zoo_enclosure_district": {e.id: e.district for e in enclosures},
                "zoo_diet": {f"{d.species}|{d.food}": str(d.kg_per_day)
                             for d in reads.zoo_diets()}},
    )
