"""Simulated waste-sorting feeds (模拟数据源): truck weighings (车载称重) and quality-camera
verdicts (品质识别), planned day by day for the platform's simulator
(``datasources.platform.publisher``).

Each simulated day is planned from the rng seed and the date alone, so every event has a
stable ``event_id``: publishing the same period again (a second backfill after a restart) is
deduplicated downstream. Loads are calibrated so a day sums to the districts' daily targets,
follow a collection day's shape (quiet nights, early-morning and evening runs), and go from a
site's vehicle to that vehicle's transfer station. Verdicts come from the sites' cameras, with
each district's unqualified share taken from its recent history.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from datasources.platform.publisher import (
    Malformation,
    Planned,
    drop_one_of,
    malformed,
    overlong,
    replaced,
)
from datasources.platform.snapshot import SnapshotStore
from datasources.waste.schema import CATEGORIES
from datasources.waste.seed import VERDICTS_PER_CAMERA_PER_DAY, WEEKDAY_FACTORS, unqualified_share

WEIGHING = "waste.weighing"
QUALITY = "waste.quality"
FEEDS = (WEIGHING, QUALITY)

# Tonnes per truck load, by category.
LOAD_TONNES: dict[str, tuple[float, float]] = {
    "wet": (3.0, 8.0),
    "dry": (5.0, 12.0),
    "recyclable": (2.0, 6.0),
    "hazardous": (0.01, 0.2),
}
# Relative activity per hour of the day (0–23, local time). Wet garbage is collected after
# the residents' drop-off windows (定时定点投放, about 7–9 and 18–20), so its runs and the
# cameras' verdicts peak early morning and evening; dry garbage follows with night transfers;
# recyclables and hazardous waste move in daytime.
HOURLY_WEIGHTS: dict[str, tuple[int, ...]] = {
    "wet": (1, 1, 1, 1, 2, 5, 9, 11, 10, 7, 4, 3, 3, 3, 3, 3, 4, 6, 9, 11, 10, 7, 3, 2),
    "dry": (2, 2, 2, 2, 3, 5, 7, 8, 8, 7, 5, 4, 4, 4, 4, 4, 5, 6, 7, 8, 8, 7, 5, 3),
    "recyclable": (0, 0, 0, 0, 0, 0, 1, 2, 6, 9, 10, 9, 6, 7, 9, 9, 7, 4, 2, 1, 0, 0, 0, 0),
    "hazardous": (0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 8, 6, 2, 4, 8, 6, 3, 0, 0, 0, 0, 0, 0, 0),
}
VERDICT_HOURS = "wet"  # a verdict is given when a wet-garbage bin is tipped
UNQUALIFIED_RANGE = (0.05, 0.12)
# Why a load was judged unqualified, with relative frequency.
ISSUES: tuple[tuple[str, int], ...] = (
    ("混有塑料袋", 30),
    ("混有干垃圾", 25),
    ("未破袋", 15),
    ("桶满溢", 12),
    ("混有可回收物", 10),
    ("含有害垃圾", 3),
)
_ISSUE_LABELS = [label for label, _ in ISSUES]
_ISSUE_CUM = list(accumulate(weight for _, weight in ISSUES))


@dataclass(frozen=True, slots=True)
class SimSite:
    """A collection site as the simulator uses it: who collects there and where it goes."""

    id: str
    district: str
    vehicle: str
    station: str
    camera: str | None


@dataclass(frozen=True)
class SimEntities:
    """What the simulator needs from master data: sites, targets, quality by district."""

    sites: tuple[SimSite, ...]
    targets: dict[str, dict[str, float]]
    unqualified_share: dict[str, float]

    @classmethod
    def from_store(cls, store: SnapshotStore, history_days: int = 30) -> SimEntities | None:
        """Read sites with their vehicle, station and camera, targets and recent quality;
        ``None`` when the store has no waste master data."""
        if store.waste.is_empty():
            return None
        stations = {v.id: v.station_id for v in store.waste.vehicles()}
        cameras = {c.site_id: c.id for c in store.waste.cameras() if c.site_id}
        sites = tuple(
            SimSite(s.id, s.district, s.vehicle_id, stations[s.vehicle_id], cameras.get(s.id))
            for s in store.waste.sites()
            if s.vehicle_id and stations.get(s.vehicle_id)
        )
        targets, shares = {}, {}
        low, high = UNQUALIFIED_RANGE
        for district in store.districts():
            targets[district.adcode] = store.waste.targets(district.adcode)
            history = store.waste.quality_history(history_days, district.adcode)
            verdicts = sum(p.qualified + p.unqualified for p in history)
            share = (
                sum(p.unqualified for p in history) / verdicts
                if verdicts
                else unqualified_share(district.adcode)
            )
            shares[district.adcode] = min(max(share, low), high)
        return cls(sites, targets, shares)

    def plan(self, tz: tzinfo, rng_seed: int) -> WastePlan:
        """The simulator plan of these entities."""
        return WastePlan(self, tz, rng_seed)


class _Load(NamedTuple):
    """A planned event before it becomes a message (its fields are made when it is sent)."""

    at_ms: int
    feed: str
    seq: int
    site: SimSite
    kind: str  # category for a weighing, verdict for a quality check
    amount: float  # tonnes, or confidence
    issue: str | None


class WastePlan:
    """The waste messages of any period, planned day by day (the last three days kept)."""

    name = "waste"
    feeds = FEEDS

    def __init__(self, entities: SimEntities, tz: tzinfo, rng_seed: int):
        self.entities, self.tz, self.rng_seed = entities, tz, rng_seed
        self.malformations = MALFORMATIONS
        self._by_district: dict[str, list[SimSite]] = {}
        for site in entities.sites:
            self._by_district.setdefault(site.district, []).append(site)
        self._plan = lru_cache(maxsize=3)(self._plan_day)

    def _midnight_ms(self, day: date) -> int:
        return int(datetime.combine(day, dtime(), self.tz).timestamp() * 1000)

    def _plan_day(self, day: date) -> tuple[list[int], list[_Load]]:
        """Every valid event of ``day`` in time order, with the sorted times for bisecting."""
        rng = random.Random(f"greenwall-sim:{self.rng_seed}:{day.isoformat()}")
        start_ms = self._midnight_ms(day)
        weekday = WEEKDAY_FACTORS[day.weekday()]
        hours = {k: list(accumulate(w)) for k, w in HOURLY_WEIGHTS.items()}

        def moment(profile: str) -> int:
            hour = rng.choices(range(24), cum_weights=hours[profile])[0]
            return start_ms + int((hour + rng.random()) * 3_600_000)

        planned: list[_Load] = []
        for district in sorted(self._by_district):
            sites = self._by_district[district]
            targets = self.entities.targets.get(district, {})
            for category in CATEGORIES:
                goal = targets.get(category, 0.0) * weekday * rng.uniform(0.97, 1.03)
                low, high = LOAD_TONNES[category]
                digits = 3 if category == "hazardous" else 2
                while goal >= 10.0**-digits:
                    tonnes = round(min(rng.uniform(low, high), goal), digits)
                    goal -= tonnes
                    site = rng.choice(sites)
                    planned.append(
                        _Load(moment(category), WEIGHING, 0, site, category, tonnes, None)
                    )
            share = self.entities.unqualified_share.get(district, unqualified_share(district))
            for site in sites:
                if site.camera is None:
                    continue
                verdicts = VERDICTS_PER_CAMERA_PER_DAY * weekday * rng.uniform(0.9, 1.1)
                for _ in range(round(verdicts)):
                    if rng.random() < share:
                        issue = rng.choices(_ISSUE_LABELS, cum_weights=_ISSUE_CUM)[0]
                        verdict, confidence = "unqualified", rng.uniform(0.62, 0.97)
                    else:
                        issue, verdict, confidence = None, "qualified", rng.uniform(0.82, 0.99)
                    at = moment(VERDICT_HOURS)
                    planned.append(_Load(at, QUALITY, 0, site, verdict, confidence, issue))
        # Sequence numbers follow the plan's order, which depends only on seed, day and entities.
        counters = {WEIGHING: 0, QUALITY: 0}
        numbered = []
        for p in planned:
            counters[p.feed] += 1
            numbered.append(p._replace(seq=counters[p.feed]))
        numbered.sort(key=lambda p: p.at_ms)
        return [p.at_ms for p in numbered], numbered

    def _fields(self, p: _Load, day: date) -> dict[str, str]:
        ts = datetime.fromtimestamp(p.at_ms / 1000, self.tz).isoformat(timespec="milliseconds")
        tag = "W" if p.feed == WEIGHING else "Q"
        fields = {"ts": ts, "event_id": f"sim{self.rng_seed}-{day:%Y%m%d}-{tag}{p.seq:06d}"}
        if p.feed == WEIGHING:
            digits = 3 if p.kind == "hazardous" else 2
            fields |= {
                "district": p.site.district,
                "station": p.site.station,
                "vehicle": p.site.vehicle,
                "category": p.kind,
                "tonnes": f"{p.amount:.{digits}f}",
            }
        else:
            fields |= {
                "district": p.site.district,
                "camera": p.site.camera or "",
                "site": p.site.id,
                "verdict": p.kind,
                "confidence": f"{p.amount:.2f}",
            }
            if p.issue:
                fields["issue"] = p.issue
        return fields

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        """The planned messages with ``start_ms <= at < end_ms``, in time order."""
        day = datetime.fromtimestamp(start_ms / 1000, self.tz).date()
        while self._midnight_ms(day) < end_ms:
            times, planned = self._plan(day)
            lo, hi = bisect.bisect_left(times, start_ms), bisect.bisect_left(times, end_ms)
            for p in planned[lo:hi]:
                yield Planned(p.at_ms, p.feed, self._fields(p, day))
            day += timedelta(days=1)

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Nothing: a backfill of yesterday and today is all the waste screen needs."""
        return iter(())


