"""水域市容环境质量监管 water-area screen: the data behind each tile. All from the water domain
(``sources.water``) and its master data; the score's weights and the issue deadline are the
domain's settings (``datasources.water.settings``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from dashboard.districts import CITY_ADCODE
from dashboard.i18n import Name
from dashboard.sources import Sources
from datasources.water.reader import WaterView
from datasources.water.schema import BoatRow, CompanyRow, FactRow, SectionRow
from datasources.water.settings import WaterSettings, water_settings
from layouts.kinds import Stat, TileData, text
from layouts.kinds.cellmap import CellMap, GeoLayer
from layouts.kinds.funnel import Funnel, FunnelStage
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.water_area import (
    ASSESSED,
    BOAT,
    CATEGORY_LABELS,
    CLEARED,
    COLLECTED,
    COLLECTION,
    GRADE_LABELS,
    INSPECTION,
    ISSUE,
    ISSUE_STEP,
    PLANTS,
    SCORE_FORMULA,
    SLUG,
    SPECIES_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    TRACK,
)

__all__ = ["SLUG", "payload", "section_score"]

HOUR_MS = 3_600_000
TRACK_MS = 30 * 60_000
CORRIDOR_DEG = 0.0025
"""Half the drawn width of a section's corridor on the map (about 250 m)."""
TOP_SECTIONS, TOP_COMPANIES, TOP_SCORES, TOP_EVENTS = 8, 5, 7, 12
STATUS_COLOURS = {"patrolling": "#35d0ff", "collecting": "#ffc145", "docked": "#7f9bb8"}
TRACK_COLOUR = "#3f6f96"
GRADE_COLOURS = ("#1fa37a", "#ffc145", "#ff5d5d")
CELL_COLOUR = "#35d0ff"
HINT = "河段走向为近似；圆点为保洁船当前位置，小点为近30分钟航迹；点击区名进入该区"
FEED_WORDS = {COLLECTION: "打捞", PLANTS: "水生植物整治", INSPECTION: "今日考核", ISSUE: "问题闭环"}


@dataclass(frozen=True)
class WaterMaster:
    """The water master data a payload needs, read once and cached by ``Sources.master``."""

    sections: dict[str, SectionRow]
    companies: dict[str, CompanyRow]
    boats: dict[str, BoatRow]
    facts: dict[str, FactRow]

    def scoped(self, district: str | None) -> list[SectionRow]:
        return [s for s in self.sections.values() if district in (None, s.district)]


def load_master(sources: Sources) -> WaterMaster:
    def load() -> WaterMaster:
        water = sources.store.water
        return WaterMaster({s.id: s for s in water.water_sections()},
                           {c.id: c for c in water.water_companies()},
                           {b.id: b for b in water.water_boats()}, water.water_facts())

    return sources.master("water_master", load)


def _name(row, ident: str):
    return Name(row.name, row.name_en) if row is not None else ident


def section_score(settings: WaterSettings, view: WaterView, section: str) -> float | None:
    """The section's newest assessment as one score (``SCORE_FORMULA``), or None."""
    a = view.assessments.get(section)
    return None if a is None else settings.score(a.floating, a.shore, a.facility)


def on_patrol(settings: WaterSettings, view: WaterView, sections: set[str] | None) -> list:
    """Boats patrolling or collecting, heard within ``boat_silent_after_s``, in the sections
    (``None``: anywhere)."""
    silent = settings.boat_silent_after_s * 1000
    return [b for b in view.boats.values()
            if b.status != "docked" and view.now_ms - b.at_ms <= silent
            and (sections is None or b.section in sections)]


def _scope(district: str | None) -> str:
    return district or CITY_ADCODE


