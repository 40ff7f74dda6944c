"""Screens are data: typed specs, found once by ``dashboard.discovery`` and read by routing,
navigation, the index page, rotation, export and tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.theme import CANVAS_4K, CANVAS_FHD


class UnknownScreen(LookupError):
    """No screen is registered under this slug."""


@dataclass(frozen=True)
class GridPos:
    """A tile's place on the screen's design grid (columns × rows, from 0)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Band:
    """A tone from a threshold up: a value of ``at_least`` or more reads as ``tone``
    ("good", "warn" or "bad")."""

    at_least: float
    tone: str


@dataclass(frozen=True)
class Larger:
    """A larger unit from a threshold up: a value of ``at_least`` or more is divided by
    ``per`` and shown in ``unit`` (hours from 48 on as days: ``Larger(48, 24, "天")``)."""

    at_least: float
    per: float
    unit: str


@dataclass(frozen=True)
class Format:
    """How a tile shows one metric's raw value: ``decimals`` after the point (thousands are
    grouped), its ``unit`` (a Chinese label, translated like any label), a ``percent`` share
    (0–1, shown ×100 with "%" and no unit), a ``larger`` unit for big values, and ``bands``,
    highest first: the first band the value reaches gives its tone (no band reached, no tone)."""

    decimals: int = 0
    unit: str = ""
    percent: bool = False
    larger: Larger | None = None
    bands: tuple[Band, ...] = ()


PLAIN = Format()


@dataclass(frozen=True)
class TileSpec:
    """One tile: what it shows (kind, metrics), where (pos), and which feed keeps it fresh."""

    key: str
    kind: str
    title: str
    title_en: str
    pos: GridPos
    feed: str | None = None
    metrics: tuple[str, ...] = ()
    note: str = ""
    # How each metric reads, by ``data-metric`` key; a family of keys (one per district) is
    # written once with a placeholder last part, ``waste.qualified_rate.<adcode>``. A metric
    # without one is a whole number without unit.
    formats: Mapping[str, Format] = field(default_factory=dict, compare=False)

    def format_of(self, metric: str) -> Format:
        """The format of ``metric``: its own, else its family's, else ``PLAIN``."""
        if metric in self.formats:
            return self.formats[metric]
        family, _, _ = metric.rpartition(".")
        for key, fmt in self.formats.items():
            prefix, _, last = key.rpartition(".")
            if prefix == family and last.startswith("<") and last.endswith(">"):
                return fmt
        return PLAIN


@dataclass(frozen=True)
class ScreenSpec:
    """A command screen: a fixed design canvas laid out as a grid of tiles."""

    slug: str
    title: str
    title_en: str
    description: str
    tiles: tuple[TileSpec, ...]
    canvas: tuple[int, int] = CANVAS_FHD
    grid: tuple[int, int] = (24, 12)
    # Render sizes the design is made for; a wall shows the largest, each part at 1:1 pixels.
    canvases: tuple[tuple[int, int], ...] = (CANVAS_FHD, CANVAS_4K)
    feeds: tuple[str, ...] = field(default=())
    # The screen's own vocabulary, Chinese → English: its labels, units, notes and the
    # templates of its composed texts (``dashboard.i18n``: looked up before the shared words).
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)

    def tile(self, key: str) -> TileSpec:
        for tile in self.tiles:
            if tile.key == key:
                return tile
        raise KeyError(f"{self.slug} has no tile {key!r}")

    def render_canvas(self, on_wall: bool) -> tuple[int, int]:
        """The canvas drawn: the design size, or on a video wall the largest declared size."""
        if not on_wall:
            return self.canvas
        return max(self.canvases, key=lambda size: size[0] * size[1])

    def tile_ref(self, tile: TileSpec) -> str:
        """The tile's stable DOM name, ``<slug>.<tile>`` (the ``data-tile`` attribute)."""
        return f"{self.slug}.{tile.key}"


# One screen's data: ``payload(sources, district)`` → ``{tile key: TileData}`` (callbacks/<screen>.py).
PayloadBuilder = Callable[[Any, str | None], dict[str, Any]]

_SCREENS: dict[str, ScreenSpec] = {}


class ScreensNotLoaded(RuntimeError):
    """The registry was read before ``dashboard.discovery.discover()`` filled it."""


def load(specs: Iterable[ScreenSpec]) -> None:
    """Fill the registry with the discovered screens, in order (``dashboard.discovery``)."""
    specs = list(specs)
    slugs = [s.slug for s in specs]
    twice = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if twice:
        raise ValueError(f"screens registered twice: {', '.join(twice)}")
    _SCREENS.clear()
    _SCREENS.update((s.slug, s) for s in specs)


def screens() -> list[ScreenSpec]:
    """Every screen, in discovery order."""
    if not _SCREENS:
        raise ScreensNotLoaded("no screens loaded: call dashboard.discovery.discover() first")
    return list(_SCREENS.values())


def get_screen(slug: str) -> ScreenSpec:
    try:
        return _SCREENS[slug]
    except KeyError:
        if not _SCREENS:
            raise ScreensNotLoaded("no screens loaded: call dashboard.discovery.discover() "
                                   "first") from None
        raise UnknownScreen(slug) from None
