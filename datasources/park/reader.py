"""Reading the park visitor-flow (公园游客量) aggregates: one scope's ``ParkView`` (key scheme in
``datasources.park.effects``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.districts import CITY_ADCODE
from datasources.park.effects import (
    entered_field,
    exited_field,
    hourly_in_field,
    hourly_out_field,
    park_entered_field,
)
from datasources.park.schema import ParkRow
from datasources.platform.feedstats import LiveReader


@dataclass(frozen=True)
class ParkLive:
    """One park now: people in it, entries today, when its count was last measured (epoch ms,
    ``None`` if only estimated from its gates) and its last crossing of an alert line
    (``lines reached``, epoch ms), if any."""

    in_park: int
    entered_today: int
    measured_ms: int | None
    crossing: tuple[int, int] | None


@dataclass(frozen=True)
class ParkView:
    """A scope's visitor flow today (``district=None``: the city, unknown parks included).

    ``*_yesterday_same_time`` compare with yesterday at this time of day: entries up to now
    (the current hour's share by minutes), and people in parks then (now, less the net flow of
    the last 24 hours).
    """

    day: str
    district: str | None
    in_park: int
    entered_today: int
    exited_today: int
    entered_yesterday_same_time: int
    in_park_yesterday_same_time: int
    hourly_entered: tuple[int, ...]
    hourly_entered_yesterday: tuple[int, ...]
    parks: dict[str, ParkLive]
    unregistered: frozenset[str]
    version: int


def _split(value: str | None) -> list[int]:
    return [int(part) for part in value.split("|")] if value else []


class ParkReader(LiveReader):
    """The park domain's reader (``sources.park``)."""

    def park_view(self, parks: Sequence[ParkRow], district: str | None = None,
                  now: datetime | None = None) -> ParkView:
        """Today's flow in ``district`` (adcode; ``None`` = the city). ``parks`` are the
        registered key parks, city-wide: their districts and hours decide where each count is."""
        now = (now or datetime.now(self._tz)).astimezone(self._tz)
        today = now.date()
        yesterday = (today - timedelta(days=1)).isoformat()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)  # sees whole ingest batches only
        pipe.hgetall(keys.day("park", today.isoformat()))
        pipe.hgetall(keys.day("park_hourly", today.isoformat()))
        pipe.hgetall(keys.day("park_hourly", yesterday))
        pipe.hgetall(keys.day("park_in", today.isoformat()))
        pipe.hgetall(keys.latest("park_in"))
        pipe.hgetall(keys.latest("park_measured"))
        pipe.hgetall(keys.latest("park_band"))
        pipe.zrange(keys.unregistered("park"), 0, -1)
        pipe.get(keys.version)
        totals, hourly, hourly_y, daily_in, carried_in, measured, bands, unknown, version = \
            pipe.execute()
        scope = district or CITY_ADCODE

        def hours(table: dict[str, str], field) -> list[int]:
            return [int(table.get(field(scope, h), 0)) for h in range(24)]

        live: dict[str, ParkLive] = {}
        registered = {p.id for p in parks}
        for park in parks:
            if district is not None and park.district != district:
                continue
            in_park = int((carried_in if park.open_24h else daily_in).get(park.id, 0))
            live[park.id] = self._park_live(park.id, in_park, totals, measured, bands)
        # Parks master data does not know have no district: they belong to the city's view.
        unregistered = frozenset(set(unknown) - registered) if district is None else frozenset()
        in_park = sum(p.in_park for p in live.values())
        if district is None:  # parks master data does not know count city-wide (their day's count)
            in_park += sum(int(daily_in.get(p, 0)) for p in unregistered)

        entered, exited = hours(hourly, hourly_in_field), hours(hourly, hourly_out_field)
        entered_y, exited_y = hours(hourly_y, hourly_in_field), hours(hourly_y, hourly_out_field)
        hour, share = now.hour, now.minute / 60 + now.second / 3600
        entered_y_now = sum(entered_y[:hour]) + round(entered_y[hour] * share)
        net_24h = (sum(entered) - sum(exited)
                   + sum(entered_y[hour + 1:]) - sum(exited_y[hour + 1:])
                   + round((entered_y[hour] - exited_y[hour]) * (1 - share)))
        return ParkView(
            day=today.isoformat(), district=district, in_park=in_park,
            entered_today=int(totals.get(entered_field(scope), 0)),
            exited_today=int(totals.get(exited_field(scope), 0)),
            entered_yesterday_same_time=entered_y_now,
            in_park_yesterday_same_time=max(0, in_park - net_24h),
            hourly_entered=tuple(entered), hourly_entered_yesterday=tuple(entered_y),
            parks=live, unregistered=unregistered, version=int(version or 0))

    def _park_live(self, park: str, in_park: int, totals: dict[str, str],
                   measured: dict[str, str], bands: dict[str, str]) -> ParkLive:
        measured_at = _split(measured.get(park))
        crossing = _split(bands.get(park))
        return ParkLive(
            in_park=in_park, entered_today=int(totals.get(park_entered_field(park), 0)),
            measured_ms=measured_at[0] if measured_at else None,
            crossing=(crossing[0], crossing[1]) if len(crossing) >= 2 else None)
