"""Reads of the signboard master data (``store.sign``), and what the ingest worker needs of it."""

from __future__ import annotations

from sqlalchemy import select

from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads
from datasources.sign.schema import SensorRow, SignBoard, SignRow, SignSensor


class SignReads(DomainReads):
    """The sign tables of one snapshot database (empty without signboards)."""

    master_table = SignBoard

    def sign_boards(self, district: str | None = None) -> list[SignRow]:
        """The registered large signboards, by id; a district's scope holds its own."""
        s = SignBoard
        query = select(s.id, s.name, s.name_en, s.district, s.kind, s.risk, s.area_m2, s.lat,
                       s.lon, s.is_demo)
        return [SignRow(*row) for row in self._rows(query, s.district, s.id, district)]

    def sign_sensors(self) -> list[SensorRow]:
        """Every installed sensor, by id."""
        s = SignSensor
        with self._sessions() as session:
            return [SensorRow(*row) for row in session.execute(
                select(s.id, s.sign, s.installed, s.is_demo).order_by(s.id))]


def master_part(reads: SignReads) -> MasterPart:
    """The registered signboards and sensors, and each sign's district."""
    if reads.is_empty():
        return MasterPart()
    signs = reads.sign_boards()
    return MasterPart(
        ids={"sign_board": frozenset(s.id for s in signs),
             "sign_sensor": frozenset(s.id for s in reads.sign_sensors())},
        tables={"sign_district": {s.id: s.district for s in signs}},
    )
