"""垃圾分类 waste-sorting screen: the data behind each tile, from live aggregates and master data."""

from __future__ import annotations

import time
from datetime import datetime

from dashboard import theme
from dashboard.districts import BY_ADCODE, DISTRICTS
from dashboard.sources import Sources
from datasources.waste.reader import WasteView
from layouts.kinds import Stat, TileData, text
from layouts.kinds.counters import Counter, Counters
from layouts.kinds.gauge import Gauge
from layouts.kinds.map import DistrictMap
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.ticker import Ticker, TickerRow
from layouts.kinds.timeseries import Series, Timeseries
from layouts.waste_sorting import (
    CAMERA_NOTE,
    CATEGORIES,
    CATEGORY_LABELS,
    HOUR,
    QUALITY,
    ROUTE,
    SLUG,
    WEIGHING,
)

__all__ = ["SLUG", "payload"]

UNQUALIFIED_ROWS = 30


def _targets(sources: Sources, district: str | None) -> dict[str, float]:
    return sources.master(f"targets:{district}", lambda: sources.store.targets(district))


def _tonnes(view: WasteView, targets: dict[str, float]) -> Counters:
    return Counters(tuple(
        Counter(
            metric=f"waste.tonnes_today.{c}",
            label=CATEGORY_LABELS[c],
            value=view.tonnes.get(c, 0.0),
            target=targets.get(c),
            target_metric=f"waste.target_today.{c}",
            colour=theme.WASTE_CATEGORY_COLOURS[c],
        )
        for c in CATEGORIES
    ))


def _recycling(view: WasteView) -> Gauge:
    total = sum(view.tonnes.values())
    recovered = view.tonnes.get("recyclable", 0.0) + view.tonnes.get("wet", 0.0)
    share = recovered / total if total else None
    return Gauge(
        ring=Stat("waste.recycling_rate", "回收利用率", share),
        stats=(
            Stat("waste.tonnes_today.recovered", "资源化", round(recovered, 1)),
            Stat("waste.tonnes_today.total", "总量", round(total, 1)),
        ),
    )


def _cameras(sources: Sources, view: WasteView, district: str | None) -> Gauge:
    registered = sources.master(f"cameras:{district}", lambda: sources.store.cameras(district))
    known = {c.id for c in registered} | set(view.camera_last_seen)
    cutoff = (time.time() - sources.settings.camera_offline_after_s) * 1000
    online = sum(1 for seen in view.camera_last_seen.values() if seen >= cutoff)
    rate = view.quality.rate
    return Gauge(
        ring=Stat("waste.qualified_rate", "品质合格率", rate),
        stats=(
            Stat("waste.cameras.online", "在线探头", online),
            Stat("waste.cameras.total", "探头总数", len(known)),
            Stat("waste.quality.checks", "今日识别", view.quality.total),
        ),
    )


def _hourly(sources: Sources, view: WasteView) -> Timeseries:
    now = datetime.now(sources.settings.tz)
    # Hours that have not happened yet are blank, not zero.
    elapsed = now.hour + 1 if view.day == now.strftime("%Y-%m-%d") else 24
    today = tuple(round(v, 1) if h < elapsed else None for h, v in enumerate(view.hourly))
    this_hour = view.hourly[now.hour] if elapsed < 24 else None
    return Timeseries(
        x=tuple(text(HOUR, hour=h) for h in range(24)),
        series=(
            Series("今日", today, "bar", theme.ACCENT),
            Series("昨日", tuple(round(v, 1) for v in view.hourly_yesterday), "line", theme.WARN),
        ),
        stats=(
            Stat("waste.loads_today", "今日车次", view.loads),
            Stat("waste.tonnes_this_hour", "本小时",
                 None if this_hour is None else round(this_hour, 1)),
        ),
        y_title="吨",
    )


def _ranking(view: WasteView, district: str | None) -> Ranking:
    rows = []
    for d in DISTRICTS:
        count = view.quality_by_district.get(d.adcode)
        rate = count.rate if count else None
        rows.append(RankRow(
            key=d.adcode, label=d.name, value=rate,
            metric=f"waste.qualified_rate.{d.adcode}",
            href=f"/screens/{SLUG}?district={d.adcode}", selected=d.adcode == district,
        ))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.key))
    return Ranking(tuple(rows))


