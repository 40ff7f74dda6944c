"""野生动物监管 (上海动物园) screen: the data behind each tile.

Everything is the zoo domain's (``sources.zoo``): feedings against the diet plans, health checks
and vet cases, enclosure sensors, safety incidents; master data and published figures from
``sources.store.zoo``. The zoo lies in one district (长宁): a district scope holds the houses,
species and events of that district only (none elsewhere).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from dashboard import theme
from dashboard.i18n import Name
from dashboard.sources import Sources
from datasources.zoo.feeds import CASE_STAGES
from datasources.zoo.reader import Reading, ZooView
from datasources.zoo.schema import PROTECTION, AreaRow, DietRow, EnclosureRow, SpeciesRow, ZooFactRow
from datasources.zoo.settings import ZooSettings, zoo_settings
from layouts.kinds import Stat, TileData, text
from layouts.kinds.board import Board, BoardRow
from layouts.kinds.funnel import Funnel, FunnelStage
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.statgrid import GridRow, StatGrid
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.zoo import (
    CLASS_LABELS,
    COMPLIANCE_LABELS,
    FEEDING,
    HEALTH,
    HOUR,
    KIND_LABELS,
    RANGE,
    SAFETY,
    SENSOR,
    SENSOR_LABELS,
    SEVERITY_LABELS,
    SLUG,
    SPECIES_N,
    STAGE_LABELS,
)

__all__ = ["SLUG", "payload"]

DAY_MS = 86_400_000
MINUTE_MS = 60_000
TOP_SPECIES = 6
CLASS_COLOURS = {"first": "#ff5d5d", "second": "#ffd166", "cites": "#35d0ff", "none": "#8aa0b6"}
PUBLISHED_CLASS = {"first": "first_class", "second": "second_class"}


@dataclass(frozen=True)
class ZooMaster:
    """The zoo's master data a payload needs, read once and cached by ``Sources.master``."""

    areas: dict[str, AreaRow]
    enclosures: dict[str, EnclosureRow]
    species: dict[str, SpeciesRow]
    diets: tuple[DietRow, ...]
    facts: dict[str, ZooFactRow]

    def enclosures_in(self, district: str | None) -> dict[str, EnclosureRow]:
        return {e.id: e for e in self.enclosures.values() if district in (None, e.district)}

    def species_in(self, district: str | None) -> dict[str, SpeciesRow]:
        inside = self.enclosures_in(district)
        return {s.id: s for s in self.species.values() if s.enclosure in inside}

    def plan_kg(self, species: str) -> float:
        return sum(d.kg_per_day for d in self.diets if d.species == species)

    def plan_feeds(self, species: str) -> int:
        return sum(d.feeds_per_day for d in self.diets if d.species == species)

    def fact(self, key: str) -> float | None:
        row = self.facts.get(key)
        try:
            return float(row.value) if row else None
        except ValueError:
            return None


def load_master(sources: Sources) -> ZooMaster:
    def load() -> ZooMaster:
        zoo = sources.store.zoo
        return ZooMaster({a.id: a for a in zoo.zoo_areas()},
                         {e.id: e for e in zoo.zoo_enclosures()},
                         {s.id: s for s in zoo.zoo_species()}, tuple(zoo.zoo_diets()),
                         zoo.zoo_facts())

    return sources.master("zoo_master", load)


def _name(row, ident: str):
    return Name(row.name, row.name_en) if row is not None else ident


def _in_scope(district: str | None, event_district: str | None) -> bool:
    return district is None or event_district == district


# ---- feeding ----
def compliance_band(rate: float | None, given: float, settings: ZooSettings) -> int:
    """0 未投喂 (nothing given), 1 达标, 3 偏低, 5 不足 (``GREENWALL_ZOO_COMPLIANCE_*``)."""
    if rate is None or given <= 0:
        return 0
    if rate >= settings.compliance_good:
        return 1
    return 3 if rate >= settings.compliance_warn else 5