# ---- headline ----
def _headline(settings: WaterSettings, view: WaterView, district: str | None,
              sections: set[str] | None) -> Kpis:
    scope = _scope(district)
    open_issues = [i for i in view.open_issues if district in (None, i.district)]
    deadline = settings.issue_close_within_h * HOUR_MS
    boats = on_patrol(settings, view, sections)
    return Kpis((
        Kpi(Stat("water.boats_on_patrol", "巡航保洁船", len(boats)),
            (Stat("water.boats_collecting", "打捞作业中",
                  sum(b.status == "collecting" for b in boats)),)),
        Kpi(Stat("water.tonnes_today", "今日打捞", view.total(f"t:d:{scope}"))),
        Kpi(Stat("water.area_today", "水生植物整治", view.total(f"a:d:{scope}"))),
        Kpi(Stat("water.issues_open", "待办问题", len(open_issues)),
            (Stat("water.issues_overdue", "超期问题",
                  sum(view.now_ms - i.times[0] > deadline for i in open_issues)),)),
    ))


# ---- map ----
def _corridor(section: SectionRow) -> dict:
    """The section's course drawn as a band ``CORRIDOR_DEG`` wide on each side."""
    points = section.points()
    left, right = [], []
    for k, (lat, lon) in enumerate(points):
        a = points[max(k - 1, 0)]
        b = points[min(k + 1, len(points) - 1)]
        dy, dx = b[0] - a[0], b[1] - a[1]
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        ny, nx = dx / norm * CORRIDOR_DEG, -dy / norm * CORRIDOR_DEG
        left.append([lon + nx, lat + ny])
        right.append([lon - nx, lat - ny])
    ring = [*left, *reversed(right), left[0]]
    return {"type": "Feature", "id": section.id,
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"id": section.id, "name": section.name}}


def _level(settings: WaterSettings, score: float | None) -> int | None:
    if score is None:
        return None
    return 1 if score >= settings.good_score else 2 if score >= settings.fair_score else 3


def _map(sources: Sources, settings: WaterSettings, view: WaterView, master: WaterMaster,
         district: str | None) -> CellMap:
    boundaries = sources.master("districts", sources.store.district_geojson)
    waters = {s.district for s in master.sections.values()}
    boundaries = {**boundaries, "features": [
        f for f in boundaries["features"]
        if f["properties"]["adcode"] == district
        or (district is None and f["properties"]["adcode"] in waters)]}
    sections = master.scoped(district)
    cells = {"type": "FeatureCollection", "features": [_corridor(s) for s in sections]}
    scores: dict[str, list[float]] = defaultdict(list)
    for s in master.sections.values():
        score = section_score(settings, view, s.id)
        if score is not None:
            scores[s.district].append(score)
    levels = {d: _level(settings, sum(v) / len(v)) for d, v in scores.items()}
    ids = {s.id for s in sections}
    markers = []
    since = view.now_ms - TRACK_MS
    patrolling = {b.boat: b for b in on_patrol(settings, view, ids)}
    for p in sorted(view.track, key=lambda p: p.at_ms):
        boat = patrolling.get(p.boat)
        if boat is None or p.at_ms < since or p.at_ms >= boat.at_ms:
            continue
        markers.append({"type": "Feature", "geometry": {"type": "Point",
                                                        "coordinates": [p.lon, p.lat]},
                        "properties": {"id": f"{p.boat}@{p.at_ms}", "colour": TRACK_COLOUR,
                                       "overdue": False,
                                       "label": str(_name(master.boats.get(p.boat), p.boat))}})
    for boat in sorted(view.boats.values(), key=lambda b: b.boat):
        if boat.section not in ids and district is not None:
            continue
        if boat.boat not in patrolling and boat.status != "docked":
            continue
        name = master.boats.get(boat.boat)
        label = f"{name.name if name else boat.boat} · {STATUS_LABELS.get(boat.status, boat.status)}"
        markers.append({"type": "Feature", "geometry": {"type": "Point",
                                                        "coordinates": [boat.lon, boat.lat]},
                        "properties": {"id": boat.boat, "label": label, "overdue": True,
                                       "colour": STATUS_COLOURS.get(boat.status, TRACK_COLOUR)}})
    return CellMap(
        districts=GeoLayer(f"districts:{district}:{len(boundaries['features'])}", boundaries),
        cells=GeoLayer(f"water-sections:{district}:{len(sections)}", cells),
        markers={"type": "FeatureCollection", "features": markers},
        levels=levels,
        values={s.id: int(view.total(f"n:x:{s.id}")) for s in sections},
        selected=district,
        legend=tuple((GRADE_LABELS[g], c) for g, c in zip(("good", "fair", "poor"),
                                                          GRADE_COLOURS, strict=True)),
        marker_legend=(*((STATUS_LABELS[s], c) for s, c in STATUS_COLOURS.items()),
                       (TRACK, TRACK_COLOUR)),
        cell_legend=("今日打捞作业", CELL_COLOUR), hint=HINT, cell_tip=("今日打捞作业", "次"))


