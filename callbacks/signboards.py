"""户外招牌安全管理 outdoor-signboard screen: the data behind each tile.

Readings, alarms, cases and the typhoon switch come from the sign domain (``sources.sign``);
the thresholds from its settings (``datasources.sign.settings``). A sensor is *working* when
its newest reading is online and younger than ``silent_after_min``; it is *in alarm* when that
reading reaches the limits of the mode in force.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from dashboard import theme
from dashboard.districts import BY_ADCODE, DISTRICTS
from dashboard.i18n import Name
from dashboard.sources import Sources
from datasources.sign.effects import in_alarm
from datasources.sign.feeds import STAGES
from datasources.sign.reader import Reading, SignView
from datasources.sign.schema import RISKS, SensorRow, SignRow
from datasources.sign.settings import SignSettings, sign_settings
from layouts.kinds import Stat, TileData, text
from layouts.kinds.funnel import Funnel, FunnelStage
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.map import DistrictMap
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.statgrid import GridRow, StatGrid
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.signboards import (
    ALARM_LABELS,
    HOUR,
    INSPECTION,
    READING,
    RISK_LABELS,
    SENSOR,
    SLUG,
    STAGE_LABELS,
    STATE_LABELS,
)

__all__ = ["SLUG", "payload"]

DAY_MS = 86_400_000
RISK_COLOURS = {"high": theme.BAD, "medium": theme.WARN, "low": theme.ACCENT}
STATE_COLOURS = {"alarm": theme.BAD, "ok": "#3ddc97", "offline": theme.MUTED}
STATE_SIZES = {"alarm": 1.0, "ok": 0.0, "offline": 0.0}  # an alarm drawn large, the rest as dots
COVERAGE_RAMP = ((0.0, "#8c2d3a"), (0.4, "#c8553d"), (0.55, "#e39b3b"), (0.7, "#c9c64a"),
                 (0.8, "#3ddc97"))
"""District shading by working-sensor coverage: red below 40 %, green from 80 %."""


@dataclass(frozen=True)
class SignMaster:
    """The signboards and sensors a payload needs, read once and cached by ``Sources.master``."""

    signs: dict[str, SignRow]
    sensors: dict[str, SensorRow]

    def scoped(self, district: str | None) -> list[SignRow]:
        return [s for s in self.signs.values() if district in (None, s.district)]


def load_master(sources: Sources) -> SignMaster:
    def load() -> SignMaster:
        store = sources.store.sign
        return SignMaster({s.id: s for s in store.sign_boards()},
                          {s.id: s for s in store.sign_sensors()})

    return sources.master("sign_master", load)


def typhoon_on(view: SignView, settings: SignSettings) -> bool:
    """The duty officer's newest switch; before any, the setting."""
    return view.typhoon[0] if view.typhoon is not None else settings.typhoon


def sensor_state(reading: Reading | None, now_ms: int, settings: SignSettings,
                 limits: tuple[float, float]) -> str:
    """``offline`` (reported so, unheard for ``silent_after_min``, or never heard), ``alarm``
    or ``ok``."""
    if reading is None or not reading.online \
            or now_ms - reading.at_ms > settings.silent_after_min * 60_000:
        return "offline"
    return "alarm" if in_alarm(reading.tilt, reading.vibration, limits) else "ok"


@dataclass(frozen=True)
class Scoped:
    """The signs of a scope and the state of each registered sensor on them."""

    signs: list[SignRow]
    states: dict[str, str]  # sensor → state
    sign_states: dict[str, str]  # sign with a sensor → worst state of its sensors


def scoped(master: SignMaster, view: SignView, settings: SignSettings, limits: tuple[float, float],
           district: str | None) -> Scoped:
    signs = master.scoped(district)
    inside = {s.id for s in signs}
    states = {n.id: sensor_state(view.readings.get(n.id), view.now_ms, settings, limits)
              for n in master.sensors.values() if n.sign in inside}
    rank = {"alarm": 2, "ok": 1, "offline": 0}
    sign_states: dict[str, str] = {}
    for ident, state in states.items():
        sign = master.sensors[ident].sign
        if sign not in sign_states or rank[state] > rank[sign_states[sign]]:
            sign_states[sign] = state
    return Scoped(signs, states, sign_states)