def _areas(view: ZooView, master: ZooMaster, district: str | None, settings: ZooSettings,
           due: float) -> Board:
    species = master.species_in(district)
    rows = []
    for area in master.areas.values():
        mine = [s for s in species.values() if master.enclosures[s.enclosure].area == area.id]
        if not mine:
            continue
        given = sum(view.fed(f"kg:{s.id}") for s in mine)
        plan = sum(master.plan_kg(s.id) for s in mine) * due
        off = sum(view.fed(f"off:{s.id}") for s in mine)
        rate = given / plan if plan else None
        band = compliance_band(rate, given, settings)
        rows.append(BoardRow(
            key=area.id, label=_name(area, area.id), tag=text(SPECIES_N, n=len(mine)), band=band,
            band_label=COMPLIANCE_LABELS[band], share=Stat(f"zoo.area_rate.{area.id}", "完成率", rate),
            cells=(Stat(f"zoo.area_kg.{area.id}", "实投 kg", given),
                   Stat(f"zoo.area_due.{area.id}", "应投 kg", plan),
                   Stat(f"zoo.area_off.{area.id}", "计划外", off))))
    rows.sort(key=lambda r: (r.share.value if r.share.value is not None else 9, r.key))
    return Board(tuple(rows), columns=("实投 kg", "应投 kg", "计划外"),
                 legend=tuple((b, COMPLIANCE_LABELS[b]) for b in (1, 3, 5, 0)))


def species_rates(view: ZooView, master: ZooMaster, district: str | None,
                  due: float) -> dict[str, float]:
    """Each planned species of the scope → kilograms given today ÷ its plan due by now."""
    out = {}
    for s in master.species_in(district).values():
        plan = master.plan_kg(s.id) * due
        if plan:
            out[s.id] = view.fed(f"kg:{s.id}") / plan
    return out


def _species(view: ZooView, master: ZooMaster, district: str | None, due: float) -> Ranking:
    rates = species_rates(view, master, district, due)
    rows = sorted((RankRow(key=s, label=_name(master.species[s], s), value=rate,
                           metric=f"zoo.species_rate.{s}") for s, rate in rates.items()),
                  key=lambda r: (r.value, r.key))[:TOP_SPECIES]
    return Ranking(tuple(rows), bar_max=1.0)


# ---- health ----
def _cases(view: ZooView, district: str | None, day_start: int) -> Funnel:
    cases = [c for c in view.cases if _in_scope(district, c.district)]
    month_ago = view.now_ms - 30 * DAY_MS
    logged = [s for s in view.case_log if _in_scope(district, s.district)]
    today = Counter(s.stage for s in logged if s.at_ms >= day_start)
    stages = []
    for stage in CASE_STAGES:
        if stage == CASE_STAGES[-1]:
            now = sum(s.stage == stage and s.at_ms >= month_ago for s in logged)
        else:
            now = sum(c.stage == stage for c in cases)
        stages.append(FunnelStage(
            key=stage, label=STAGE_LABELS[stage], bar=Stat(f"zoo.cases.{stage}", "当前", now),
            cells=(Stat(f"zoo.cases_entered.{stage}", "今日", today[stage]),)))
    return Funnel(tuple(stages), columns=("环节", "当前", "今日"))


# ---- sensors ----
def sensor_band(reading: Reading | None, enclosure: EnclosureRow, now_ms: int,
                settings: ZooSettings) -> int:
    """0 无数据, 1 正常, 2 门开, 4 门久开 (open ≥ ``door_alarm_min``), 5 超限."""
    if reading is None or now_ms - reading.at_ms > settings.sensor_silent_min * MINUTE_MS:
        return 0
    if reading.temp_c is not None and not enclosure.t_min <= reading.temp_c <= enclosure.t_max:
        return 5
    if reading.humidity is not None and not enclosure.h_min <= reading.humidity <= enclosure.h_max:
        return 5
    if reading.door == "open":
        since = reading.door_since_ms or reading.at_ms
        return 4 if now_ms - since >= settings.door_alarm_min * MINUTE_MS else 2
    return 1


