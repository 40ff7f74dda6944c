"""林长制 forest-chief screen: master data in memory, the map tile, and the grid info panel.

The map shades patrol grids (巡护网格) by today's visits, districts by their current fire
danger (森林火险等级) and marks open cases by scenario. Clicking a grid fills the info panel
with the chiefs who answer for it (村居 → 镇街 → 区 → 市), its rangers and its open cases;
clicking a district's name scopes the screen (the navigation callback, as on every map).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from dash import Input, Output, State, html

from dashboard import ids, theme
from dashboard.districts import BY_ADCODE
from dashboard.grants import current
from dashboard.i18n import language, pick, screen_labels, t
from dashboard.sources import Sources
from datasources.forest import stats as fs
from datasources.forest.reader import ForestView
from datasources.forest.schema import ChiefRow, CoverageRow, PatrolGridRow, RangerRow
from layouts.forest_chief import (
    FIRE_LEVEL,
    GRID_PLACE,
    GRID_UNKNOWN,
    LABELS,
    LEVEL_LABELS,
    MARKER,
    MARKER_LATE,
    SCENARIO_LABELS,
    SLUG,
    WAITING_LABELS,
)
from layouts.kinds import text
from layouts.kinds.cellmap import CellMap, GeoLayer

MAP_TILE = "map"
CELLS = ids.part(SLUG, MAP_TILE, "cells")
INFO = ids.part(SLUG, MAP_TILE, "info")
INFO_CASES = 6
HINT = "点击网格：查看责任林长、护林员与在办案件；点击区名：进入该区"
# A refusal says why in both languages on a Chinese page (a grant's holder may read either).
REFUSED = "该网格不在授权范围内 (this grid is outside your grant)"


@dataclass(frozen=True)
class ForestMaster:
    """The forest master data a payload needs, read once and cached by ``Sources.master``."""

    tz: ZoneInfo
    grids: dict[str, PatrolGridRow]
    chiefs: tuple[ChiefRow, ...]
    rangers: dict[str, RangerRow]
    trees: dict[str, Counter]
    coverage: tuple[CoverageRow, ...]
    names: dict[str, str] = field(default_factory=dict)

    def grid_ids(self, district: str | None) -> list[str]:
        return [g.id for g in self.grids.values() if district in (None, g.district)]

    def area_km2(self, district: str | None) -> float:
        return sum(g.area_km2 for g in self.grids.values() if district in (None, g.district))

    def ranger_ids(self, district: str | None) -> list[str]:
        return [r.id for r in self.rangers.values() if district in (None, r.district)]

    def rangers_seen_in(self, view: ForestView, district: str | None) -> list[str]:
        """Registered rangers of the scope, plus unregistered ones last seen in its grids."""
        mine = self.ranger_ids(district)
        for ranger, state in view.rangers.items():
            if ranger not in self.rangers:
                grid = self.grids.get(state.grid or "")
                if district is None or (grid and grid.district == district):
                    mine.append(ranger)
        return mine

    def chief_levels(self, district: str | None) -> dict[str, int]:
        counts = Counter(c.level for c in self.chiefs if district in (None, c.district))
        return {level: counts.get(level, 0) for level in LEVEL_LABELS}

    def scope_chief(self, district: str | None) -> str | None:
        level = "city" if district is None else "district"
        return next((c.name for c in self.chiefs
                     if c.level == level and (district is None or c.district == district)), None)

    def tree_counts(self, district: str | None) -> dict[str, int]:
        if district is not None:
            return dict(self.trees.get(district, Counter()))
        return dict(sum(self.trees.values(), Counter()))

    def chain(self, grid: PatrolGridRow) -> list[ChiefRow]:
        """The chiefs answering for a patrol grid, village first, up to the city."""
        by_duty = {c.duty_grid_id: c for c in self.chiefs}
        chain, duty = [], grid.duty_grid_id
        while duty and duty in by_duty and len(chain) < len(LEVEL_LABELS):
            chain.append(by_duty[duty])
            duty = by_duty[duty].parent_grid_id
        return chain


def load_master(sources: Sources) -> ForestMaster:
    """The forest master data, cached per process for ``PAYLOAD_MASTER_TTL_S``."""

    def load() -> ForestMaster:
        forest = sources.store.forest
        trees: dict[str, Counter] = {}
        for tree in forest.trees():
            trees.setdefault(tree.district, Counter())[tree.kind] += 1
        chiefs = tuple(forest.chiefs())
        rangers = {r.id: r for r in forest.rangers()}
        names = {c.id: c.name for c in chiefs} | {r.id: r.name for r in rangers.values()}
        return ForestMaster(sources.settings.tz, {g.id: g for g in forest.patrol_grids()},
                            chiefs, rangers, trees, tuple(forest.coverage()), names)

    return sources.master("forest_master", load)


def _markers(view: ForestView, district: str | None, deadlines: dict[str, int]) -> dict:
    features = []
    for case in fs.scoped(view.open_cases, district):
        if case.lat is None or case.lon is None:
            continue
        late = fs.is_overdue(case, view.now_ms, deadlines)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(case.lon, 5), round(case.lat, 5)]},
            "properties": {
                "id": case.incident, "overdue": late,
                "colour": theme.SCENARIO_COLOURS.get(case.scenario, theme.ACCENT),
                # Drawn in the page's language by the tile kind (a Text, not JSON yet).
                "label": text(MARKER_LATE if late else MARKER, case=case.incident,
                              scenario=text(SCENARIO_LABELS.get(case.scenario, case.scenario)),
                              waiting=text(WAITING_LABELS[case.stage])),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def map_tile(sources: Sources, view: ForestView, master: ForestMaster, district: str | None,
             deadlines: dict[str, int]) -> CellMap:
    """Grids shaded by today's visits, districts by fire level, open cases as markers."""
    boundaries = sources.master("districts", sources.store.district_geojson)
    if district:
        boundaries = {**boundaries, "features": [
            f for f in boundaries["features"] if f["properties"]["adcode"] == district]}
    cells = sources.master(f"forest_grid_geojson:{district}",
                           lambda: sources.store.forest.grid_geojson(district))
    scope_grids = set(master.grid_ids(district))
    return CellMap(
        districts=GeoLayer(f"districts:{district}:{len(boundaries['features'])}", boundaries),
        cells=GeoLayer(f"cells:{district}:{len(cells['features'])}", cells),
        markers=_markers(view, district, deadlines),
        levels={d: view.fire.get(d) for d in BY_ADCODE if district in (None, d)},
        values={g: n for g, n in view.visits.items() if g in scope_grids},
        selected=district,
        legend=tuple((text(FIRE_LEVEL, level=n), colour) for n, colour in
                     enumerate(theme.FIRE_LEVEL_COLOURS, start=1)),
        marker_legend=tuple((label, theme.SCENARIO_COLOURS[s]) for s, label in SCENARIO_LABELS.items()),
        cell_legend=("今日已巡网格", theme.PATROL_COLOUR),
        hint=HINT,
        cell_tip=("今日巡护", "次"),
    )


