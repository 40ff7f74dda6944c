"""Screens are data: typed specs registered once, read by routing, the index page and tests."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class ScreenSpec:
    """A command screen: a fixed design canvas laid out as a grid of tiles."""

    slug: str
    title: str
    title_en: str
    description: str
    tiles: tuple[TileSpec, ...]
    canvas: tuple[int, int] = (1920, 1080)
    grid: tuple[int, int] = (24, 12)
    # Render sizes the design is made for; a wall shows the largest, each part at 1:1 pixels.
    canvases: tuple[tuple[int, int], ...] = ((1920, 1080), (3840, 2160))
    feeds: tuple[str, ...] = field(default=())

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


_SCREENS: dict[str, ScreenSpec] = {}


def register_screen(spec: ScreenSpec) -> ScreenSpec:
    """Add a screen to the registry; a second screen with the same slug is an error."""
    if spec.slug in _SCREENS and _SCREENS[spec.slug] is not spec:
        raise ValueError(f"screen {spec.slug!r} registered twice")
    _SCREENS[spec.slug] = spec
    return spec


def screens() -> list[ScreenSpec]:
    """Every registered screen, in registration order."""
    _load_builtin_screens()
    return list(_SCREENS.values())


def get_screen(slug: str) -> ScreenSpec:
    _load_builtin_screens()
    try:
        return _SCREENS[slug]
    except KeyError:
        raise UnknownScreen(slug) from None


def _load_builtin_screens() -> None:
    # Importing a screen module registers its spec; kept lazy so the registry has no import cycle.
    import layouts.screens  # noqa: F401
