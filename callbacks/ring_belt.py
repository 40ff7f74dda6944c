"""环城生态公园带 ring-belt screen: the data behind each tile, and the park info panel a click on
the map fills.

Visitors come from the park domain (``sources.park``): the belt's open parks are parks there.
Devices, inspections and projects from the belt domain (``sources.belt``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from dash import Input, Output, State, html

from dashboard import ids, theme
from dashboard.districts import BY_ADCODE, DISTRICTS
from dashboard.grants import current
from dashboard.i18n import Name, language, screen_labels, t
from dashboard.sources import Sources
from datasources.belt.feeds import STAGES
from datasources.belt.reader import BeltView, Device
from datasources.belt.schema import BeltParkRow, DeviceRow, FactRow, SectionRow, StationRow
from datasources.park.reader import ParkView
from datasources.park.schema import ParkRow
from layouts.kinds import Stat, TileData, text
from layouts.kinds.funnel import Funnel, FunnelStage
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.map import DistrictMap
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.ring_belt import (
    BEFORE,
    CATEGORY_LABELS,
    DEVICE,
    DEVICES_LINE,
    FAULT_ROW,
    FOR_HOURS,
    GATE,
    INSPECTION,
    ISSUES_LINE,
    KIND_LABELS,
    LABELS,
    OPENED_IN,
    OPENED_NOTE,
    PARK_INFO,
    PROJECT,
    SCORE_FORMULA,
    SECTION_PLACE,
    SLUG,
    STAGE_LABELS,
    STATUS_LABELS,
    YEAR,
)

__all__ = ["SLUG", "payload", "register"]

FIRST_YEAR = 2023
SILENT_AFTER_MS = 90 * 60_000
"""A device unheard this long (three missed heartbeats) counts as not reporting."""
DAY_MS = 86_400_000
TOP_FAULTS = 3
TOP_VISITORS = 5
ALERT_CATEGORIES = ("fire", "pest")
MAP_TILE = "map"
POINTS = ids.part(SLUG, MAP_TILE, "points")
INFO = ids.part(SLUG, MAP_TILE, "info")
HINT = "点击公园：查看设备、巡查与项目；点击区名：进入该区"
REFUSED = "该公园不在授权范围内 (this park is outside your grant)"
INFO_ITEMS = 4


@dataclass(frozen=True)
class BeltMaster:
    """The belt's master data a payload needs, read once and cached by ``Sources.master``."""

    parks: dict[str, BeltParkRow]
    sections: dict[str, SectionRow]
    stations: tuple[StationRow, ...]
    devices: dict[str, DeviceRow]
    facts: dict[str, FactRow]
    visitor_parks: dict[str, ParkRow]  # the open belt parks as the park domain has them

    def scoped(self, district: str | None) -> list[BeltParkRow]:
        return [p for p in self.parks.values() if district in (None, p.district)]


def load_master(sources: Sources) -> BeltMaster:
    def load() -> BeltMaster:
        belt = sources.store.belt
        parks = {p.id: p for p in belt.belt_parks()}
        counted = {p.id: p for p in sources.store.park.parks() if p.id in parks}
        return BeltMaster(parks, {s.id: s for s in belt.belt_sections()},
                          tuple(belt.belt_stations()), {d.id: d for d in belt.belt_devices()},
                          belt.belt_facts(), counted)

    return sources.master("belt_master", load)


def _name(park: BeltParkRow | None, park_id: str) -> str:
    if park is None:
        return park_id
    return Name(park.name, park.name_en)


def _section_name(section: SectionRow) -> str:
    return Name(section.name, section.name_en)


def _fact(master: BeltMaster, key: str) -> float | None:
    fact = master.facts.get(key)
    try:
        return float(fact.value) if fact else None
    except ValueError:
        return None


# ---- devices ----
def device_state(device: Device | None, now_ms: int) -> str:
    """``fault``, ``offline``, ``silent`` (unheard for ``SILENT_AFTER_MS``) or ``online``."""
    if device is None:
        return "silent"
    if device.status in ("fault", "offline"):
        return device.status
    return "silent" if now_ms - device.at_ms > SILENT_AFTER_MS else "online"


