"""Reading the ring-belt (环城生态公园带) aggregates: devices, inspections and their issues,
projects (key scheme in ``datasources.belt.effects``). ``BeltReader.view()`` returns the whole
belt in one ``BeltView``; the screen's callbacks scope it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import unquote

from dashboard.districts import CITY_ADCODE
from datasources.belt.effects import issue_track, project_track
from datasources.belt.feeds import STAGES
from datasources.platform.feedstats import LiveReader

LOG_DAYS = 31  # today and the 30 days before


@dataclass(frozen=True, slots=True)
class Device:
    """A device's last status, since when it has had it, and its kind and park."""

    device: str
    status: str
    at_ms: int
    since_ms: int
    kind: str
    park: str


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue an inspection found, open since ``found_ms``."""

    inspection: str
    park: str
    section: str
    district: str | None
    category: str
    text: str | None
    inspector: str
    found_ms: int


@dataclass(frozen=True, slots=True)
class Project:
    """A project under way: ``times[k]`` is when it entered ``STAGES[k]``."""

    project: str
    park: str
    district: str | None
    times: tuple[int, ...]
    name: str | None = None

    @property
    def stage(self) -> str:
        return STAGES[len(self.times) - 1]

    @property
    def since_ms(self) -> int:
        return self.times[-1]


@dataclass(frozen=True, slots=True)
class LoggedIssue:
    """An issue step of the last 30 days: found (``times`` = found) or closed (found, closed);
    ``district`` is ``None`` for a park master data does not know."""

    district: str | None
    section: str
    stage: str
    category: str
    inspection: str
    times: tuple[int, ...]


@dataclass(frozen=True)
class BeltView:
    """Everything the ring-belt screen reads from Redis, belt-wide, at ``now_ms``."""

    now_ms: int
    day: str
    devices: dict[str, Device]
    inspections: dict[str, int]  # the day's counts by field (``done:X``, ``visit:P``, …)
    open_issues: tuple[Issue, ...]
    issue_log: tuple[LoggedIssue, ...]
    projects: tuple[Project, ...]
    project_log: tuple[LoggedStep, ...]
    version: int = 0

    def done(self, section: str) -> int:
        return self.inspections.get(f"done:{section}", 0)

    def visited(self, park: str) -> int:
        return self.inspections.get(f"visit:{park}", 0)


def _device(device: str, raw: str) -> Device:
    at, since, status, kind, park = raw.split("|", 4)
    return Device(device, status, int(at), int(since), kind, park)


def _issue(inspection: str, raw: str) -> Issue:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Issue(inspection=inspection, park=record.get("park", ""),
                 section=record.get("section", ""), district=record.get("district"),
                 category=record.get("category") or "", text=record.get("note"),
                 inspector=record.get("inspector", ""),
                 found_ms=int(state["t"].split(",")[0]))


def _project(project: str, raw: str) -> Project:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Project(project=project, park=record.get("park", ""), district=record.get("district"),
                   times=tuple(int(t) for t in state["t"].split(",")), name=record.get("name"))


def _scope(scope: str) -> str | None:
    return None if scope == CITY_ADCODE else scope


def _logged(field: str, value: str) -> LoggedIssue:
    scope, section, stage, category, inspection = field.split(":", 4)
    return LoggedIssue(_scope(scope), unquote(section), stage, category, inspection,
                       tuple(int(t) for t in value.split(",")))


@dataclass(frozen=True, slots=True)
class LoggedStep:
    """A project step of the last 30 days."""

    district: str | None
    stage: str
    project: str
    at_ms: int


def _step(field: str, value: str) -> LoggedStep:
    scope, stage, project = field.split(":", 2)
    return LoggedStep(_scope(scope), stage, project, int(value.split(",")[-1]))


class BeltReader(LiveReader):
    """The belt domain's reader (``sources.belt``); the 30-day issue log is re-read only when
    inspections came in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._log: tuple[tuple, tuple[LoggedIssue, ...]] | None = None
        self._lock = threading.Lock()

    def view(self, now: datetime | None = None) -> BeltView:
        """The belt's aggregates at ``now`` (aware; default the current time)."""
        now = (now or datetime.now(self._tz)).astimezone(self._tz)
        now_ms = int(now.timestamp() * 1000)
        today = now.date()
        keys = self._keys
        issues, projects = issue_track(keys), project_track(keys)
        pipe = self._client.pipeline(transaction=True)  # sees whole ingest batches only
        pipe.hgetall(keys.latest("belt_device"))
        pipe.hgetall(keys.day("belt_inspection", today.isoformat()))
        pipe.hgetall(issues.open_key)
        pipe.hgetall(projects.open_key)
        pipe.hget(keys.feed_stats, "belt.inspection:ingested")
        pipe.hget(keys.feed_stats, "belt.project:ingested")
        pipe.get(keys.version)
        devices, counts, open_issues, open_projects, inspected, stepped, version = pipe.execute()
        issue_log, project_log = self._read_logs(today, (inspected, stepped))
        return BeltView(
            now_ms=now_ms, day=today.isoformat(),
            devices={d: _device(d, raw) for d, raw in devices.items()},
            inspections={k: int(v) for k, v in counts.items()},
            open_issues=tuple(sorted((_issue(i, raw) for i, raw in open_issues.items()),
                                     key=lambda i: (i.found_ms, i.inspection))),
            issue_log=issue_log,
            projects=tuple(sorted((_project(j, raw) for j, raw in open_projects.items()),
                                  key=lambda j: (j.times[0], j.project))),
            project_log=project_log, version=int(version or 0))

    def _read_logs(self, today: date, counts: tuple) -> tuple[
            tuple[LoggedIssue, ...], tuple[LoggedStep, ...]]:
        fingerprint = (today, counts)
        with self._lock:
            if self._log is not None and self._log[0] == fingerprint:
                return self._log[1]
        days = [(today - timedelta(days=back)).isoformat() for back in range(LOG_DAYS)]
        pipe = self._client.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(self._keys.day("belt_issue_log", day))
            pipe.hgetall(self._keys.day("belt_project_log", day))
        read = pipe.execute()
        issues = tuple(_logged(f, v) for day in read[0::2] for f, v in day.items())
        projects = tuple(_step(f, v) for day in read[1::2] for f, v in day.items())
        with self._lock:
            self._log = (fingerprint, (issues, projects))
        return issues, projects
