"""CSV export of a tile's data: its kind's table (``TileKind.table``), UTF-8 with a BOM so Excel
reads it.

Numbers are written exactly as the page's ``data-value`` attributes carry them (plain, no
units or separators), so a cell in the file equals the number on the screen it came from.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import quote

from dashboard.districts import BY_ADCODE
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import Cell, Table, TileData, get_kind, raw

BOM = "\ufeff"
# A text cell starting with one of these is a formula to Excel: feed text must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def tile_table(tile: TileSpec, data: TileData) -> Table:
    """The table behind one tile, drawn by its kind (``UnknownKind``, a ``LookupError``, for a
    kind that does not exist)."""
    kind = get_kind(tile.kind)
    return kind.table(tile, kind.content(tile, data))


# ---- the file ------------------------------------------------------------------------------


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return raw(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM and CRLF line ends (RFC 4180), as Excel opens it without asking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_cell(c) for c in row] for row in table.rows)
    return (BOM + out.getvalue()).encode("utf-8")


def content_disposition(spec: ScreenSpec, tile: TileSpec, district: str | None, day: date) -> str:
    """``attachment`` with an ASCII ``filename`` and the Chinese one as RFC 5987 ``filename*``."""
    scope = BY_ADCODE[district].name if district in BY_ADCODE else "全市"
    name = _UNSAFE_IN_FILENAME.sub("_", f"{spec.title}-{tile.title}-{scope}-{day:%Y-%m-%d}.csv")
    fallback = f"{spec.slug}-{tile.key}-{district or 'city'}-{day:%Y-%m-%d}.csv"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