# ---- rankings ----
def _sections(view: WaterView, master: WaterMaster, district: str | None) -> Ranking:
    rows = sorted((RankRow(key=s.id, label=_name(s, s.id), value=round(view.total(f"t:x:{s.id}"), 3),
                           metric=f"water.tonnes.{s.id}") for s in master.scoped(district)),
                  key=lambda r: (-(r.value or 0), r.key))[:TOP_SECTIONS]
    return Ranking(tuple(rows), bar_max=max([0.1, *(r.value or 0 for r in rows)]))


def company_tonnes(view: WaterView, master: WaterMaster, district: str | None) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for s in master.scoped(district):
        totals[s.company] += view.total(f"t:x:{s.id}")
    return dict(totals)


def _companies(view: WaterView, master: WaterMaster, district: str | None) -> Ranking:
    totals = company_tonnes(view, master, district)
    rows = sorted((RankRow(key=c, label=_name(master.companies.get(c), c), value=round(v, 3),
                           metric=f"water.company_tonnes.{c}") for c, v in totals.items()),
                  key=lambda r: (-(r.value or 0), r.key))[:TOP_COMPANIES]
    return Ranking(tuple(rows), bar_max=max([0.1, *(r.value or 0 for r in rows)]))


def _scores(settings: WaterSettings, view: WaterView, master: WaterMaster,
            district: str | None) -> Ranking:
    w = settings.weights
    rows = []
    for s in master.scoped(district):
        score = section_score(settings, view, s.id)
        if score is not None:
            rows.append(RankRow(key=s.id, label=_name(s, s.id), value=round(score, 1),
                                metric=f"water.score.{s.id}"))
    rows.sort(key=lambda r: (r.value or 0, r.key))
    return Ranking(tuple(rows[:TOP_SCORES]), bar_max=100.0, empty_text="暂无考核",
                   footer=text(SCORE_FORMULA, floating=w[0], shore=w[1], facility=w[2],
                               total=sum(w), good=settings.good_score, fair=settings.fair_score))


# ---- hourly ----
def _hourly(view: WaterView, district: str | None, now_hour: int) -> Timeseries:
    scope = _scope(district)
    today = tuple(round(view.total(f"t:h:{h:02d}:{scope}"), 2) if h <= now_hour else None
                  for h in range(24))
    before = tuple(round(view.yesterday.get(f"t:h:{h:02d}:{scope}", 0.0), 2) for h in range(24))
    return Timeseries(
        x=tuple(f"{h:02d}" for h in range(24)),
        series=(Series("今日", today, "bar", CELL_COLOUR), Series("昨日", before, "line", "#ffffff")),
        stats=(Stat("water.tonnes_yesterday", "昨日",
                    view.yesterday.get(f"t:d:{scope}", 0.0)),),
        y_title="吨", x_every=3)