def coverage(scope: Scoped) -> float | None:
    """Share of the scope's signs with a working sensor (``ok`` or ``alarm``)."""
    if not scope.signs:
        return None
    return sum(scope.sign_states.get(s.id) in ("ok", "alarm") for s in scope.signs) / len(scope.signs)


def _overview(view: SignView, scope: Scoped, settings: SignSettings, typhoon: bool,
              limits: tuple[float, float]) -> Kpis:
    counts = Counter(scope.states.values())
    low = sum(1 for ident in scope.states
              if (r := view.readings.get(ident)) is not None and r.battery < settings.low_battery_pct)
    return Kpis((
        Kpi(Stat("sign.large_signs", "登记大型招牌", len(scope.signs)),
            (Stat("sign.sensors", "已装传感器", len(scope.states)),
             Stat("sign.working_share", "在线传感器覆盖率", coverage(scope)))),
        Kpi(Stat("sign.alarms_now", "当前报警", counts["alarm"]),
            (Stat("sign.sensors_offline", "离线传感器", counts["offline"]),
             Stat("sign.low_battery", "低电量", low))),
        Kpi(Stat("sign.typhoon", "台风模式（1 开启，0 关闭）", 1 if typhoon else 0),
            (Stat("sign.tilt_limit", "倾斜阈值", limits[0]),
             Stat("sign.vibration_limit", "振动阈值", limits[1]))),
    ))


def _coverage(master: SignMaster, view: SignView, settings: SignSettings,
              limits: tuple[float, float], district: str | None) -> tuple[Ranking, dict]:
    rates = {d.adcode: coverage(scoped(master, view, settings, limits, d.adcode)) for d in DISTRICTS}
    rows = sorted((RankRow(key=d.adcode, label=d.name, value=rates[d.adcode],
                           metric=f"sign.coverage.{d.adcode}",
                           href=f"/screens/{SLUG}?district={d.adcode}",
                           selected=d.adcode == district) for d in DISTRICTS),
                  key=lambda r: (-(r.value or 0), r.key))
    return Ranking(tuple(rows), bar_max=1.0), rates


def _risk(scope: Scoped) -> StatGrid:
    rows = []
    for risk in RISKS:
        signs = [s for s in scope.signs if s.risk == risk]
        covered = sum(scope.sign_states.get(s.id) in ("ok", "alarm") for s in signs)
        alarms = sum(scope.sign_states.get(s.id) == "alarm" for s in signs)
        rows.append(GridRow(key=risk, label=RISK_LABELS[risk], colour=RISK_COLOURS[risk], cells=(
            Stat(f"sign.risk_signs.{risk}", "招牌", len(signs)),
            Stat(f"sign.risk_covered.{risk}", "覆盖率", covered / len(signs) if signs else None),
            Stat(f"sign.risk_alarms.{risk}", "当前报警", alarms))))
    return StatGrid(tuple(rows), columns=("招牌", "覆盖率", "当前报警"))


def _when(sources: Sources, at_ms: int, today_start: int) -> str:
    moment = datetime.fromtimestamp(at_ms / 1000, sources.settings.tz)
    return moment.strftime("%H:%M" if at_ms >= today_start else "%m-%d %H:%M")


def _day_start_ms(sources: Sources, view: SignView) -> int:
    return int(datetime.fromisoformat(view.day).replace(tzinfo=sources.settings.tz).timestamp() * 1000)


def _alarms(sources: Sources, view: SignView, master: SignMaster, scope: Scoped,
            limits: tuple[float, float]) -> Ticker:
    today = _day_start_ms(sources, view)
    rows = []
    for ident, state in scope.states.items():
        if state != "alarm":
            continue
        reading = view.readings[ident]
        sign = master.signs.get(master.sensors[ident].sign)
        tilted = reading.tilt is not None and reading.tilt >= limits[0]
        shaken = reading.vibration is not None and reading.vibration >= limits[1]
        kind = "both" if tilted and shaken else "tilt" if tilted else "vibration"
        name = Name(sign.name, sign.name_en) if sign else reading.sign
        district = BY_ADCODE[sign.district].name if sign and sign.district in BY_ADCODE else "—"
        rows.append((reading.at_ms, TickerRow(
            key=ident,
            cells=(_when(sources, reading.at_ms, today), name,
                   text(READING, tilt=reading.tilt or 0.0, vibration=reading.vibration or 0.0),
                   text(ALARM_LABELS[kind])),
            title=district)))
    rows.sort(key=lambda pair: (-pair[0], pair[1].key))
    return Ticker(tuple(row for _, row in rows), header=("时间", "招牌", "读数", "事项"),
                  empty_text="暂无报警")


