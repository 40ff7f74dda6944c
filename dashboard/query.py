"""Screen URL query parameters, validated once for the page route and the live connection."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from dashboard.districts import CITY_ADCODE, District, resolve_district


class BadQuery(ValueError):
    """A query parameter has a value greenwall cannot use (HTTP 400)."""

    status = 400


class UnknownDistrict(BadQuery):
    """``district=`` names no Shanghai district (HTTP 404)."""

    status = 404


FITS = ("fit", "width", "stretch")
LANGS = ("zh", "en")
LAYOUTS = ("auto", "canvas", "tablet")
_WALL = re.compile(r"^([1-9]\d?)x([1-9]\d?)$")
MIN_ROTATE_S = 5


@dataclass(frozen=True)
class Wall:
    """This browser shows part ``tile`` (1-based, row-major) of the canvas over C×R displays."""

    columns: int
    rows: int
    tile: int

    @property
    def column(self) -> int:
        return (self.tile - 1) % self.columns

    @property
    def row(self) -> int:
        return (self.tile - 1) // self.columns


@dataclass(frozen=True)
class ScreenQuery:
    district: District | None = None
    fit: str = "fit"
    lang: str = "zh"
    kiosk: bool = False
    layout: str = "auto"
    wall: Wall | None = None
    rotate_s: int | None = None
    screens: tuple[str, ...] = ()
    rotate_districts_s: int | None = None
    token: str | None = None

    @property
    def district_code(self) -> str | None:
        return self.district.adcode if self.district else None


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadQuery(f"{name}: given {len(values)} times, expected once")
    return values[0]


def _choice(params: Mapping[str, list[str]], name: str, choices: tuple[str, ...]) -> str:
    value = _one(params, name) or choices[0]
    if value not in choices:
        raise BadQuery(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _seconds(params: Mapping[str, list[str]], name: str) -> int | None:
    value = _one(params, name)
    if value in (None, ""):
        return None
    if not value.isdigit() or int(value) < MIN_ROTATE_S:
        raise BadQuery(f"{name}: must be whole seconds ≥ {MIN_ROTATE_S}, got {value!r}")
    return int(value)


def _wall(params: Mapping[str, list[str]]) -> Wall | None:
    spec, tile = _one(params, "wall"), _one(params, "tile")
    if spec is None:
        if tile is not None:
            raise BadQuery("tile: only meaningful with wall=<C>x<R>")
        return None
    match = _WALL.match(spec)
    if match is None:
        raise BadQuery(f"wall: must be <columns>x<rows> such as 2x2, got {spec!r}")
    columns, rows = int(match[1]), int(match[2])
    if tile is None or not tile.isdigit() or not 1 <= int(tile) <= columns * rows:
        raise BadQuery(f"tile: must be 1 … {columns * rows} for wall={spec}, got {tile!r}")
    return Wall(columns, rows, int(tile))


def _district(value: str | None) -> District | None:
    """The district named by its adcode or exact Chinese name (as tokens and feeds accept)."""
    if value in (None, "", CITY_ADCODE):
        return None
    try:
        return resolve_district(value)
    except KeyError:
        raise UnknownDistrict(
            f"district: unknown district {value!r} (expected one of the 16 Shanghai adcodes or "
            f"their exact names, e.g. 310115 or 浦东新区, or 310000 for the whole city)"
        ) from None


def _known_screens(slugs: tuple[str, ...]) -> None:
    from dashboard.registry import UnknownScreen, get_screen  # the registry loads the layouts

    for slug in slugs:
        try:
            get_screen(slug)
        except UnknownScreen:
            raise BadQuery(f"screens: unknown screen {slug!r}") from None


def parse_query(search: str | Mapping[str, list[str]]) -> ScreenQuery:
    """Parse a screen's query string; raises ``BadQuery``/``UnknownDistrict`` saying what is wrong."""
    params = parse_qs(search.lstrip("?"), keep_blank_values=True) if isinstance(search, str) \
        else search
    district = _district(_one(params, "district"))
    screens = tuple(s for s in (_one(params, "screens") or "").split(",") if s)
    _known_screens(screens)
    rotate_s = _seconds(params, "rotate")
    if screens and rotate_s is None:
        raise BadQuery("screens: a playlist needs rotate=<seconds>")
    return ScreenQuery(
        district=district,
        fit=_choice(params, "fit", FITS),
        lang=_choice(params, "lang", LANGS),
        kiosk=(_one(params, "kiosk") or "0") not in ("0", "", "false"),
        layout=_choice(params, "layout", LAYOUTS),
        wall=_wall(params),
        rotate_s=rotate_s,
        screens=screens,
        rotate_districts_s=_seconds(params, "rotate_districts"),
        token=_one(params, "token"),
    )
