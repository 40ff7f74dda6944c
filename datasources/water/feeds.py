"""The water-area (水域市容环境) feeds: cleaning boats on patrol, floating waste they collect,
section quality assessments, aquatic-plant clearance and the issues found on the water,
assigned to the company that keeps the section and closed."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import PlainValidator, model_validator

from datasources.platform.feeds import (
    FeedEvent,
    Identifier,
    Latitude,
    Longitude,
    OptionalText,
    feed,
    feed_error,
    integer_in,
    number_in,
    one_of,
    optional_one_of,
)

BoatStatus = Literal["patrolling", "collecting", "docked"]
BOAT_STATUSES: tuple[str, ...] = get_args(BoatStatus)
"""巡航 patrolling, 打捞作业 collecting, 停泊 docked."""
Species = Literal["hyacinth", "duckweed", "other"]
SPECIES: tuple[str, ...] = get_args(Species)
"""水葫芦 hyacinth (凤眼莲), 绿萍 duckweed, 其他水生植物 other."""
IssueStage = Literal["found", "assigned", "closed"]
ISSUE_STAGES: tuple[str, ...] = get_args(IssueStage)
"""发现 → 派单（责任区单位） → 办结, one step at a time."""
IssueCategory = Literal["floating", "shore", "plants", "facility", "other"]
ISSUE_CATEGORIES: tuple[str, ...] = get_args(IssueCategory)
"""水面漂浮物 floating, 岸线滩涂垃圾 shore, 水生植物 plants, 拦截设施 facility, 其他 other."""
CRITERIA: tuple[str, ...] = ("floating", "shore", "facility")
"""The criteria of a section assessment (0–100 each): 水面漂浮物 floating waste on the water,
岸线滩涂 shore and mudflat litter, 设施与作业 interception booms and work practice."""

Score = Annotated[int, PlainValidator(integer_in(0, 100))]


@feed("water.boat")
class BoatPosition(FeedEvent):
    """保洁船定位: a cleaning boat's position and status, every few minutes on duty and when it
    docks."""

    freshness_s = (600, 3600)
    quiet_hours = "20:00-06:00"  # boats work 06:00–20:00 (longer in a hyacinth surge)

    boat: Identifier
    section: Identifier
    lat: Latitude
    lon: Longitude
    status: Annotated[BoatStatus, PlainValidator(one_of(BoatStatus))]


@feed("water.collection")
class Collection(FeedEvent):
    """打捞: floating waste a boat unloads after collecting it in a section, in tonnes."""

    freshness_s = (1800, 4 * 3600)
    quiet_hours = "20:00-06:00"

    boat: Identifier
    section: Identifier
    tonnes: Annotated[float, PlainValidator(number_in(0, 50, above_low=True))]


@feed("water.inspection")
class Inspection(FeedEvent):
    """水域质量考核: an inspector of the 水上管理处 (or a district) scores a section on each of
    ``CRITERIA``; the section's score is their weighted mean (weights: settings)."""

    freshness_s = (4 * 3600, 12 * 3600)
    quiet_hours = "18:00-08:00"

    inspection: Identifier
    inspector: Identifier
    section: Identifier
    floating: Score
    shore: Score
    facility: Score


@feed("water.plants")
class PlantClearance(FeedEvent):
    """水生植物整治: an area of water cleared of aquatic plants (水葫芦 and others)."""

    freshness_s = (3600, 6 * 3600)
    quiet_hours = "20:00-06:00"

    section: Identifier
    species: Annotated[Species, PlainValidator(one_of(Species))]
    area_m2: Annotated[int, PlainValidator(integer_in(1, 500_000))]
    tonnes: Annotated[float | None, PlainValidator(
        lambda v: None if v is None or not str(v).strip() else number_in(0, 5000)(v))] = None


@feed("water.issue")
class IssueStep(FeedEvent):
    """问题闭环: an issue on the water is found (with its category), assigned to the company
    keeping the section, then closed. A skip or a step back is dead-lettered by the ingest
    script, atomically."""

    freshness_s = (4 * 3600, 12 * 3600)
    quiet_hours = "20:00-07:00"

    issue: Identifier
    section: Identifier
    stage: Annotated[IssueStage, PlainValidator(one_of(IssueStage))]
    category: Annotated[IssueCategory | None, PlainValidator(optional_one_of(IssueCategory))] = None
    company: OptionalText = None
    note: OptionalText = None

    @model_validator(mode="after")
    def _found_has_category(self) -> IssueStep:
        if self.stage == "found" and self.category is None:
            raise feed_error("a found issue needs a category (one of "
                             f"{', '.join(ISSUE_CATEGORIES)})")
        return self