def scoped_devices(view: BeltView, master: BeltMaster, district: str | None,
                   parks: set[str] | None = None) -> dict[str, str]:
    """Each device of the scope (registered, or heard of in a park of the scope) → its state."""
    def inside(park: str) -> bool:
        if parks is not None:
            return park in parks
        row = master.parks.get(park)
        return district is None or (row is not None and row.district == district)

    states = {d.id: device_state(view.devices.get(d.id), view.now_ms)
              for d in master.devices.values() if inside(d.park)}
    for ident, device in view.devices.items():
        if ident not in master.devices and inside(device.park):
            states[ident] = device_state(device, view.now_ms)
    return states


def online_rate(states: dict[str, str]) -> float | None:
    return sum(s == "online" for s in states.values()) / len(states) if states else None


def _devices(states: dict[str, str]) -> Kpis:
    counts = Counter(states.values())
    return Kpis((
        Kpi(Stat("belt.devices_online_rate", "设备在线率", online_rate(states)),
            (Stat("belt.devices_online", "在线", counts["online"]),
             Stat("belt.devices", "设备", len(states)))),
        Kpi(Stat("belt.devices_fault", "故障设备", counts["fault"]),
            (Stat("belt.devices_offline", "离线", counts["offline"]),
             Stat("belt.devices_silent", "未上报", counts["silent"]))),
    ))


def _kinds(view: BeltView, master: BeltMaster, states: dict[str, str]) -> Timeseries:
    def kind_of(ident: str) -> str:
        row = master.devices.get(ident)
        return row.kind if row else view.devices[ident].kind

    faults, offline = Counter(), Counter()
    for ident, state in states.items():
        if state == "fault":
            faults[kind_of(ident)] += 1
        elif state == "offline":
            offline[kind_of(ident)] += 1
    kinds = tuple(KIND_LABELS)
    return Timeseries(
        x=tuple(KIND_LABELS[k] for k in kinds),
        series=(Series("故障", tuple(faults[k] for k in kinds), "bar", theme.BAD),
                Series("离线", tuple(offline[k] for k in kinds), "bar", theme.WARN)),
        y_title="台", x_every=1)


def _faults(view: BeltView, master: BeltMaster, states: dict[str, str]) -> Ranking:
    open_faults = sorted((view.devices[d] for d, s in states.items() if s == "fault"),
                         key=lambda d: (d.since_ms, d.device))[:TOP_FAULTS]
    rows = []
    for device in open_faults:
        row = master.devices.get(device.device)
        park = master.parks.get(device.park)
        rows.append(RankRow(
            key=device.device,
            label=text(FAULT_ROW, park=_name(park, device.park),
                       device=Name(row.name, row.name_en) if row else device.device),
            value=round((view.now_ms - device.since_ms) / 3_600_000, 1),
            metric=f"belt.fault_hours.{device.device}"))
    return Ranking(tuple(rows), empty_text="暂无故障设备",
                   bar_max=max([1.0, *(r.value or 0 for r in rows)]))


# ---- inspections ----
def _day_start_ms(sources: Sources, view: BeltView) -> int:
    return int(datetime.fromisoformat(view.day).replace(tzinfo=sources.settings.tz).timestamp() * 1000)


def _issues(sources: Sources, view: BeltView, master: BeltMaster, district: str | None) -> Kpis:
    start = _day_start_ms(sources, view)
    deadline = sources.settings.belt_issue_close_within_h * 3_600_000
    log = [i for i in view.issue_log if district in (None, i.district)]
    found = sum(i.stage == "issue" and i.times[0] >= start for i in log)
    closed = [i for i in log if i.stage == "closed"]
    closed_today = sum(i.times[-1] >= start for i in closed)
    on_time = (sum(i.times[1] - i.times[0] <= deadline for i in closed) / len(closed)
               if closed else None)
    open_issues = [i for i in view.open_issues if district in (None, i.district)]
    overdue = sum(view.now_ms - i.found_ms > deadline for i in open_issues)
    # City-wide, every inspection counts (parks master data lacks too); a district, its parks.
    visits = (sum(n for key, n in view.inspections.items() if key.startswith("done:"))
              if district is None else sum(view.visited(p.id) for p in master.scoped(district)))
    return Kpis((
        Kpi(Stat("belt.issues_found", "今日发现问题", found),
            (Stat("belt.issues_closed", "今日整改", closed_today),
             Stat("belt.issues_open", "待整改", len(open_issues)))),
        Kpi(Stat("belt.issues_overdue", "超期未改", overdue),
            (Stat("belt.issues_on_time", "按期整改率", on_time),
             Stat("belt.inspections_today", "今日巡查", visits))),
    ))