def sensor_bands(view: ZooView, master: ZooMaster, district: str | None,
                 settings: ZooSettings) -> dict[str, int]:
    return {e.id: sensor_band(view.readings.get(e.id), e, view.now_ms, settings)
            for e in master.enclosures_in(district).values()}


def _door_minutes(reading: Reading | None, now_ms: int) -> float | None:
    if reading is None or reading.door is None:
        return None
    if reading.door != "open":
        return 0
    return (now_ms - (reading.door_since_ms or reading.at_ms)) // MINUTE_MS


def _sensors(view: ZooView, master: ZooMaster, bands: dict[str, int]) -> Board:
    rows = []
    for ident, band in bands.items():
        enclosure, reading = master.enclosures[ident], view.readings.get(ident)
        fresh = band != 0
        rows.append(BoardRow(
            key=ident, label=_name(enclosure, ident),
            tag=text(RANGE, low=enclosure.t_min, high=enclosure.t_max), band=band,
            band_label=SENSOR_LABELS[band],
            share=Stat(f"zoo.humidity.{ident}", "湿度",
                       reading.humidity / 100 if fresh and reading.humidity is not None else None),
            cells=(Stat(f"zoo.temp.{ident}", "温度 ℃", reading.temp_c if fresh else None),
                   Stat(f"zoo.door_min.{ident}", "门开 分钟",
                        _door_minutes(reading, view.now_ms) if fresh else None))))
    order = {5: 0, 4: 1, 0: 2, 2: 3, 1: 4}
    rows.sort(key=lambda r: (order[r.band], r.key))
    return Board(tuple(rows), columns=("温度 ℃", "门开 分钟"),
                 legend=tuple((b, SENSOR_LABELS[b]) for b in (5, 4, 2, 1, 0)))


# ---- safety ----
def _safety(sources: Sources, view: ZooView, master: ZooMaster, district: str | None) -> Ticker:
    rows = []
    for i in view.incidents:
        if not _in_scope(district, i.district):
            continue
        when = datetime.fromtimestamp(i.at_ms / 1000, sources.settings.tz).strftime("%H:%M")
        place = _name(master.enclosures.get(i.enclosure), i.enclosure)
        rows.append(TickerRow(
            key=f"{i.incident}-{i.at_ms}",
            cells=(when, place, text(KIND_LABELS.get(i.kind, "其他")),
                   text(SEVERITY_LABELS.get(i.severity, i.severity))),
            title=i.note or ""))
    return Ticker(tuple(rows), header=("时间", "馆舍", "类型", "等级"),
                  empty_text="今日暂无安全事件")