# ---- issues ----
def _issues(settings: WaterSettings, view: WaterView, district: str | None) -> Funnel:
    deadline = settings.issue_close_within_h * HOUR_MS
    open_issues = [i for i in view.open_issues if district in (None, i.district)]
    log = [s for s in view.issue_log if district is None or s.scope == district]
    stages = []
    for stage in ("found", "assigned", "closed"):
        entered = sum(s.stage == stage for s in log)
        if stage == "closed":
            now, late = entered, None
        else:
            here = [i for i in open_issues if i.stage == stage]
            now, late = len(here), sum(view.now_ms - i.times[0] > deadline for i in here)
        stages.append(FunnelStage(
            key=stage, label=STAGE_LABELS[stage], bar=Stat(f"water.issues.{stage}", "当前", now),
            cells=(Stat(f"water.issues_today.{stage}", "今日", entered),
                   Stat(f"water.issues_late.{stage}", "超期", late))))
    return Funnel(tuple(stages), columns=("环节", "当前", "今日", "超期"))


# ---- plants ----
def _plants(view: WaterView, master: WaterMaster, district: str | None) -> Kpis:
    scope = _scope(district)
    fact = master.facts.get("hyacinth_2025")
    return Kpis((
        Kpi(Stat("water.hyacinth_today", "水葫芦清理面积", view.total(f"a:hyacinth:{scope}")),
            (Stat("water.plant_tonnes_today", "今日水生植物（吨）", view.total(f"p:d:{scope}")),)),
        Kpi(Stat("water.published_hyacinth_2025", "2025年干流水葫芦（公布）",
                 float(fact.value) if fact else None)),
    ))


# ---- events ----
def _events(sources: Sources, settings: WaterSettings, view: WaterView, master: WaterMaster,
            district: str | None) -> Ticker:
    rows = []
    events = sorted((e for e in view.events if district in (None, e.get("d"))),
                    key=lambda e: -int(e.get("ms", 0)))[:TOP_EVENTS]
    for n, e in enumerate(events):
        feed, section = e.get("f"), str(e.get("x", ""))
        moment = datetime.fromtimestamp(int(e.get("ms", 0)) / 1000, sources.settings.tz)
        if feed == COLLECTION:
            detail = text(COLLECTED, tonnes=float(e.get("v", 0)))
        elif feed == PLANTS:
            detail = text(CLEARED, species=text(SPECIES_LABELS.get(e.get("k"), "其他水生植物")),
                          area=int(e.get("v", 0)))
        elif feed == INSPECTION:
            values = e.get("v") or [0, 0, 0]
            detail = text(ASSESSED, score=settings.score(*values[:3]))
        else:
            detail = text(ISSUE_STEP, stage=text(STAGE_LABELS.get(e.get("s"), "发现")),
                          category=text(CATEGORY_LABELS.get(e.get("k") or "other", "其他")))
        place = _name(master.sections.get(section), section)
        rows.append(TickerRow(key=f"{e.get('ms')}-{n}-{feed}",
                              cells=(moment.strftime("%H:%M"), place,
                                     text(FEED_WORDS.get(feed, "事件")), detail),
                              title=place))
    return Ticker(tuple(rows), header=("时间", "河段", "类别", "事件"), empty_text="暂无事件")


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the water-area screen for one scope (``None`` = the whole city)."""
    settings = water_settings()
    master = load_master(sources)
    view = sources.water.view()
    stats = sources.live.feed_stats()

    def at(feed: str) -> int | None:
        return stats[feed].last_event_ms if feed in stats else None

    sections = None if district is None else {s.id for s in master.scoped(district)}
    now_hour = datetime.fromtimestamp(view.now_ms / 1000, sources.settings.tz).hour
    return {
        "headline": TileData(_headline(settings, view, district, sections), at(COLLECTION)),
        "map": TileData(_map(sources, settings, view, master, district), at(BOAT)),
        "sections": TileData(_sections(view, master, district), at(COLLECTION)),
        "companies": TileData(_companies(view, master, district), at(COLLECTION)),
        "hourly": TileData(_hourly(view, district, now_hour), at(COLLECTION)),
        "scores": TileData(_scores(settings, view, master, district), at(INSPECTION)),
        "issues": TileData(_issues(settings, view, district), at(ISSUE)),
        "plants": TileData(_plants(view, master, district), at(PLANTS)),
        "events": TileData(_events(sources, settings, view, master, district), at(COLLECTION)),
    }
