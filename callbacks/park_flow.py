"""公园游客量 park visitor-flow screen: the data behind each tile, from live counts and master data."""

from __future__ import annotations

import time
from datetime import datetime

from dashboard import theme
from dashboard.districts import DISTRICTS
from dashboard.i18n import Name
from dashboard.sources import Sources
from datasources.park.reader import ParkView
from datasources.park.schema import ParkCountRow, ParkRow
from layouts.kinds import Stat, TileData, text
from layouts.kinds.board import Board, BoardRow
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.map import DistrictMap
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.park_flow import (
    ANNOUNCE,
    BAND_LABELS,
    BELOW,
    CLEARED,
    COUNTED,
    ESTIMATED,
    FROM,
    FULL,
    GATE,
    HOUR,
    LOAD,
    SLUG,
    YEAR,
)

__all__ = ["SLUG", "payload"]

TOP_PARKS = 5
CATEGORIES = ("城市公园", "口袋公园", "乡村公园")
TARGET = 1000


def band_of(in_park: int, capacity: int | None, bands: tuple[float, ...]) -> int:
    """0 without a capacity, else 1 (舒适) … 5 (拥挤): one more for each limit reached."""
    if not capacity:
        return 0
    share = in_park / capacity
    return 1 + sum(share >= limit for limit in bands)


def _name(park: ParkRow) -> Name:
    return Name(park.name, park.name_en)


def _parks(sources: Sources) -> list[ParkRow]:
    return sources.master("parks", lambda: sources.store.park.parks())


def _counted(view: ParkView, park: str, sources: Sources) -> bool:
    measured = view.parks[park].measured_ms
    return measured is not None and measured >= (time.time() - sources.settings.park_counted_within_s) * 1000


def _now(view: ParkView, parks: list[ParkRow], sources: Sources) -> Kpis:
    bands = sources.settings.park_bands
    shown = [p for p in parks if p.id in view.parks]
    alerts = full = 0
    for p in shown:
        live = view.parks[p.id]
        if p.capacity_instant:
            alerts += live.in_park >= p.capacity_instant * bands[2]
            full += live.in_park >= p.capacity_instant
    return Kpis((
        Kpi(Stat("park.in_park", "在园人数", view.in_park),
            (Stat("park.in_park_yesterday", "昨日同时", view.in_park_yesterday_same_time),
             Stat("park.counted", "实测公园", sum(_counted(view, p.id, sources) for p in shown)))),
        Kpi(Stat("park.entries_today", "今日入园", view.entered_today),
            (Stat("park.entries_yesterday", "昨日同时", view.entered_yesterday_same_time),
             Stat("park.exits_today", "今日离园", view.exited_today))),
        Kpi(Stat("park.alerts", "拥挤预警公园", alerts),
            (Stat("park.full", "已满公园", full), Stat("park.parks", "接入公园", len(shown)),
             # Parks the feeds name but master data does not know: counted city-wide only.
             Stat("park.unregistered", "未登记公园", len(view.unregistered)))),
    ))


def _board(view: ParkView, parks: list[ParkRow], sources: Sources) -> Board:
    bands = sources.settings.park_bands
    rows = []
    for p in parks:
        if p.id not in view.parks:
            continue
        live = view.parks[p.id]
        band = band_of(live.in_park, p.capacity_instant, bands)
        share = live.in_park / p.capacity_instant if p.capacity_instant else None
        label = FULL if p.capacity_instant and live.in_park >= p.capacity_instant else BAND_LABELS[band]
        rows.append(BoardRow(
            key=p.id, label=_name(p), tag=COUNTED if _counted(view, p.id, sources) else ESTIMATED,
            band=band, band_label=label, share=Stat(f"park.load.{p.id}", "在园率", share),
            cells=(Stat(f"park.in_park.{p.id}", "在园", live.in_park),
                   Stat(f"park.capacity.{p.id}", "承载量", p.capacity_instant),
                   Stat(f"park.entries_today.{p.id}", "今日入园人次", live.entered_today))))
    rows.sort(key=lambda r: (-(r.share.value if r.share.value is not None else -1), r.key))
    legend = tuple(
        (band, text(BELOW, label=text(BAND_LABELS[band]), high=bands[band - 1]) if band <= 4
         else text(FROM, label=text(BAND_LABELS[band]), low=bands[3]))
        for band in range(1, 6))
    return Board(tuple(rows), columns=("在园（人）", "瞬时承载（人）", "今日入园（人次）"), legend=legend,
                 empty_text="暂无接入公园")


def _alerts(view: ParkView, parks: list[ParkRow], sources: Sources) -> Ticker:
    bands = sources.settings.park_bands
    tz = sources.settings.tz
    today_start = datetime.fromisoformat(view.day).replace(tzinfo=tz).timestamp() * 1000
    rows = []
    for p in parks:
        live = view.parks.get(p.id)
        if live is None or not p.capacity_instant:
            continue
        alert = live.in_park >= p.capacity_instant * bands[2]
        crossing = live.crossing
        if not alert and not (crossing and crossing[0] == 0 and crossing[1] >= today_start):
            continue
        at = crossing[1] if crossing else None
        state = (FULL if live.in_park >= p.capacity_instant else ANNOUNCE) if alert else CLEARED
        when = datetime.fromtimestamp(at / 1000, tz).strftime("%H:%M") if at else "—"
        rows.append((at or 0, TickerRow(
            key=f"{p.id}-{at}",
            cells=(when, _name(p), text(LOAD, in_park=live.in_park, capacity=p.capacity_instant),
                   state),
            title=_name(p))))
    rows.sort(key=lambda pair: -pair[0])
    return Ticker(tuple(row for _, row in rows), header=("时间", "公园", "在园 / 承载", "状态"),
                  empty_text="今日暂无拥挤预警")


