"""The ring-belt (环城生态公园带) feeds: device status, patrol and facility inspections, and the
steps of green-construction projects."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import PlainValidator, model_validator

from datasources.platform.feeds import (
    FeedEvent,
    Identifier,
    OptionalText,
    feed,
    feed_error,
    one_of,
    optional_one_of,
)

DeviceKind = Literal["camera", "tower", "light", "toilet", "sensor", "broadcast", "screen"]
DEVICE_KINDS: tuple[str, ...] = get_args(DeviceKind)
"""监控 camera, 视频塔 tower (fire and pest watch, one every 3 km), 照明 light, 智慧公厕 toilet,
环境传感器 sensor, 广播 broadcast, 信息屏 screen."""
DeviceStatus = Literal["online", "offline", "fault"]
Result = Literal["ok", "issue", "closed"]
IssueCategory = Literal["facility", "greening", "hygiene", "safety", "fire", "pest"]
ISSUE_CATEGORIES: tuple[str, ...] = get_args(IssueCategory)
"""设施 facility, 绿化养护 greening, 环境卫生 hygiene, 安全 safety, 火情 fire, 病虫害 pest."""
Stage = Literal["plan", "approve", "design", "build", "accept"]
STAGES: tuple[str, ...] = get_args(Stage)
"""A green-construction project's life cycle, in order: 方案编制 → 立项 → 初步设计 → 施工 →
竣工验收 (Shanghai's rules, grouped as the bureau's screens group them); one step at a time."""


@feed("belt.device")
class DeviceReport(FeedEvent):
    """设施设备状态: a device of a belt park reports its status — on change, and every ten
    minutes as a heartbeat."""

    freshness_s = (900, 3600)

    device: Identifier
    park: Identifier
    kind: Annotated[DeviceKind, PlainValidator(one_of(DeviceKind))]
    status: Annotated[DeviceStatus, PlainValidator(one_of(DeviceStatus))]


@feed("belt.inspection")
class Inspection(FeedEvent):
    """巡查: a patrol or facility inspection of a park in a section (标段). ``ok`` finds nothing;
    ``issue`` finds a problem (``category`` says which, ``issue`` describes it) that stays open
    until a later message with the same ``inspection`` id and ``closed`` closes it. Whether a
    closure follows an issue is checked atomically with the ingest, not here."""

    freshness_s = (1800, 7200)
    quiet_hours = "19:00-07:00"  # inspectors walk in the day

    inspection: Identifier
    inspector: Identifier
    park: Identifier
    section: Identifier
    result: Annotated[Result, PlainValidator(one_of(Result))]
    category: Annotated[IssueCategory | None, PlainValidator(optional_one_of(IssueCategory))] = None
    issue: OptionalText = None

    @model_validator(mode="after")
    def _issue_has_category(self) -> Inspection:
        if self.result == "issue" and self.category is None:
            raise feed_error(f"an issue needs a category (one of {', '.join(ISSUE_CATEGORIES)})")
        return self


@feed("belt.project")
class ProjectStep(FeedEvent):
    """绿化建设项目: a project enters the next stage of its life cycle (``STAGES``). A skip or a
    reversal is dead-lettered with why, by the ingest script."""

    freshness_s = (6 * 3600, 3 * 86400)  # a few steps a day across the belt
    quiet_hours = "20:00-08:00"

    project: Identifier
    park: Identifier
    stage: Annotated[Stage, PlainValidator(one_of(Stage))]
    name: OptionalText = None  # the project's name, sent with its first step
    note: OptionalText = None