def section_scores(sources: Sources, view: BeltView, master: BeltMaster,
                   district: str | None) -> dict[str, float]:
    """Each section's score (0–100) by ``SCORE_FORMULA``: today's inspection coverage of its
    open parks, its on-time closure over 30 days (no closure yet: full marks) and its devices
    online (none: full marks). In a district's scope, the sections with parks there."""
    w_cov, w_close, w_dev = sources.settings.belt_weights
    deadline = sources.settings.belt_issue_close_within_h * 3_600_000
    scores = {}
    for section in master.sections.values():
        parks = [p for p in master.parks.values() if p.section == section.id]
        if district is not None and not any(p.district == district for p in parks):
            continue
        open_parks = [p for p in parks if p.status == "open"]
        coverage = (sum(view.visited(p.id) > 0 for p in open_parks) / len(open_parks)
                    if open_parks else 0.0)
        closed = [i for i in view.issue_log if i.section == section.id and i.stage == "closed"]
        closure = (sum(i.times[1] - i.times[0] <= deadline for i in closed) / len(closed)
                   if closed else 1.0)
        states = scoped_devices(view, master, None, {p.id for p in parks})
        devices = online_rate(states)
        scores[section.id] = round(w_cov * coverage + w_close * closure
                                   + w_dev * (1.0 if devices is None else devices), 1)
    return scores


def _sections(sources: Sources, view: BeltView, master: BeltMaster,
              district: str | None) -> Ranking:
    w_cov, w_close, w_dev = sources.settings.belt_weights
    scores = section_scores(sources, view, master, district)
    rows = sorted((RankRow(key=s, label=_section_name(master.sections[s]), value=v,
                           metric=f"belt.score.{s}") for s, v in scores.items()),
                  key=lambda r: (-(r.value or 0), r.key))
    return Ranking(tuple(rows), bar_max=100.0,
                   footer=text(SCORE_FORMULA, coverage=w_cov, closure=w_close, devices=w_dev))


# ---- projects ----
def _projects(sources: Sources, view: BeltView, district: str | None) -> Funnel:
    limits = sources.settings.belt_stage_limits_ms
    month_ago = view.now_ms - 30 * DAY_MS
    projects = [j for j in view.projects if district in (None, j.district)]
    entered = Counter(s.stage for s in view.project_log
                      if district in (None, s.district) and s.at_ms >= month_ago)
    stages = []
    for stage in STAGES:
        if stage == STAGES[-1]:  # accepted: closed, counted over the 30 days
            now, late = entered[stage], None
        else:
            here = [j for j in projects if j.stage == stage]
            now = len(here)
            late = sum(view.now_ms - j.since_ms > limits[stage] for j in here)
        stages.append(FunnelStage(
            key=stage, label=STAGE_LABELS[stage], bar=Stat(f"belt.projects.{stage}", "当前", now),
            cells=(Stat(f"belt.projects_entered.{stage}", "近30日", entered[stage]),
                   Stat(f"belt.projects_overdue.{stage}", "超期", late))))
    return Funnel(tuple(stages), columns=("环节", "当前", "近30日", "超期"))