def _hourly(sources: Sources, view: ParkView) -> Timeseries:
    now = datetime.now(sources.settings.tz)
    elapsed = now.hour + 1 if view.day == now.strftime("%Y-%m-%d") else 24
    today = tuple(v if h < elapsed else None for h, v in enumerate(view.hourly_entered))
    return Timeseries(
        x=tuple(text(HOUR, hour=h) for h in range(24)),
        series=(Series("今日", today, "bar", theme.ACCENT),
                Series("昨日", view.hourly_entered_yesterday, "line", theme.WARN)),
        stats=(Stat("park.entries_this_hour", "本小时入园",
                    view.hourly_entered[now.hour] if elapsed < 24 else None),),
        y_title="人")


def _thousand(counts: list[ParkCountRow]) -> Timeseries:
    years = sorted({c.year for c in counts})
    by = {(c.year, c.category): c for c in counts}

    def values(category: str) -> tuple[int | None, ...]:
        return tuple(by[(y, category)].count if (y, category) in by else None for y in years)

    latest = by.get((years[-1], "全部")) if years else None
    share = latest.open_24h / latest.count if latest and latest.open_24h else None
    return Timeseries(
        x=tuple(text(YEAR, year=y) for y in years),
        series=(*(Series(c, values(c), "bar", colour) for c, colour in
                  zip(CATEGORIES, (theme.ACCENT, "#3ddc97", "#ffd166"), strict=True)),
                Series("全部", values("全部"), "line", "#ffffff"),
                Series("目标 1000", tuple(TARGET for _ in years), "line", theme.WARN)),
        stats=(Stat("park.count", "公园总数", latest.count if latest else None),
               Stat("park.open_24h_share", "24小时开放", share)),
        y_title="座", x_every=1)


def _top(view: ParkView, parks: list[ParkRow]) -> Ranking:
    rows = sorted(
        (RankRow(key=p.id, label=_name(p), value=view.parks[p.id].entered_today,
                 metric=f"park.entries_rank.{p.id}") for p in parks if p.id in view.parks),
        key=lambda r: (-(r.value or 0), r.key))[:TOP_PARKS]
    return Ranking(tuple(rows), bar_max=max([1, *(r.value or 0 for r in rows)]))


def _map(sources: Sources, view: ParkView, parks: list[ParkRow], district: str | None) -> DistrictMap:
    boundaries = sources.master("districts", sources.store.district_geojson)
    if district:
        boundaries = {**boundaries, "features": [
            f for f in boundaries["features"] if f["properties"]["adcode"] == district]}
    shown = [p for p in parks if p.id in view.parks]
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": p.id, "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
         "properties": {"id": p.id, "name": p.name, "name_en": p.name_en or p.name,
                        "district": p.district}} for p in shown]}
    rates: dict[str, float | None] = {}
    for d in DISTRICTS:
        mine = [p for p in shown if p.district == d.adcode and p.capacity_instant]
        capacity = sum(p.capacity_instant or 0 for p in mine)
        rates[d.adcode] = (sum(view.parks[p.id].in_park for p in mine) / capacity) if capacity else None
    bands = sources.settings.park_bands
    colours = {p.id: theme.COMFORT_COLOURS[band_of(view.parks[p.id].in_park, p.capacity_instant,
                                                   bands)] for p in shown}
    # Districts by the load of their parks, coloured as the comfort bands.
    ramp = ((0.0, theme.COMFORT_COLOURS[1]),
            *((limit, theme.COMFORT_COLOURS[band]) for band, limit in enumerate(bands, start=2)))
    return DistrictMap(districts=boundaries, points=points, rates=rates,
                       sizes={p.id: float(view.parks[p.id].in_park) for p in shown},
                       selected=district, legend="区内公园在园率",
                       points_legend="在园人数（圆点大小）与舒适度（颜色）", points_unit="人",
                       ramp=ramp, colours=colours)


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the park visitor-flow screen for one scope (``None`` = the whole city)."""
    parks = _parks(sources)
    view = sources.park.park_view(parks, district)
    scoped = [p for p in parks if district is None or p.district == district]
    stats = sources.live.feed_stats()
    at = stats[GATE].last_event_ms if GATE in stats else None
    counts = sources.master("park_counts", lambda: sources.store.park.park_counts())
    return {
        "now": TileData(_now(view, scoped, sources), at),
        "thousand": TileData(_thousand(counts), None),
        "alerts": TileData(_alerts(view, scoped, sources), at),
        "map": TileData(_map(sources, view, scoped, district), at),
        "board": TileData(_board(view, scoped, sources), at),
        "hourly": TileData(_hourly(sources, view), at),
        "top": TileData(_top(view, scoped), at),
    }