def grid_info(sources: Sources, grid_id: str) -> list:
    """The info panel for one patrol grid: chiefs, rangers, today's visits, open cases, in the
    language being drawn."""
    master = load_master(sources)
    grid = master.grids.get(grid_id)
    if grid is None:
        return [html.P(t(text(GRID_UNKNOWN, grid=grid_id)), className="gw-note")]
    view = sources.forest.view()
    deadlines = sources.settings.forest_deadlines_ms
    idle = int(sources.settings.ranger_off_patrol_after_s * 1000)
    district = t(BY_ADCODE[grid.district].name) if grid.district in BY_ADCODE else grid.district
    chiefs = [html.Li([html.Span(t(LEVEL_LABELS[c.level]), className="gw-info-tag"), c.name])
              for c in master.chain(grid)]
    rangers = []
    for ranger in (r for r in master.rangers.values() if r.duty_grid_id == grid.duty_grid_id):
        state = view.rangers.get(ranger.id)
        walking = state is not None and state.on_patrol(view.now_ms, idle)
        tag = html.Span(t("巡护中" if walking else "未在巡"),
                        className="gw-info-tag" + (" is-live" if walking else ""))
        rangers.append(html.Li([ranger.name, tag]))
    cases = [c for c in view.open_cases if c.grid == grid_id]
    case_items = [html.Li([
        html.Span(c.incident, className="gw-info-id"),
        f" {t(SCENARIO_LABELS.get(c.scenario, c.scenario))} · {t(WAITING_LABELS[c.stage])}",
        html.Span(t("超期"), className="gw-info-tag is-bad")
        if fs.is_overdue(c, view.now_ms, deadlines) else None]) for c in cases[:INFO_CASES]]
    visits = view.visits.get(grid_id, 0)
    at = datetime.fromtimestamp(view.now_ms / 1000, master.tz).strftime("%H:%M:%S")
    return [
        html.H3([grid.id, html.Small(t(text(GRID_PLACE, district=district,
                                           area=grid.area_km2)))],
                className="gw-info-title", **{"data-grid": grid.id}),
        html.P([t("今日巡护") + " ", html.B(str(visits), **{"data-metric": "forest.grid.visits",
                                                       "data-value": str(visits)}),
                pick(" 次 · ", " · "), at],
               className="gw-note"),
        html.H4(t("责任林长")), html.Ul(chiefs or [html.Li(t("暂无数据"))]),
        html.H4(t("护林员")), html.Ul(rangers or [html.Li(t("暂无数据"))]),
        html.H4([t("在办案件") + " ", html.B(str(len(cases)), **{
            "data-metric": "forest.grid.open_cases", "data-value": str(len(cases))})]),
        html.Ul(case_items or [html.Li(t("无在办案件"), className="gw-empty")]),
    ]


def register_forest_map(app, sources: Sources) -> None:
    """The grid info panel: a click on a patrol grid shows who answers for it."""

    @app.callback(Output(INFO, "children"), Input(CELLS, "clickData"), State(ids.ROOT, "lang"),
                  prevent_initial_call=True)
    def show_grid(feature, lang):
        # The panel speaks the page's language (its root's lang attribute).
        with language("en" if lang == "en" else "zh"), screen_labels(LABELS):
            return _panel(feature)

    def _panel(feature) -> list:
        grid_id = ((feature or {}).get("properties") or {}).get("id")
        if not grid_id:
            return [html.P(t(HINT), className="gw-note")]
        # The grid's district decides, not the page's: a click can be forged for any grid id.
        grid = load_master(sources).grids.get(str(grid_id))
        if not current().allows(SLUG, grid.district if grid else None):
            return [html.P(t(REFUSED), className="gw-note", **{"data-refused": "1"})]
        return grid_info(sources, str(grid_id))
