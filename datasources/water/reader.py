"""Reading the water-area aggregates (key scheme in ``datasources.water.effects``).
``WaterReader.view()`` returns the whole city in one ``WaterView``; the screen's callbacks
scope it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from datasources.platform.feedstats import LiveReader
from datasources.water.effects import issue_track


@dataclass(frozen=True, slots=True)
class Boat:
    """A boat's last report: status since when, section and position."""

    boat: str
    status: str
    at_ms: int
    since_ms: int
    section: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TrackPoint:
    boat: str
    at_ms: int
    lat: float
    lon: float
    status: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """A section's newest assessment: criteria scores 0–100 and the inspector."""

    section: str
    at_ms: int
    floating: int
    shore: int
    facility: int
    inspector: str


@dataclass(frozen=True, slots=True)
class Issue:
    """An open issue: its stage now, and when it entered each stage so far."""

    issue: str
    section: str
    district: str | None
    category: str
    text: str | None
    times: tuple[int, ...]

    @property
    def stage(self) -> str:
        return ("found", "assigned", "closed")[len(self.times) - 1]


@dataclass(frozen=True, slots=True)
class LoggedStep:
    """An issue step of today: its scope (district, or ``310000``), stage, issue and times."""

    scope: str
    stage: str
    issue: str
    times: tuple[int, ...]


@dataclass(frozen=True)
class WaterView:
    """Everything the water-area screen reads from Redis, city-wide, at ``now_ms``."""

    now_ms: int
    day: str
    boats: dict[str, Boat]
    track: tuple[TrackPoint, ...]
    today: dict[str, float]
    yesterday: dict[str, float]
    assessments: dict[str, Assessment]
    open_issues: tuple[Issue, ...]
    issue_log: tuple[LoggedStep, ...]
    events: tuple[dict, ...]
    version: int = 0

    def total(self, field: str) -> float:
        return self.today.get(field, 0.0)


def _boat(boat: str, raw: str) -> Boat:
    at, since, status, section, lat, lon = raw.split("|", 5)
    return Boat(boat, status, int(at), int(since), section, float(lat), float(lon))


def _point(raw: str) -> TrackPoint | None:
    try:
        boat, at, lat, lon, status = raw.rsplit("|", 4)
        return TrackPoint(boat, int(at), float(lat), float(lon), status)
    except ValueError:
        return None


def _assessment(section: str, raw: str) -> Assessment:
    at, floating, shore, facility, inspector = raw.split("|", 4)
    return Assessment(section, int(at), int(floating), int(shore), int(facility), inspector)


def _issue(issue: str, raw: str) -> Issue:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Issue(issue=issue, section=record.get("section", ""), district=record.get("district"),
                 category=record.get("category") or "other", text=record.get("note"),
                 times=tuple(int(t) for t in state["t"].split(",")))


def _step(field: str, value: str) -> LoggedStep:
    scope, stage, issue = field.split(":", 2)
    return LoggedStep(scope, stage, issue, tuple(int(t) for t in value.split(",")))


def _events(raw: list[str]) -> tuple[dict, ...]:
    out = []
    for item in raw:
        try:
            out.append(json.loads(item))
        except ValueError:
            continue
    return tuple(out)


class WaterReader(LiveReader):
    """The water domain's reader (``sources.water``)."""

    def view(self, now: datetime | None = None) -> WaterView:
        """The water aggregates at ``now`` (aware; default the current time)."""
        now = (now or datetime.now(self._tz)).astimezone(self._tz)
        today = now.date()
        yesterday = (today - timedelta(days=1)).isoformat()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)  # sees whole ingest batches only
        pipe.hgetall(keys.latest("water_boat"))
        pipe.lrange(keys.latest("water_track"), 0, -1)
        pipe.hgetall(keys.day("water", today.isoformat()))
        pipe.hgetall(keys.day("water", yesterday))
        pipe.hgetall(keys.latest("water_inspection"))
        pipe.hgetall(issue_track(keys).open_key)
        pipe.hgetall(keys.day("water_issue_log", today.isoformat()))
        pipe.lrange(keys.latest("water_events"), 0, 199)
        pipe.get(keys.version)
        boats, track, day, before, assessed, issues, log, events, version = pipe.execute()
        return WaterView(
            now_ms=int(now.timestamp() * 1000), day=today.isoformat(),
            boats={b: _boat(b, raw) for b, raw in boats.items()},
            track=tuple(p for p in map(_point, track) if p is not None),
            today={k: float(v) for k, v in day.items()},
            yesterday={k: float(v) for k, v in before.items()},
            assessments={s: _assessment(s, raw) for s, raw in assessed.items()},
            open_issues=tuple(sorted((_issue(i, raw) for i, raw in issues.items()),
                                     key=lambda i: (i.times[0], i.issue))),
            issue_log=tuple(_step(f, v) for f, v in log.items()),
            events=_events(events), version=int(version or 0))
