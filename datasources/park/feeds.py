"""The park visitor-flow (公园游客量) feeds: people through park gates, and measured in-park counts."""

from __future__ import annotations

from typing import Annotated

from pydantic import PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from datasources.platform.feeds import FeedEvent, Identifier, feed, integer_in

GATE_MAX = 10_000
"""People one gate message may report in either direction (since that gate's previous message)."""
OCCUPANCY_MAX = 2_000_000
"""A measured in-park count above this is no park's (the city's peak day is about 1.4 million)."""


@feed("park.gate")
class GateCount(FeedEvent):
    """闸机客流: people who entered and left through one gate since its previous message."""

    freshness_s = (600, 1800)  # every minute while anyone passes
    quiet_hours = "22:00-06:00"  # parks that close are shut; the 24-hour ones are near empty

    park: Identifier
    gate: Identifier
    entered: Annotated[int, PlainValidator(integer_in(0, GATE_MAX))]
    exited: Annotated[int, PlainValidator(integer_in(0, GATE_MAX))]

    @model_validator(mode="after")
    def _someone_passed(self) -> GateCount:
        if self.entered == 0 and self.exited == 0:
            raise PydanticCustomError(
                "feed_value", "entered and exited are both 0: a gate reports only when people pass")
        return self


@feed("park.occupancy")
class Occupancy(FeedEvent):
    """在园人数实测: a measured in-park count (cameras) that replaces the running estimate."""

    freshness_s = (900, 3600)
    quiet_hours = "22:00-06:00"

    park: Identifier
    count: Annotated[int, PlainValidator(integer_in(0, OCCUPANCY_MAX))]