_REQUIRED = {
    WEIGHING: ("district", "station", "vehicle", "category", "tonnes"),
    QUALITY: ("district", "camera", "site", "verdict", "confidence"),
}
_UNKNOWN_DISTRICT = replaced("district", "310199", "火星区", "3101")
_BAD_TS = replaced("ts", "29/11/2026 07:15", "2026-13-45T99:00:00+08:00", "yesterday")


def _negative_tonnes(bad: dict[str, str], pick: int) -> None:
    bad["tonnes"] = f"-{bad['tonnes']}"


def _confidence_over_1(bad: dict[str, str], pick: int) -> None:
    bad["confidence"] = f"{1.01 + pick % 89 / 10:.2f}"


MALFORMATIONS: dict[str, dict[str, Malformation]] = {
    WEIGHING: {
        "negative_tonnes": _negative_tonnes,
        "unknown_district": _UNKNOWN_DISTRICT,
        "bad_category": replaced("category", "kitchen", "WET", "其他"),
        "missing_field": drop_one_of(*_REQUIRED[WEIGHING]),
        "bad_ts": _BAD_TS,
        "overlong_id": overlong("station"),
    },
    QUALITY: {
        "unknown_district": _UNKNOWN_DISTRICT,
        "missing_field": drop_one_of(*_REQUIRED[QUALITY]),
        "bad_ts": _BAD_TS,
        "confidence_over_1": _confidence_over_1,
        "overlong_id": overlong("camera"),
    },
}
"""How the simulator breaks a waste message, per feed (``bad_ratio``)."""


def malformations(feed: str) -> tuple[str, ...]:
    """The kinds of malformed message the simulator produces for ``feed``."""
    return tuple(MALFORMATIONS[feed])


def malform(fields: dict[str, str], feed: str, kind: str) -> dict[str, str]:
    """A copy of a valid waste message broken in one way the contract forbids, with its own id."""
    return malformed(fields, MALFORMATIONS[feed], kind)
