"""The zoo (上海动物园) feeds: feedings against the diet plan (营养), health checks and vet cases
(健康), enclosure sensors (保育: temperature, humidity, keeper doors) and visitor safety
incidents (安全)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import PlainValidator

from datasources.platform.feeds import (
    FeedEvent,
    Identifier,
    OptionalText,
    feed,
    number_in,
    one_of,
)

CaseStage = Literal["check", "reported", "diagnosed", "treated", "recovered"]
CASE_STAGES: tuple[str, ...] = ("reported", "diagnosed", "treated", "recovered")
"""A vet case, in order: 上报 → 诊断 → 治疗 → 康复; one step at a time. ``check`` is a routine
health check (体检) that found nothing: no case."""
Door = Literal["open", "closed"]
IncidentKind = Literal["fall", "feeding", "climbing", "throwing", "lost_child", "medical", "other"]
INCIDENT_KINDS: tuple[str, ...] = get_args(IncidentKind)
"""摔倒 fall, 违规投喂 feeding, 翻越护栏 climbing, 向动物投掷 throwing, 儿童走失 lost_child,
游客急病 medical, 其他 other."""
Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[str, ...] = get_args(Severity)


@feed("zoo.feeding")
class Feeding(FeedEvent):
    """投喂: a keeper gives ``kg`` of one food to a species in its enclosure; checked against the
    species' diet plan (a food the plan lacks counts as off-plan)."""

    # Feedings come in rounds (08:30, 10:30, 14:30 by the diet plans): live while the last one
    # is within a round's gap, delayed after a missed round.
    freshness_s = (4.5 * 3600, 7 * 3600)
    quiet_hours = "17:00-07:00"  # keepers feed in the day

    enclosure: Identifier
    species: Identifier
    food: Identifier
    kg: Annotated[float, PlainValidator(number_in(0, 500, above_low=True))]
    keeper: Identifier


@feed("zoo.health")
class HealthStep(FeedEvent):
    """健康: a routine check (``check``), or a step of a vet case (``CASE_STAGES``). A skip or a
    reversal of a case is dead-lettered with why, by the ingest script."""

    freshness_s = (4 * 3600, 24 * 3600)
    quiet_hours = "18:00-08:00"

    case: Identifier
    species: Identifier
    enclosure: Identifier
    stage: Annotated[CaseStage, PlainValidator(one_of(CaseStage))]
    vet: Identifier
    note: OptionalText = None


@feed("zoo.enclosure")
class SensorReading(FeedEvent):
    """环境监测: an enclosure's sensors every minute: temperature, humidity and its keeper door."""

    freshness_s = (300, 1800)

    enclosure: Identifier
    sensor: Identifier
    temp_c: Annotated[float, PlainValidator(number_in(-40, 60))]
    humidity: Annotated[float, PlainValidator(number_in(0, 100))]
    door: Annotated[Door, PlainValidator(one_of(Door))]


@feed("zoo.safety")
class SafetyIncident(FeedEvent):
    """游客安全: an incident with a visitor at an enclosure, its kind and severity."""

    freshness_s = (4 * 3600, 12 * 3600)
    quiet_hours = "17:30-08:00"  # the zoo is closed

    incident: Identifier
    enclosure: Identifier
    kind: Annotated[IncidentKind, PlainValidator(one_of(IncidentKind))]
    severity: Annotated[Severity, PlainValidator(one_of(Severity))]
    note: OptionalText = None