def _hourly(view: ZooView, district: str | None, inside: bool, tz) -> Timeseries:
    feeds = tuple(view.fed(f"h:{h}") if inside else 0 for h in range(24))
    incidents = Counter()
    for i in view.incidents:
        if _in_scope(district, i.district):
            incidents[datetime.fromtimestamp(i.at_ms / 1000, tz).hour] += 1
    off = sum(v for k, v in view.feeding.items() if k.startswith("off:")) if inside else 0
    return Timeseries(
        x=tuple(text(HOUR, hour=h) for h in range(24)),
        series=(Series("投喂次数", feeds, "bar", theme.ACCENT),
                Series("安全事件", tuple(incidents[h] for h in range(24)), "line", "#ff9f43")),
        stats=(Stat("zoo.checks_today", "今日体检", view.health.get("check", 0) if inside else 0),
               Stat("zoo.off_plan_today", "计划外投喂", off)),
        y_title="次")


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the zoo screen for one scope (``None`` = the whole city)."""
    settings = zoo_settings()
    master = load_master(sources)
    view = sources.zoo.view()
    stats = sources.live.feed_stats()

    def at(feed: str) -> int | None:
        return stats[feed].last_event_ms if feed in stats else None

    tz = sources.settings.tz
    day_start = int(datetime.combine(datetime.fromisoformat(view.day).date(), datetime.min.time(),
                                     tz).timestamp() * 1000)
    inside = district is None or bool(master.enclosures_in(district))
    species = master.species_in(district)
    bands = sensor_bands(view, master, district, settings)
    feedings = sum(view.fed(f"n:{s}") for s in species) + (
        sum(v for k, v in view.feeding.items() if k.startswith("n:") and k[2:] not in master.species)
        if district is None else 0)
    given = sum(view.fed(f"kg:{s}") for s in species)
    now = datetime.fromtimestamp(view.now_ms / 1000, tz)
    due = settings.due_share(now.hour * 60 + now.minute + now.second / 60)
    plan_kg = sum(master.plan_kg(s) for s in species) * due
    cases_open = [c for c in view.cases if _in_scope(district, c.district)]
    logged_today = [s for s in view.case_log if _in_scope(district, s.district)
                    and s.at_ms >= day_start]
    incidents = [i for i in view.incidents if _in_scope(district, i.district)]
    readings = {e: view.readings.get(e) for e in bands}

    def published(key: str) -> float | None:
        return master.fact(key) if inside else None

    protected = (None if published("first_class") is None or published("second_class") is None
                 else published("first_class") + published("second_class"))
    overview = Kpis((
        Kpi(Stat("zoo.animals", "动物（公布）", published("animals")),
            (Stat("zoo.species", "物种（公布）", published("species")),
             Stat("zoo.protected_species", "保护物种（约）", protected))),
        Kpi(Stat("zoo.feedings_today", "今日投喂", int(feedings)),
            (Stat("zoo.feedings_plan", "计划投喂", sum(master.plan_feeds(s) for s in species)),
             Stat("zoo.feeding_rate", "投喂量完成率", given / plan_kg if plan_kg else None))),
        Kpi(Stat("zoo.cases_open", "在治病例", len(cases_open)),
            (Stat("zoo.cases_reported_today", "今日上报",
                  sum(s.stage == "reported" for s in logged_today)),
             Stat("zoo.recovered_today", "今日康复",
                  sum(s.stage == "recovered" for s in logged_today)))),
        Kpi(Stat("zoo.sensor_alarms", "环境告警", sum(b in (4, 5) for b in bands.values())),
            (Stat("zoo.doors_open", "门未关", sum(
                bands[e] != 0 and r is not None and r.door == "open" for e, r in readings.items())),
             Stat("zoo.sensors_silent", "无数据馆舍", sum(b == 0 for b in bands.values())))),
        Kpi(Stat("zoo.incidents_today", "今日安全事件", len(incidents)),
            (Stat("zoo.incidents_high", "严重", sum(i.severity == "high" for i in incidents)),)),
    ))
    return {
        "overview": TileData(overview, at(FEEDING)),
        "classes": TileData(_classes(master, district, inside), None),
        "areas": TileData(_areas(view, master, district, settings, due), at(FEEDING)),
        "species": TileData(_species(view, master, district, due), at(FEEDING)),
        "cases": TileData(_cases(view, district, day_start), at(HEALTH)),
        "hourly": TileData(_hourly(view, district, inside, tz), at(FEEDING)),
        "sensors": TileData(_sensors(view, master, bands), at(SENSOR)),
        "safety": TileData(_safety(sources, view, master, district), at(SAFETY)),
    }


def _classes(master: ZooMaster, district: str | None, inside: bool) -> StatGrid:
    species = master.species_in(district)
    rows = []
    for cls in PROTECTION:
        mine = [s for s in species.values() if s.protection == cls]
        published = master.fact(PUBLISHED_CLASS[cls]) if cls in PUBLISHED_CLASS and inside else None
        rows.append(GridRow(
            key=cls, label=CLASS_LABELS[cls],
            cells=(Stat(f"zoo.class_published.{cls}", "公布种数", published),
                   Stat(f"zoo.class_species.{cls}", "登记物种", len(mine)),
                   Stat(f"zoo.class_heads.{cls}", "个体（演示）", sum(s.heads for s in mine))),
            colour=CLASS_COLOURS[cls]))
    return StatGrid(tuple(rows), columns=("公布种数", "登记物种", "个体（演示）"))
