"""The snapshot database's shared shape: the declarative ``Base`` of every table, the districts
and notes tables, and the CSV form of any table.

Master data (主数据) and daily history (日统计) are typed SQLAlchemy 2 ORM models that work
unchanged on SQLite and PostgreSQL; each domain's tables are in its ``schema`` module.
Coordinates are WGS84; a district's ``boundary_geojson`` is a WGS84 GeoJSON geometry. A CSV
snapshot has one ``<table>.csv`` per table whose header names columns; column ``info`` may
carry ``choices``, the values such a file may put there.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Float, String, Table, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from tqdm import tqdm

from datasources.platform.feeds import IDENTIFIER_MAX


class SnapshotError(Exception):
    """Something about the snapshot database or a snapshot being loaded is wrong."""


class SnapshotLoadError(SnapshotError, ValueError):
    """A CSV snapshot cannot be loaded; names the file and, when known, line and column."""

    def __init__(self, file: Path, reason: str, line: int | None = None, column: str | None = None):
        self.file, self.reason, self.line, self.column = file, reason, line, column
        where = str(file)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")


ID_LENGTH = IDENTIFIER_MAX  # every id a feed may carry fits


class Base(DeclarativeBase):
    """The declarative base of every snapshot table, the platform's and the domains'."""


class District(Base):
    """A district (区) with its boundary; adcode ``310000`` is reserved for the city."""

    __tablename__ = "districts"

    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    boundary_geojson: Mapped[str | None] = mapped_column(Text)
    area_km2: Mapped[float | None] = mapped_column(Float)


class Meta(Base):
    """Key-value facts about the snapshot itself (when and how it was seeded or loaded)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Row types handed out by SnapshotStore's read methods: plain values, never ORM objects.


@dataclass(frozen=True, slots=True)
class DistrictRow:
    adcode: str
    name: str
    name_en: str
    area_km2: float | None


# CSV snapshots: one <table>.csv per table, header = column names.

_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})
_BATCH = 1000


class CsvTable:
    """One ``<table>.csv`` being checked and upserted into ``table``."""

    def __init__(self, conn: Connection, table: Table, file: Path):
        self.conn, self.table, self.file = conn, table, file
        self._parents: dict[str, set[Any]] = {}

    def load(self, progress: bool) -> int:
        """Check and upsert every row; returns how many. Raises ``SnapshotLoadError``."""
        try:
            with self.file.open(encoding="utf-8-sig", newline="") as fh:
                total = max(sum(1 for _ in fh) - 1, 0)
                fh.seek(0)
                bar = tqdm(total=total, desc=self.table.name, unit="row", disable=not progress)
                with bar:
                    return self._load_rows(csv.reader(fh), bar)
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 ({exc.reason}); save it as 'CSV UTF-8'"
            raise SnapshotLoadError(self.file, reason) from None

    def _load_rows(self, reader: Any, bar: tqdm) -> int:
        header = self._header(next(reader, None))
        pk = [c.name for c in self.table.primary_key]
        batch: dict[tuple, dict[str, Any]] = {}
        count = 0
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                row = self._row(header, values, reader.line_num)
                batch[tuple(row[c] for c in pk)] = row  # a repeated key: the last row wins
                count += 1
                bar.update(1)
                if len(batch) >= _BATCH:
                    self._upsert(header, list(batch.values()))
                    batch.clear()
        except csv.Error as exc:
            raise SnapshotLoadError(self.file, f"malformed CSV: {exc}", reader.line_num) from None
        if batch:
            self._upsert(header, list(batch.values()))
        return count

    def _header(self, header: list[str] | None) -> list[str]:
        if not header:
            raise SnapshotLoadError(self.file, "empty file: expected a header of column names", 1)
        header = [h.strip() for h in header]
        for name in header:
            if name not in self.table.c:
                known = ", ".join(self.table.c.keys())
                raise SnapshotLoadError(self.file, f"unknown column (known: {known})", 1, name)
        for column in self.table.c:
            required = not column.nullable and column.default is None
            if required and column.name not in header:
                raise SnapshotLoadError(self.file, "required column missing", 1, column.name)
        return header

    def _row(self, header: list[str], values: list[str], line: int) -> dict[str, Any]:
        if len(values) != len(header):
            raise SnapshotLoadError(
                self.file, f"{len(values)} fields, but the header has {len(header)}", line
            )
        row = {}
        for name, raw in zip(header, values, strict=True):
            try:
                row[name] = self._value(self.table.c[name], raw.strip())
            except ValueError as exc:
                raise SnapshotLoadError(self.file, str(exc), line, name) from None
        return row

    def _value(self, column: Any, raw: str) -> Any:
        if raw == "":
            if not column.nullable:
                raise ValueError("a value is required")
            return None
        kind = column.type.python_type
        if kind is bool:
            if raw.lower() not in _TRUE | _FALSE:
                raise ValueError(f"{raw!r} is not a boolean (true/false/1/0)")
            value: Any = raw.lower() in _TRUE
        elif kind is date:
            try:
                value = date.fromisoformat(raw)
            except ValueError:
                raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
        elif kind in (int, float):
            try:
                value = kind(raw)
            except ValueError:
                expected = "an integer" if kind is int else "a number"
                raise ValueError(f"{raw!r} is not {expected}") from None
            if not math.isfinite(value):
                raise ValueError(f"{raw!r} is not a finite number")
        else:
            value = raw
            length = getattr(column.type, "length", None)
            if length and len(raw) > length:
                raise ValueError(f"{len(raw)} characters, at most {length} allowed")
        choices = column.info.get("choices")
        if choices and value not in choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(choices)}")
        for fk in column.foreign_keys:
            if value not in self._parent_keys(fk.column):
                raise ValueError(f"{raw!r} not found in {fk.column.table.name}.{fk.column.name}")
        return value

    def _parent_keys(self, column: Any) -> set[Any]:
        key = f"{column.table.name}.{column.name}"
        if key not in self._parents:
            self._parents[key] = set(self.conn.scalars(select(column)))
        return self._parents[key]

    def _upsert(self, header: list[str], rows: list[dict[str, Any]]) -> None:
        dialect = self.conn.dialect.name
        if dialect == "postgresql":
            stmt = postgresql.insert(self.table)
        elif dialect == "sqlite":
            stmt = sqlite.insert(self.table)
        else:
            raise SnapshotError(f"CSV snapshots load into SQLite or PostgreSQL, not {dialect}")
        pk = [c.name for c in self.table.primary_key]
        update = {name: stmt.excluded[name] for name in header if name not in pk}
        if update:
            stmt = stmt.on_conflict_do_update(index_elements=pk, set_=update)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=pk)
        self.conn.execute(stmt, rows)
