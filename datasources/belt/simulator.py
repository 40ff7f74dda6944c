"""Simulated ring-belt feeds (模拟环城生态公园带): device heartbeats and faults, daily
inspections with a share of issues and their closure, and green-construction projects moving
through their life cycle. Visitors are the park simulator's (the belt's open parks are parks
there).

- **Devices** report every ``HEARTBEAT_MIN`` minutes (staggered by device) and when their status
  changes. Each device has a fault episode starting in a six-hour slot with probability
  ``FAULT_PER_SLOT`` (lasting 1–40 hours) and an offline one with ``OFFLINE_PER_SLOT``
  (10–120 minutes, a network drop): about 2–3 % of the belt's devices at fault at a time.
- **Inspections**: each open park is inspected once or twice a day between 08:00 and 17:00;
  ``ISSUE_SHARE`` of them find an issue (facility, greening, hygiene, safety, fire, pests),
  closed 2–72 hours later — some after the deadline, so the screen has overdue ones.
- **Projects** (fast-forwarded for the demo): ``PROJECTS`` projects across the belt's parks,
  each in cycles of ``CYCLE_DAYS`` days: 方案编制 5–25 days, 立项 3–20, 初步设计 7–35, 施工
  20–120, 竣工验收; a cycle's project is ``BJ-<nn>-<cycle>``, named with its first step.

Everything is derived from the rng seed and the time alone: stable ``event_id`` s, so a replay
after a restart is deduplicated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from datasources.belt.effects import PROJECT_STEP_KEPT_S
from datasources.belt.feeds import STAGES
from datasources.belt.schema import BeltParkRow, DeviceRow
from datasources.platform.publisher import Planned, drop_one_of, replaced
from datasources.platform.snapshot import SnapshotStore

DEVICE, INSPECTION, PROJECT = "belt.device", "belt.inspection", "belt.project"
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
HEARTBEAT_MIN = 30
SLOT_MS = 6 * HOUR_MS
FAULT_PER_SLOT = 0.004
OFFLINE_PER_SLOT = 0.01
FAULT_HOURS = (1, 40)
OFFLINE_MIN = (10, 120)
LOOKBACK_SLOTS = FAULT_HOURS[1] * HOUR_MS // SLOT_MS + 1
ISSUE_SHARE = 0.18
CATEGORY_WEIGHTS = {"facility": 30, "greening": 25, "hygiene": 25, "safety": 8, "fire": 4,
                    "pest": 8}
CLOSE_HOURS = (2, 72)
ISSUE_TEXT = {"facility": "座椅破损", "greening": "草坪斑秃需补植", "hygiene": "垃圾桶满溢",
              "safety": "护栏松动", "fire": "枯草堆积，有火灾隐患", "pest": "发现美国白蛾幼虫网幕"}
PROJECTS = 40
CYCLE_DAYS = 240
STAGE_DAYS = ((5, 25), (3, 20), (7, 35), (20, 120))  # before 立项, 初步设计, 施工, 竣工验收
WORKS = ("绿道贯通", "驿站建设", "林相改造", "提升改造", "智慧设施", "水系整治", "二期工程",
         "生态修复")
HISTORY_DAYS = 30

MALFORMATIONS = {
    DEVICE: {"status": replaced("status", "broken", "ON", "在线"),
             "kind": replaced("kind", "drone", "Camera"),
             "missing": drop_one_of("device", "park", "kind", "status")},
    INSPECTION: {"result": replaced("result", "bad", "OK", "问题"),
                 "category": lambda bad, pick: bad.update(result="issue", category=""),
                 "missing": drop_one_of("inspection", "inspector", "park", "section", "result")},
    PROJECT: {"stage": replaced("stage", "design-build", "施工", ""),
              # Well-formed but out of order: only the ingest script's stage check catches it.
              "skip": lambda bad, pick: bad.update(
                  stage=STAGES[(STAGES.index(bad["stage"]) + 2) % len(STAGES)]),
              "missing": drop_one_of("project", "park", "stage")},
}


@dataclass(frozen=True)
class SimDevice:
    id: str
    park: str
    kind: str
    phase_min: int  # its heartbeat minute within the heartbeat period


@dataclass(frozen=True)
class SimProject:
    key: str
    park: str
    name: str
    offset_ms: int


@lru_cache(maxsize=200_000)
def _episodes(seed: int, device: str, slot: int) -> tuple[tuple[int, int, str], ...]:
    """The (start, end, status) episodes beginning in six-hour ``slot`` of ``device``."""
    rng = random.Random(f"{seed}:dev:{device}:{slot}")
    out = []
    if rng.random() < FAULT_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(*FAULT_HOURS) * HOUR_MS, "fault"))
    if rng.random() < OFFLINE_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(*OFFLINE_MIN) * MINUTE_MS, "offline"))
    return tuple(out)


class BeltPlan:
    """The belt's simulated messages of any period (a ``Plan``)."""

    name = "belt"
    feeds = (DEVICE, INSPECTION, PROJECT)
    malformations = MALFORMATIONS

    def __init__(self, parks: tuple[BeltParkRow, ...], devices: tuple[SimDevice, ...],
                 inspectors: dict[str, tuple[str, ...]], projects: tuple[SimProject, ...],
                 tz: tzinfo, rng_seed: int):
        self.parks, self.devices, self.inspectors = parks, devices, inspectors
        self.projects, self.tz, self.rng_seed = projects, tz, rng_seed
        self._days: dict[int, list[Planned]] = {}

    # ---- devices ----
    def status_at(self, device: SimDevice, at_ms: int) -> str:
        """A device's status at ``at_ms``: at fault over offline over online."""
        slot = at_ms // SLOT_MS
        found = "online"
        for s in range(slot - LOOKBACK_SLOTS, slot + 1):
            for start, end, status in _episodes(self.rng_seed, device.id, s):
                if start <= at_ms < end:
                    if status == "fault":
                        return "fault"
                    found = status
        return found

    def _device_events(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        period = HEARTBEAT_MIN * MINUTE_MS
        for device in self.devices:
            times = set()
            first = (start_ms - device.phase_min * MINUTE_MS) // period * period \
                + device.phase_min * MINUTE_MS
            times.update(t for t in range(first, end_ms, period) if t >= start_ms)
            for s in range(start_ms // SLOT_MS - LOOKBACK_SLOTS, end_ms // SLOT_MS + 1):
                for begin, end, _ in _episodes(self.rng_seed, device.id, s):
                    times.update(t for t in (begin, end) if start_ms <= t < end_ms)
            for at in sorted(times):
                yield Planned(at, DEVICE, {
                    "ts": str(at), "event_id": f"belt-dev-{device.id}-{at}", "device": device.id,
                    "park": device.park, "kind": device.kind,
                    "status": self.status_at(device, at)})

    # ---- inspections ----
    def _day_inspections(self, day_start_ms: int) -> list[Planned]:
        cached = self._days.get(day_start_ms)
        if cached is None:
            cached = self._days[day_start_ms] = list(self._plan_day(day_start_ms))
            while len(self._days) > 60:
                del self._days[next(iter(self._days))]
        return cached

    def _plan_day(self, day_start_ms: int) -> Iterator[Planned]:
        day = datetime.fromtimestamp(day_start_ms / 1000, self.tz).strftime("%Y%m%d")
        for park in self.parks:
            rng = random.Random(f"{self.rng_seed}:ins:{park.id}:{day}")
            crew = self.inspectors.get(park.section) or ("INSPECTOR",)
            for k in range(rng.choice((1, 1, 2))):
                at = day_start_ms + (8 * 60 + rng.randrange(9 * 60)) * MINUTE_MS
                inspection = f"INS-{park.id}-{day}-{k}"
                base = {"event_id": f"belt-{inspection}", "inspection": inspection,
                        "inspector": rng.choice(crew), "park": park.id, "section": park.section}
                if rng.random() >= ISSUE_SHARE:
                    yield Planned(at, INSPECTION, {"ts": str(at), **base, "result": "ok"})
                    continue
                category = rng.choices(tuple(CATEGORY_WEIGHTS), tuple(CATEGORY_WEIGHTS.values()))[0]
                closes = at + rng.randint(*CLOSE_HOURS) * HOUR_MS + rng.randrange(60) * MINUTE_MS
                yield Planned(at, INSPECTION, {
                    "ts": str(at), **base, "result": "issue", "category": category,
                    "issue": ISSUE_TEXT[category]}, closes_ms=closes)
                yield Planned(closes, INSPECTION, {
                    "ts": str(closes), **base, "event_id": f"belt-{inspection}-closed",
                    "result": "closed"}, closes_ms=closes)

    def _inspection_events(self, start_ms: int, end_ms: int, found_from_ms: int) -> list[Planned]:
        """Inspections in [start, end), from issues found since ``found_from_ms``."""
        out = []
        day = datetime.fromtimestamp(found_from_ms / 1000, self.tz).date()
        last = datetime.fromtimestamp(end_ms / 1000, self.tz).date()
        while day <= last:
            day_start = int(datetime.combine(day, datetime.min.time(), self.tz).timestamp() * 1000)
            out += [p for p in self._day_inspections(day_start) if start_ms <= p.at_ms < end_ms]
            day += timedelta(days=1)
        return out

    # ---- projects ----
    def _cycle(self, project: SimProject, cycle: int) -> list[Planned]:
        rng = random.Random(f"{self.rng_seed}:proj:{project.key}:{cycle}")
        at = project.offset_ms + cycle * CYCLE_DAYS * DAY_MS
        ident = f"{project.key}-{cycle}"
        times = [at]
        for low, high in STAGE_DAYS:
            at += rng.randint(low, high) * DAY_MS
            times.append(at)
        out = []
        for stage, when in zip(STAGES, times, strict=True):
            # In office hours: the day's 09:00–16:59, local.
            local = datetime.fromtimestamp(when / 1000, self.tz)
            when = int(local.replace(hour=9, minute=0, second=0, microsecond=0).timestamp() * 1000) \
                + rng.randrange(8 * 60) * MINUTE_MS
            fields = {"ts": str(when), "event_id": f"belt-{ident}-{stage}", "project": ident,
                      "park": project.park, "stage": stage}
            if stage == STAGES[0]:
                fields["name"] = project.name
            out.append(Planned(when, PROJECT, fields, closes_ms=times[-1]))
        return out

    def _project_events(self, start_ms: int, end_ms: int) -> list[Planned]:
        span = CYCLE_DAYS * DAY_MS
        out = []
        for project in self.projects:
            first = (start_ms - project.offset_ms) // span - 1
            last = (end_ms - project.offset_ms) // span
            for cycle in range(max(0, first), last + 1):
                out += [p for p in self._cycle(project, cycle) if start_ms <= p.at_ms < end_ms]
        return out

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        events = [*self._device_events(start_ms, end_ms),
                  # An issue found up to CLOSE_HOURS ago may close now.
                  *self._inspection_events(start_ms, end_ms,
                                           start_ms - (CLOSE_HOURS[1] + 2) * HOUR_MS),
                  *self._project_events(start_ms, end_ms)]
        return iter(sorted(events, key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Before ``until_ms``: the project steps as far back as the feed keeps them (whole
        projects, so the life cycle stays in order: one whose first step is older is left
        out), and the last ``HISTORY_DAYS`` of inspections."""
        since = until_ms - HISTORY_DAYS * DAY_MS
        steps = self._project_events(until_ms - PROJECT_STEP_KEPT_S * 1000 + DAY_MS, until_ms)
        started = {p.fields["project"] for p in steps if p.fields["stage"] == STAGES[0]}
        projects = [p for p in steps if p.fields["project"] in started
                    and p.closes_ms >= until_ms - 365 * DAY_MS]
        inspections = self._inspection_events(since, until_ms, since)
        return iter(sorted([*projects, *inspections],
                           key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))


@dataclass(frozen=True)
class BeltSimulation:
    """What the plan is made of: the belt's open parks, their devices, and the projects."""

    parks: tuple[BeltParkRow, ...]
    devices: tuple[DeviceRow, ...]

    @classmethod
    def from_store(cls, store: SnapshotStore) -> BeltSimulation | None:
        if store.belt.is_empty():
            return None
        parks = tuple(p for p in store.belt.belt_parks() if p.status == "open")
        return cls(parks, tuple(store.belt.belt_devices()))

    def plan(self, tz: tzinfo, rng_seed: int) -> BeltPlan:
        rng = random.Random(f"{rng_seed}:belt")
        devices = tuple(SimDevice(d.id, d.park, d.kind, rng.randrange(HEARTBEAT_MIN))
                        for d in self.devices)
        sections = sorted({p.section for p in self.parks})
        inspectors = {s: tuple(f"XJ-{s}-{k}" for k in (1, 2)) for s in sections}
        projects = []
        for k in range(PROJECTS if self.parks else 0):
            park = self.parks[(k * 7) % len(self.parks)]
            base = park.name.removesuffix("（演示）")
            projects.append(SimProject(f"BJ-{k + 1:02d}", park.id,
                                       f"{base}{WORKS[k % len(WORKS)]}（演示）",
                                       rng.randrange(CYCLE_DAYS) * DAY_MS))
        return BeltPlan(self.parks, devices, inspectors, tuple(projects), tz, rng_seed)
