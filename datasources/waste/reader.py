"""Reading the waste-sorting (垃圾分类) aggregates: one day's ``WasteView``, city-wide or for a
district. The key scheme is in ``datasources.waste.effects``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from dashboard.districts import CITY_ADCODE, DISTRICTS, resolve_district
from datasources.platform.feedstats import LiveReader
from datasources.waste.effects import hourly_field, loads_field, tonnes_field, verdict_field
from datasources.waste.feeds import WASTE_CATEGORIES


@dataclass(frozen=True)
class QualityCount:
    """Wet-garbage quality verdicts (品质识别) in one scope."""

    qualified: int = 0
    unqualified: int = 0

    @property
    def total(self) -> int:
        return self.qualified + self.unqualified

    @property
    def rate(self) -> float | None:
        """Qualified share (合格率), or ``None`` before the first verdict."""
        return self.qualified / self.total if self.total else None


@dataclass(frozen=True)
class UnqualifiedLoad:
    """An unqualified load traced back: station ← vehicle ← collection site."""

    ts_ms: int
    district: str
    camera: str
    site: str
    vehicle: str | None
    station: str | None
    issue: str | None
    confidence: float


@dataclass(frozen=True)
class WasteView:
    """Everything the waste-sorting screen shows for one day, city-wide or for one district.

    ``version`` is the data version the view was read at (read in the same transaction).
    """

    day: str
    district: str | None
    tonnes: dict[str, float]
    loads: int
    hourly: list[float]
    hourly_yesterday: list[float]
    tonnes_by_district: dict[str, dict[str, float]]
    station_tonnes: dict[str, float]
    quality: QualityCount
    quality_by_district: dict[str, QualityCount]
    camera_last_seen: dict[str, int]
    unqualified: list[UnqualifiedLoad]
    version: int = 0


def _hourly(values: dict[str, str], scope: str) -> list[float]:
    return [float(values.get(hourly_field(scope, hour), 0)) for hour in range(24)]


def _quality(values: dict[str, str], scope: str) -> QualityCount:
    return QualityCount(
        qualified=int(values.get(verdict_field(scope, "qualified"), 0)),
        unqualified=int(values.get(verdict_field(scope, "unqualified"), 0)),
    )


class WasteReader(LiveReader):
    """Reads the waste aggregates for tiles (and, as a ``LiveReader``, the feed counters);
    every read is one round trip (a MULTI/EXEC pipeline, so it sees whole ingest batches only)."""

    def waste_view(
        self, district: str | None = None, day: str | None = None, limit: int = 30
    ) -> WasteView:
        """The waste-sorting aggregates of ``day`` (default today) in ``district``'s scope
        (adcode or Chinese name; ``None`` or ``310000`` for the whole city)."""
        if district is not None and district != CITY_ADCODE:
            district = resolve_district(district).adcode
        else:
            district = None
        scope = district or CITY_ADCODE
        day = day or self.today()
        yesterday = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)
        pipe.hgetall(keys.day("weighing", day))
        pipe.hgetall(keys.day("weighing_hourly", day))
        pipe.hgetall(keys.day("weighing_hourly", yesterday))
        pipe.hgetall(keys.day("quality", day))
        pipe.hgetall(keys.latest("camera_seen"))
        pipe.hgetall(keys.latest("camera_district"))
        # A district's newest loads may sit anywhere in the city-wide list.
        pipe.lrange(keys.day_list("unqualified", day), 0, -1 if district else max(limit - 1, 0))
        pipe.get(keys.version)
        weighing, hourly, hourly_before, quality, seen, camera_district, loads, version = (
            pipe.execute()
        )

        station_tonnes: dict[str, float] = {}
        for field, value in weighing.items():
            if field.startswith("station_tonnes:"):
                _, adcode, _, station = field.split(":", 3)
                if district is None or adcode == district:
                    station_tonnes[station] = station_tonnes.get(station, 0.0) + float(value)
        unqualified = []
        for raw in loads:
            if len(unqualified) >= limit:
                break
            load = UnqualifiedLoad(**json.loads(raw))
            if district is None or load.district == district:
                unqualified.append(load)
        return WasteView(
            day=day,
            district=district,
            tonnes={c: float(weighing.get(tonnes_field(scope, c), 0)) for c in WASTE_CATEGORIES},
            loads=sum(int(weighing.get(loads_field(scope, c), 0)) for c in WASTE_CATEGORIES),
            hourly=_hourly(hourly, scope),
            hourly_yesterday=_hourly(hourly_before, scope),
            tonnes_by_district={
                d.adcode: {c: float(weighing.get(tonnes_field(d.adcode, c), 0)) for c in WASTE_CATEGORIES}
                for d in DISTRICTS
            },
            station_tonnes=station_tonnes,
            quality=_quality(quality, scope),
            quality_by_district={d.adcode: _quality(quality, d.adcode) for d in DISTRICTS},
            camera_last_seen={
                camera: int(ms)
                for camera, ms in seen.items()
                if district is None or camera_district.get(camera) == district
            },
            unqualified=unqualified,
            version=int(version or 0),
        )