# ---- parks and visitors ----
def _opened(master: BeltMaster, district: str | None, this_year: int) -> Timeseries:
    parks = [p for p in master.scoped(district) if p.status == "open"]
    years = list(range(FIRST_YEAR, max(this_year, FIRST_YEAR) + 1))
    per_year = Counter(p.opened if p.opened and p.opened >= FIRST_YEAR else 0 for p in parks)
    counts = [per_year[0], *(per_year[y] for y in years)]
    totals, running = [], 0
    for n in counts:
        running += n
        totals.append(running)
    return Timeseries(
        x=(BEFORE, *(text(YEAR, year=y) for y in years)),
        series=(Series("当年开放", tuple(counts), "bar", theme.ACCENT),
                Series("累计开放", tuple(totals), "line", "#ffffff")),
        stats=(Stat("belt.opened_this_year", "今年开放", per_year[this_year]),),
        y_title="座", x_every=1)


def _overview(master: BeltMaster, view: ParkView, district: str | None, alerts: int) -> Kpis:
    parks = master.scoped(district)
    opened = sum(p.status == "open" for p in parks)
    stations = sum(1 for s in master.stations
                   if district is None or (s.park in master.parks
                                           and master.parks[s.park].district == district))
    return Kpis((
        Kpi(Stat("belt.parks_open", "已开放公园", opened),
            (Stat("belt.parks_planned", "规划公园", len(parks)),
             Stat("belt.parks_pending", "在建/前期", len(parks) - opened))),
        Kpi(Stat("belt.visitors_in_park", "在园游客", sum(p.in_park for p in view.parks.values())),
            (Stat("belt.visitors_today", "今日入园",
                  sum(p.entered_today for p in view.parks.values())),
             Stat("belt.visitors_alerts", "拥挤预警", alerts))),
        Kpi(Stat("belt.greenway_km", "外环绿道", _fact(master, "greenway_km")),
            (Stat("belt.length_km", "环长", _fact(master, "length_km")),
             Stat("belt.stations", "驿站", stations))),
    ))


def _crowded(sources: Sources, master: BeltMaster, view: ParkView) -> dict[str, tuple[str, int]]:
    """Belt parks at or above the announce line: park → (state label, since ms)."""
    line = sources.settings.park_bands[2]
    out = {}
    for ident, live in view.parks.items():
        park = master.visitor_parks.get(ident)
        if park and park.capacity_instant and live.in_park >= park.capacity_instant * line:
            state = "已满" if live.in_park >= park.capacity_instant else "较拥挤"
            out[ident] = (state, live.crossing[1] if live.crossing else 0)
    return out


def _visitors(master: BeltMaster, view: ParkView) -> Ranking:
    rows = sorted((RankRow(key=p, label=_name(master.parks.get(p), p), value=live.in_park,
                           metric=f"belt.visitors.{p}") for p, live in view.parks.items()),
                  key=lambda r: (-(r.value or 0), r.key))[:TOP_VISITORS]
    return Ranking(tuple(rows), bar_max=max([1, *(r.value or 0 for r in rows)]))


def _when(sources: Sources, at_ms: int, today_start: int) -> str:
    moment = datetime.fromtimestamp(at_ms / 1000, sources.settings.tz)
    return moment.strftime("%H:%M" if at_ms >= today_start else "%m-%d %H:%M")


def _alerts(sources: Sources, view: BeltView, master: BeltMaster, crowded: dict,
            district: str | None) -> Ticker:
    today = _day_start_ms(sources, view)
    deadline = sources.settings.belt_issue_close_within_h * 3_600_000
    rows: list[tuple[int, TickerRow]] = []
    for issue in view.open_issues:
        if issue.category not in ALERT_CATEGORIES or district not in (None, issue.district):
            continue
        late = view.now_ms - issue.found_ms > deadline
        park = _name(master.parks.get(issue.park), issue.park)
        rows.append((issue.found_ms, TickerRow(
            key=issue.inspection,
            cells=(_when(sources, issue.found_ms, today), park,
                   text(CATEGORY_LABELS[issue.category]), text("超期" if late else "待处置")),
            title=issue.text or park)))
    for ident, (state, since) in crowded.items():
        park = _name(master.parks.get(ident), ident)
        rows.append((since, TickerRow(
            key=f"crowd-{ident}",
            cells=(_when(sources, since, today) if since else "—", park, text("拥挤预警"),
                   text(state)),
            title=park)))
    rows.sort(key=lambda pair: -pair[0])
    return Ticker(tuple(row for _, row in rows), header=("时间", "公园", "事项", "状态"),
                  empty_text="今日暂无预警")