def _map(sources: Sources, view: WasteView, district: str | None) -> DistrictMap:
    boundaries = sources.master("districts", sources.store.district_geojson)
    stations = sources.master(f"stations:{district}", lambda: sources.store.stations(district))
    if district:
        boundaries = {**boundaries, "features": [
            f for f in boundaries["features"] if f["properties"]["adcode"] == district]}
    points = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": s.id,
             "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
             "properties": {"id": s.id, "name": s.name, "district": s.district}}
            for s in stations
        ],
    }
    rates = {d.adcode: view.quality_by_district.get(d.adcode).rate
             if d.adcode in view.quality_by_district else None for d in DISTRICTS}
    return DistrictMap(
        districts=boundaries, points=points, rates=rates,
        sizes={s.id: view.station_tonnes.get(s.id, 0.0) for s in stations},
        selected=district, legend="今日合格率",
        points_legend="中转站今日进场量（演示站点）", points_unit="吨",
    )


def _registered_in(sources: Sources, district: str) -> dict[str, frozenset[str]]:
    """The ids of the sites, vehicles, stations and cameras registered in ``district``."""

    def load() -> dict[str, frozenset[str]]:
        store = sources.store
        return {kind: frozenset(row.id for row in rows(district)) for kind, rows in (
            ("site", store.sites), ("vehicle", store.vehicles), ("station", store.stations),
            ("camera", store.cameras))}

    return sources.master(f"waste_entities:{district}", load)


def _unqualified(sources: Sources, view: WasteView, district: str | None) -> Ticker:
    names = sources.master("entity_names", sources.store.entity_names)
    # A district's screen names only its own registered entities: a load of this district
    # may trace to another district's site, vehicle and station, or name unregistered ones,
    # whose district nobody knows (they show on the city's screen only).
    mine = None if district is None else _registered_in(sources, district)

    def shown(kind: str, ident: str | None) -> str | None:
        return ident if ident and (mine is None or ident in mine[kind]) else None

    tz = sources.settings.tz
    rows = []
    for n, load in enumerate(view.unqualified[:UNQUALIFIED_ROWS]):
        when = datetime.fromtimestamp(load.ts_ms / 1000, tz).strftime("%H:%M:%S")
        place = BY_ADCODE[load.district].name if load.district in BY_ADCODE else load.district
        site_id, vehicle_id, station_id, camera = (
            shown("site", load.site), shown("vehicle", load.vehicle),
            shown("station", load.station), shown("camera", load.camera))
        site = names.get(site_id, site_id) if site_id else text("未登记收集点")
        vehicle = names.get(vehicle_id, vehicle_id) if vehicle_id else text("未登记车辆")
        station = names.get(station_id, station_id) if station_id else text("未登记中转站")
        rows.append(TickerRow(
            key=f"{load.ts_ms}-{camera}" if camera else f"{load.ts_ms}-{n}",
            cells=(when, place, text(ROUTE, site=site, vehicle=vehicle, station=station),
                   load.issue or "品质不合格"),
            title=text(CAMERA_NOTE, camera=camera or "—", confidence=load.confidence),
        ))
    return Ticker(tuple(rows), header=("时间", "区", "收集点 → 车辆 → 中转站", "问题"),
                  empty_text="今日暂无不合格记录")


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the waste-sorting screen for one scope (``None`` = the whole city)."""
    view = sources.waste.waste_view(district=district, limit=UNQUALIFIED_ROWS)
    stats = sources.live.feed_stats()
    weighing_at = stats[WEIGHING].last_event_ms if WEIGHING in stats else None
    quality_at = stats[QUALITY].last_event_ms if QUALITY in stats else None
    return {
        "tonnes": TileData(_tonnes(view, _targets(sources, district)), weighing_at),
        "recycling": TileData(_recycling(view), weighing_at),
        "cameras": TileData(_cameras(sources, view, district), quality_at),
        "map": TileData(_map(sources, view, district), quality_at),
        "ranking": TileData(_ranking(view, district), quality_at),
        "hourly": TileData(_hourly(sources, view), weighing_at),
        "unqualified": TileData(_unqualified(sources, view, district), quality_at),
    }
