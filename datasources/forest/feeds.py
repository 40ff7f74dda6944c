"""The forest-chief (林长制) feeds: ranger patrols, case steps and fire-danger ratings."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import PlainValidator

from datasources.platform.feeds import (
    DistrictCode,
    FeedEvent,
    Identifier,
    Latitude,
    Longitude,
    OptionalText,
    feed,
    integer_in,
    one_of,
)

PatrolKind = Literal["start", "checkpoint", "finish"]
Scenario = Literal["deforestation", "neglect", "fire", "wildlife", "ancient_tree"]
SCENARIOS: tuple[str, ...] = get_args(Scenario)
Stage = Literal["reported", "verified", "disposed", "assessed"]
STAGES: tuple[str, ...] = get_args(Stage)
"""The forest-case loop (上报 → 核实 → 处置 → 考核), in order; a case moves one step at a time."""


@feed("forest.patrol")
class Patrol(FeedEvent):
    """巡护: a ranger (护林员) starts, checks in on, or finishes a patrol in a patrol grid (巡护网格)."""

    freshness_s = (1800, 6 * 3600)
    quiet_hours = "20:00-06:00"  # patrols rest at night (a few fire watches excepted)

    ranger: Identifier
    grid: Identifier
    kind: Annotated[PatrolKind, PlainValidator(one_of(PatrolKind))]
    lat: Latitude
    lon: Longitude


@feed("forest.incident")
class Incident(FeedEvent):
    """林长制案件: one step of a case through the loop 上报 reported → 核实 verified → 处置 disposed
    → 考核 assessed, in one of the five scenarios (毁林占绿, 林地失管失养, 森林火险, 野生动物保护, 古树名木).

    Whether the step follows the case's previous one is checked where the case's state lives,
    atomically with the ingest (``datasources/platform/ingest.lua``), not here.
    """

    freshness_s = (1800, 7200)  # case steps come a few times an hour
    quiet_hours = "20:00-07:00"  # in patrol hours

    incident: Identifier
    scenario: Annotated[Scenario, PlainValidator(one_of(Scenario))]
    stage: Annotated[Stage, PlainValidator(one_of(Stage))]
    grid: Identifier
    lat: Latitude
    lon: Longitude
    note: OptionalText = None


@feed("forest.fire_risk")
class FireRisk(FeedEvent):
    """森林火险等级: a district's current fire-danger rating, 1 (低) to 5 (极高)."""

    freshness_s = (1200, 3600)  # ratings every 10 minutes

    district: DistrictCode
    level: Annotated[int, PlainValidator(integer_in(1, 5))]