def _map(sources: Sources, view: BeltView, pview: ParkView, master: BeltMaster,
         district: str | None, this_year: int) -> DistrictMap:
    # The belt's districts only (or the one in scope): the map zooms to what it draws.
    boundaries = sources.master("districts", sources.store.district_geojson)
    belt_districts = {p.district for p in master.parks.values()}
    boundaries = {**boundaries, "features": [
        f for f in boundaries["features"]
        if f["properties"]["adcode"] == district
        or (district is None and f["properties"]["adcode"] in belt_districts)]}
    parks = master.scoped(district)
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": p.id, "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
         "properties": {"id": p.id, "name": p.name, "name_en": p.name_en or p.name,
                        "district": p.district}} for p in parks]}
    years = (0, *range(FIRST_YEAR, FIRST_YEAR + len(theme.BELT_YEAR_COLOURS) - 1))

    def colour(p: BeltParkRow) -> str:
        if p.status != "open":
            return theme.BELT_PENDING_COLOURS.get(p.status, theme.MUTED)
        year = p.opened if p.opened and p.opened >= FIRST_YEAR else 0
        return theme.BELT_YEAR_COLOURS[years.index(min(year, years[-1]))]

    rates: dict[str, float | None] = {}
    for d in DISTRICTS:
        rates[d.adcode] = (online_rate(scoped_devices(view, master, d.adcode))
                           if d.adcode in belt_districts else None)
    key = ((BEFORE, theme.BELT_YEAR_COLOURS[0]),
           *((text(OPENED_IN, year=y), theme.BELT_YEAR_COLOURS[k])
             for k, y in enumerate(years[1:], start=1) if y <= this_year))
    return DistrictMap(
        districts=boundaries, points=points, rates=rates,
        sizes={p.id: float(pview.parks[p.id].in_park) if p.id in pview.parks else 0.0
               for p in parks},
        selected=district, legend="区内设备在线率",
        points_legend="游客（圆点大小）与开放年份（颜色）", points_unit="人",
        colours={p.id: colour(p) for p in parks}, hint=HINT, points_key=key)


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the ring-belt screen for one scope (``None`` = the whole belt)."""
    master = load_master(sources)
    view = sources.belt.view()
    counted = [master.visitor_parks[p.id] for p in master.scoped(district)
               if p.id in master.visitor_parks]
    pview = sources.park.park_view(counted, district)
    stats = sources.live.feed_stats()

    def at(feed: str) -> int | None:
        return stats[feed].last_event_ms if feed in stats else None

    this_year = datetime.fromisoformat(view.day).year
    states = scoped_devices(view, master, district)
    crowded = _crowded(sources, master, pview)
    return {
        "overview": TileData(_overview(master, pview, district, len(crowded)), at(GATE)),
        "map": TileData(_map(sources, view, pview, master, district, this_year), at(GATE)),
        "visitors": TileData(_visitors(master, pview), at(GATE)),
        "devices": TileData(_devices(states), at(DEVICE)),
        "kinds": TileData(_kinds(view, master, states), at(DEVICE)),
        "faults": TileData(_faults(view, master, states), at(DEVICE)),
        "opened": TileData(_opened(master, district, this_year), None),
        "issues": TileData(_issues(sources, view, master, district), at(INSPECTION)),
        "sections": TileData(_sections(sources, view, master, district), at(INSPECTION)),
        "projects": TileData(_projects(sources, view, district), at(PROJECT)),
        "alerts": TileData(_alerts(sources, view, master, crowded, district), at(INSPECTION)),
    }


# ---- the park info panel ----
def park_info(sources: Sources, park_id: str) -> list:
    """The info panel of one belt park: status, visitors, devices, open issues, projects."""
    master = load_master(sources)
    park = master.parks[park_id]
    view = sources.belt.view()
    counted = master.visitor_parks.get(park_id)
    live = sources.park.park_view([counted], park.district).parks.get(park_id) if counted else None
    states = scoped_devices(view, master, None, {park_id})
    counts = Counter(states.values())
    district = t(BY_ADCODE[park.district].name) if park.district in BY_ADCODE else park.district
    def device_name(ident: str) -> str:
        row = master.devices.get(ident)
        return t(Name(row.name, row.name_en)) if row else ident

    faults = [html.Li([html.Span(device_name(d), className="gw-info-id"),
                       html.Span(t(text(FOR_HOURS, hours=(view.now_ms - view.devices[d].since_ms)
                                        / 3_600_000)), className="gw-info-tag is-bad")])
              for d, s in states.items() if s == "fault"][:INFO_ITEMS]
    issues = [i for i in view.open_issues if i.park == park_id]
    issue_items = [html.Li([t(CATEGORY_LABELS.get(i.category, i.category)), " ",
                            html.Span(i.text or "", className="gw-info-id")])
                   for i in issues[:INFO_ITEMS]]
    projects = [j for j in view.projects if j.park == park_id]
    project_items = [html.Li([j.name or j.project, html.Span(t(STAGE_LABELS[j.stage]),
                                                             className="gw-info-tag")])
                     for j in projects[:INFO_ITEMS]]
    in_park = live.in_park if live else None
    entered = live.entered_today if live else None
    section = master.sections.get(park.section)
    return [
        html.H3([str(t(_name(park, park_id))),
                 html.Small(" " + t(text(PARK_INFO, district=district,
                                         status=text(STATUS_LABELS.get(park.status, park.status)))))],
                className="gw-info-title", **{"data-park": park.id}),
        html.P(t(text(SECTION_PLACE, section=_section_name(section) if section else park.section,
                      contractor=section.contractor if section else "—")), className="gw-note"),
        html.P([t(text(OPENED_NOTE, year=park.opened)) if park.opened else t(BEFORE), " · ",
                t("在园游客"), " ", html.B("—" if in_park is None else f"{in_park:,}",
                                         **{"data-metric": "belt.park.in_park",
                                            "data-value": str(in_park or 0)}),
                " · ", t("今日入园"), " ", "—" if entered is None else f"{entered:,}"],
               className="gw-note"),
        html.H4(t(text(DEVICES_LINE, online=counts["online"], total=len(states),
                       fault=counts["fault"])),
                **{"data-metric": "belt.park.devices_fault", "data-value": str(counts["fault"])}),
        html.Ul(faults or [html.Li(t("暂无故障设备"), className="gw-empty")]),
        html.H4(t(text(ISSUES_LINE, visits=view.visited(park_id), open=len(issues)))),
        html.Ul(issue_items or [html.Li(t("无"), className="gw-empty")]),
        html.H4([t("在建项目"), " ", html.B(str(len(projects)), **{
            "data-metric": "belt.park.projects", "data-value": str(len(projects))})]),
        html.Ul(project_items or [html.Li(t("暂无在建项目"), className="gw-empty")]),
    ]


def register(app, sources: Sources) -> None:
    """The park info panel: a click on a belt park shows its devices, issues and projects."""

    @app.callback(Output(INFO, "children"), Input(POINTS, "clickData"), State(ids.ROOT, "lang"),
                  prevent_initial_call=True)
    def show_park(feature, lang):
        with language("en" if lang == "en" else "zh"), screen_labels(LABELS):
            return _panel(feature)

    def _panel(feature) -> list:
        park_id = str(((feature or {}).get("properties") or {}).get("id") or "")
        park = load_master(sources).parks.get(park_id)
        if park is None:
            return [html.P(t(HINT), className="gw-note")]
        # The park's district decides, not the page's: a click can be forged for any park.
        if not current().allows(SLUG, park.district):
            return [html.P(t(REFUSED), className="gw-note", **{"data-refused": "1"})]
        return park_info(sources, park_id)