def _loop(view: SignView, settings: SignSettings, district: str | None) -> Funnel:
    limits = settings.stage_limits_ms()
    month_ago = view.now_ms - 30 * DAY_MS
    cases = [c for c in view.cases if district in (None, c.district)]
    entered = Counter(s.stage for s in view.case_log
                      if district in (None, s.district) and s.at_ms >= month_ago)
    stages = []
    for stage in STAGES:
        if stage == STAGES[-1]:  # verified: closed, counted over the 30 days
            now, late = entered[stage], None
        else:
            here = [c for c in cases if c.stage == stage]
            now = len(here)
            late = sum(view.now_ms - c.since_ms > limits[stage] for c in here)
        stages.append(FunnelStage(
            key=stage, label=STAGE_LABELS[stage], bar=Stat(f"sign.cases.{stage}", "当前", now),
            cells=(Stat(f"sign.cases_entered.{stage}", "近30日", entered[stage]),
                   Stat(f"sign.cases_overdue.{stage}", "超期", late))))
    return Funnel(tuple(stages), columns=("环节", "当前", "近30日", "超期"))


def _trend(sources: Sources, view: SignView, typhoon: bool, district: str | None) -> Timeseries:
    today = view.hourly(typhoon, district)
    yesterday = view.hourly(typhoon, district, yesterday=True)
    hour = datetime.fromtimestamp(view.now_ms / 1000, sources.settings.tz).hour
    return Timeseries(
        x=tuple(text(HOUR, hour=h) for h in range(24)),
        series=(Series("今日", tuple(v if h <= hour else None for h, v in enumerate(today)),
                       "bar", theme.BAD),
                Series("昨日", tuple(yesterday), "line", "#ffffff")),
        stats=(Stat("sign.alarm_readings_today", "今日报警读数", sum(today)),
               Stat("sign.alarm_readings_yesterday", "昨日同时段", sum(yesterday[:hour + 1]))),
        y_title="次", x_every=3)


def _map(sources: Sources, master: SignMaster, scope: Scoped, rates: dict,
         district: str | None) -> DistrictMap:
    boundaries = sources.master("districts", sources.store.district_geojson)
    if district is not None:
        boundaries = {**boundaries, "features": [
            f for f in boundaries["features"] if f["properties"]["adcode"] == district]}
    equipped = [s for s in scope.signs if s.id in scope.sign_states]
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": s.id, "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
         "properties": {"id": s.id, "name": s.name, "name_en": s.name_en or s.name,
                        "district": s.district}} for s in equipped]}
    return DistrictMap(
        districts=boundaries, points=points, rates=rates,
        sizes={s.id: STATE_SIZES[scope.sign_states[s.id]] for s in equipped},
        selected=district, legend="区内在线传感器覆盖率", ramp=COVERAGE_RAMP,
        points_legend="传感器状态（颜色），报警放大", points_unit="",
        colours={s.id: STATE_COLOURS[scope.sign_states[s.id]] for s in equipped},
        hint="", points_key=tuple((text(STATE_LABELS[k]), c) for k, c in STATE_COLOURS.items()))


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the signboard screen for one scope (``None`` = the whole city)."""
    settings = sign_settings()
    master = load_master(sources)
    view = sources.sign.view()
    stats = sources.live.feed_stats()

    def at(feed: str) -> int | None:
        return stats[feed].last_event_ms if feed in stats else None

    typhoon = typhoon_on(view, settings)
    limits = settings.limits(typhoon)
    scope = scoped(master, view, settings, limits, district)
    ranking, rates = _coverage(master, view, settings, limits, district)
    return {
        "overview": TileData(_overview(view, scope, settings, typhoon, limits), at(SENSOR)),
        "map": TileData(_map(sources, master, scope, rates, district), at(SENSOR)),
        "coverage": TileData(ranking, at(SENSOR)),
        "risk": TileData(_risk(scope), at(SENSOR)),
        "alarms": TileData(_alarms(sources, view, master, scope, limits), at(SENSOR)),
        "loop": TileData(_loop(view, settings, district), at(INSPECTION)),
        "trend": TileData(_trend(sources, view, typhoon, district), at(SENSOR)),
    }
