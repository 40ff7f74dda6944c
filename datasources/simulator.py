"""Feed simulator (模拟数据源): truck weighings (车载称重) and quality-camera verdicts (品质识别),
and — from a snapshot that has forest master data — the forest-chief feeds of
``datasources.forest_sim`` (patrols, fire danger, cases), merged in time order.

Publishes to the live-feed streams exactly what upstream systems would, so a new install
shows a living waste-sorting screen at once. Each simulated day is planned from the rng
seed and the date alone, so every event has a stable ``event_id``: publishing the same
period again (a second backfill after a restart) is deduplicated downstream.

Loads are calibrated so a day sums to the districts' daily targets, follow a collection
day's shape (quiet nights, early-morning and evening runs), and go from a site's vehicle to
that vehicle's transfer station. Verdicts come from the sites' cameras, with each district's
unqualified share taken from its recent history.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple

import redis

from datasources import forest_sim
from datasources.keys import CONSUMER_GROUP, Keys
from datasources.seed import VERDICTS_PER_CAMERA_PER_DAY, WEEKDAY_FACTORS, unqualified_share
from datasources.snapshot import SnapshotStore
from datasources.snapshot_schema import CATEGORIES

log = logging.getLogger(__name__)

WEIGHING = "waste.weighing"
QUALITY = "waste.quality"
STREAM_MAXLEN = 100_000  # approximate cap, so an always-on demo does not grow without bound
DEFAULT_RNG_SEED = 20231

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
PUBLISH_CHUNK = 500
MAX_BACKOFF_S = 30.0
READER_STALL_S = 15.0  # give up waiting for a consumer group that makes no progress


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
    def from_store(cls, store: SnapshotStore, history_days: int = 30) -> SimEntities:
        """Read sites with their vehicle, station and camera, targets and recent quality."""
        stations = {v.id: v.station_id for v in store.vehicles()}
        cameras = {c.site_id: c.id for c in store.cameras() if c.site_id}
        sites = tuple(
            SimSite(s.id, s.district, s.vehicle_id, stations[s.vehicle_id], cameras.get(s.id))
            for s in store.sites()
            if s.vehicle_id and stations.get(s.vehicle_id)
        )
        targets, shares = {}, {}
        low, high = UNQUALIFIED_RANGE
        for district in store.districts():
            targets[district.adcode] = store.targets(district.adcode)
            history = store.quality_history(history_days, district.adcode)
            verdicts = sum(p.qualified + p.unqualified for p in history)
            share = (
                sum(p.unqualified for p in history) / verdicts
                if verdicts
                else unqualified_share(district.adcode)
            )
            shares[district.adcode] = min(max(share, low), high)
        return cls(sites, targets, shares)


class SimEvent(NamedTuple):
    """One message: the feed it belongs to and its flat string fields, as XADD writes them."""

    feed: str
    fields: dict[str, str]


class _Planned(NamedTuple):
    at_ms: int
    feed: str
    seq: int
    site: SimSite
    kind: str  # category for a weighing, verdict for a quality check
    amount: float  # tonnes, or confidence
    issue: str | None
    malformed: str | None = None  # also publish a copy broken this way (see malform)


class Simulator:
    """Publishes simulated ``waste.weighing`` and ``waste.quality`` messages to Redis.

    ``rng_seed=None`` means ``DEFAULT_RNG_SEED``: the plan must be the same after a restart
    for its event ids to deduplicate. ``speed`` runs the simulated clock faster than the wall
    clock (its ``ts`` then runs ahead of real time). ``bad_ratio`` adds that many malformed
    messages per valid one, of varied kinds, to exercise validation and dead-lettering.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        store_entities: SimEntities | SnapshotStore,
        tz: tzinfo,
        rng_seed: int | None = None,
        speed: float = 1.0,
        bad_ratio: float = 0.0,
        *,
        maxlen: int = STREAM_MAXLEN,
        forest: forest_sim.ForestEntities | None = None,
    ):
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        if not 0.0 <= bad_ratio <= 1.0:
            raise ValueError(f"bad_ratio must be within 0–1, got {bad_ratio}")
        self.client, self.keys, self.tz = client, keys, tz
        self.entities = (
            SimEntities.from_store(store_entities)
            if isinstance(store_entities, SnapshotStore)
            else store_entities
        )
        if forest is None and isinstance(store_entities, SnapshotStore):
            forest = forest_sim.ForestEntities.from_store(store_entities)
        self.rng_seed = DEFAULT_RNG_SEED if rng_seed is None else rng_seed
        self.forest = None if forest is None else forest_sim.ForestPlan(forest, tz, self.rng_seed)
        self.speed, self.bad_ratio, self.maxlen = speed, bad_ratio, maxlen
        self.published = {WEIGHING: 0, QUALITY: 0}
        if self.forest is not None:
            self.published |= dict.fromkeys(forest_sim.FEEDS, 0)
        self._published_until: datetime | None = None
        self._by_district: dict[str, list[SimSite]] = {}
        for site in self.entities.sites:
            self._by_district.setdefault(site.district, []).append(site)
        self._plan = lru_cache(maxsize=3)(self._plan_day)

    def _midnight_ms(self, day: date) -> int:
        return int(datetime.combine(day, dtime(), self.tz).timestamp() * 1000)

    def _plan_day(self, day: date) -> tuple[list[int], list[_Planned]]:
        """Every valid event of ``day`` in time order, with the sorted times for bisecting."""
        rng = random.Random(f"greenwall-sim:{self.rng_seed}:{day.isoformat()}")
        start_ms = self._midnight_ms(day)
        weekday = WEEKDAY_FACTORS[day.weekday()]
        hours = {k: list(accumulate(w)) for k, w in HOURLY_WEIGHTS.items()}

        def moment(profile: str) -> int:
            hour = rng.choices(range(24), cum_weights=hours[profile])[0]
            return start_ms + int((hour + rng.random()) * 3_600_000)

        planned: list[_Planned] = []
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
                        _Planned(moment(category), WEIGHING, 0, site, category, tonnes, None)
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
                    planned.append(_Planned(at, QUALITY, 0, site, verdict, confidence, issue))
        # Sequence numbers follow the plan's order, which depends only on seed, day and
        # entities; malformed copies come from their own stream so valid events never change.
        bad_rng = random.Random(f"greenwall-sim-bad:{self.rng_seed}:{day.isoformat()}")
        counters = {WEIGHING: 0, QUALITY: 0}
        numbered = []
        for p in planned:
            counters[p.feed] += 1
            broken = bad_rng.choice(_APPLIES[p.feed]) if bad_rng.random() < self.bad_ratio else None
            numbered.append(p._replace(seq=counters[p.feed], malformed=broken))
        numbered.sort(key=lambda p: p.at_ms)
        return [p.at_ms for p in numbered], numbered

    def _fields(self, p: _Planned, day: date) -> dict[str, str]:
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

    def events_between(self, start: datetime, end: datetime) -> Iterator[SimEvent]:
        """The planned messages with ``start <= ts < end``, in time order, malformed included."""
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        waste = self._waste_between(start, start_ms, end_ms)
        if self.forest is None:
            yield from (event for _, event in waste)
            return
        forest = self._forest(self.forest.events_between(start_ms, end_ms))
        for _, event in heapq.merge(waste, forest, key=lambda pair: pair[0]):
            yield event

    def _waste_between(self, start: datetime, start_ms: int, end_ms: int
                       ) -> Iterator[tuple[int, SimEvent]]:
        day = start.astimezone(self.tz).date()
        while self._midnight_ms(day) < end_ms:
            times, planned = self._plan(day)
            lo, hi = bisect.bisect_left(times, start_ms), bisect.bisect_left(times, end_ms)
            for p in planned[lo:hi]:
                fields = self._fields(p, day)
                yield p.at_ms, SimEvent(p.feed, fields)
                if p.malformed:
                    yield p.at_ms, SimEvent(p.feed, malform(fields, p.feed, p.malformed))
            day += timedelta(days=1)

    def _forest(self, planned: Iterable[forest_sim.Planned]) -> Iterator[tuple[int, SimEvent]]:
        """Forest messages, each followed by a malformed copy for a ``bad_ratio`` share."""
        for p in planned:
            yield p.at_ms, SimEvent(p.feed, dict(p.fields))
            if self.bad_ratio:
                # Decided by the message alone, so a replay breaks the same messages.
                rng = random.Random(f"greenwall-sim-bad:{p.fields['event_id']}")
                if rng.random() < self.bad_ratio:
                    kind = rng.choice(forest_sim.MALFORMATIONS[p.feed])
                    yield p.at_ms, SimEvent(p.feed, forest_sim.malform(p.fields, p.feed, kind))

    def backfill(self, now: datetime | None = None, stop: threading.Event | None = None) -> int:
        """Publish yesterday's events and today's until ``now``; returns how many.

        Days are the simulator's time zone's; ``now`` (aware) defaults to the current time.
        """
        now = (now or datetime.now(self.tz)).astimezone(self.tz)
        start = datetime.combine(now.date() - timedelta(days=1), dtime(), self.tz)
        stop = stop or threading.Event()
        count = 0
        if self.forest is not None:  # cases reach back weeks: the 30-day figures need them
            history = self._forest(self.forest.history(int(start.timestamp() * 1000)))
            count += self._publish((event for _, event in history), stop, wait_for_readers=True)
        count += self._publish(self.events_between(start, now), stop, wait_for_readers=True)
        if not stop.is_set():
            self._published_until = now
        log.info("backfilled %d simulated messages from %s to %s", count, start, now)
        return count

    def run(self, stop: threading.Event, tick_s: float = 1.0) -> None:
        """Publish in real time (× ``speed``) until ``stop`` is set; survives Redis outages."""
        wall_start = time.monotonic()
        sim_start = self._published_until or datetime.now(self.tz)
        cursor = sim_start
        try:
            while not stop.is_set():
                elapsed = (time.monotonic() - wall_start) * self.speed
                sim_now = sim_start + timedelta(seconds=elapsed)
                if sim_now > cursor:
                    self._publish(self.events_between(cursor, sim_now), stop)
                    if not stop.is_set():
                        cursor = self._published_until = sim_now
                self._retrying(self._heartbeat, stop)
                stop.wait(tick_s)
        finally:
            self._forget_heartbeat()

    def _publish(
        self, events: Iterable[SimEvent], stop: threading.Event, wait_for_readers: bool = False
    ) -> int:
        count = 0
        size = max(1, min(PUBLISH_CHUNK, self.maxlen // 4))
        stalled: set[str] = set()
        for chunk in _chunks(events, size):
            if wait_for_readers:
                for stream in sorted({self.keys.feed(e.feed) for e in chunk} - stalled):
                    if not self._wait_for_readers(stream, len(chunk), stop):
                        stalled.add(stream)
            if not self._retrying(lambda chunk=chunk: self._xadd(chunk), stop):
                break
            for event in chunk:
                self.published[event.feed] += 1
            count += len(chunk)
        return count

    def _xadd(self, chunk: Sequence[SimEvent]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for event in chunk:
            stream = self.keys.feed(event.feed)
            pipe.xadd(stream, event.fields, maxlen=self.maxlen, approximate=True)
        pipe.execute()

    def _retrying(self, action: Callable[[], Any], stop: threading.Event) -> bool:
        """Run ``action`` until it gets through to Redis; False if ``stop`` came first."""
        delay = 0.5
        while not stop.is_set():
            try:
                action()
                return True
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("Redis unavailable (%s); retrying in %.1f s", exc, delay)
                stop.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
        return False

    def _wait_for_readers(self, stream: str, adding: int, stop: threading.Event) -> bool:
        """Hold back while adding entries would make the cap drop some the ingest group has
        not read (a backfill writes more than a day at once). False if the group stalled."""
        best, since = None, time.monotonic()
        while not stop.is_set():
            lag = self._group_lag(stream)
            if lag is None or lag + adding <= self.maxlen:
                return True
            if best is None or lag < best:
                best, since = lag, time.monotonic()
            elif time.monotonic() - since > READER_STALL_S:
                log.warning("consumer group on %s stalled at lag %d; not waiting", stream, lag)
                return False
            stop.wait(0.05)
        return True

    def _group_lag(self, stream: str) -> int | None:
        try:
            groups = self.client.xinfo_groups(stream)
        except redis.ResponseError:
            return None  # no stream yet
        for group in groups:
            name = group.get("name")
            if (name.decode() if isinstance(name, bytes) else name) == CONSUMER_GROUP:
                lag = group.get("lag")
                return None if lag is None else int(lag)
        return None

    def _heartbeat(self) -> None:
        key = self.keys.heartbeat("simulator")
        self.client.hset(key, str(os.getpid()), str(int(time.time() * 1000)))

    def _forget_heartbeat(self) -> None:
        try:
            self.client.hdel(self.keys.heartbeat("simulator"), str(os.getpid()))
        except redis.RedisError:
            log.info("could not remove the simulator heartbeat; it will age out")


_APPLIES = {
    WEIGHING: ("negative_tonnes", "unknown_district", "bad_category", "missing_field",
               "bad_ts", "overlong_id"),
    QUALITY: ("unknown_district", "missing_field", "bad_ts", "confidence_over_1", "overlong_id"),
}  # fmt: skip
_REQUIRED = {
    WEIGHING: ("district", "station", "vehicle", "category", "tonnes"),
    QUALITY: ("district", "camera", "site", "verdict", "confidence"),
}


def malformations(feed: str) -> tuple[str, ...]:
    """The kinds of malformed message the simulator produces for ``feed``."""
    return _APPLIES[feed]


def malform(fields: dict[str, str], feed: str, kind: str) -> dict[str, str]:
    """A copy of a valid message broken in one way the contract forbids, with its own id.

    Which field breaks, and how, is derived from the message so the copy is deterministic.
    """
    if kind not in _APPLIES[feed]:
        raise ValueError(f"{kind!r} does not apply to {feed}; one of {_APPLIES[feed]}")
    pick = int(fields["event_id"].rsplit("-", 1)[-1][1:] or 0)
    bad = dict(fields, event_id=f"{fields['event_id']}-x")
    if kind == "negative_tonnes":
        bad["tonnes"] = f"-{fields['tonnes']}"
    elif kind == "unknown_district":
        bad["district"] = ("310199", "火星区", "3101")[pick % 3]
    elif kind == "bad_category":
        bad["category"] = ("kitchen", "WET", "其他")[pick % 3]
    elif kind == "missing_field":
        del bad[_REQUIRED[feed][pick % len(_REQUIRED[feed])]]
    elif kind == "bad_ts":
        bad["ts"] = ("29/11/2026 07:15", "2026-13-45T99:00:00+08:00", "yesterday")[pick % 3]
    elif kind == "confidence_over_1":
        bad["confidence"] = f"{1.01 + pick % 89 / 10:.2f}"
    else:
        field = "station" if feed == WEIGHING else "camera"
        bad[field] = (fields[field] + "-") * 8
    return bad


def _chunks(items: Iterable[SimEvent], size: int) -> Iterator[list[SimEvent]]:
    chunk: list[SimEvent] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
