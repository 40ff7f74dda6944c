"""The waste-sorting (垃圾分类) feeds: truck weighings and quality-camera verdicts."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import PlainValidator

from datasources.platform.feeds import (
    DistrictCode,
    FeedEvent,
    Identifier,
    OptionalText,
    feed,
    number_in,
    one_of,
)

WasteCategory = Literal["wet", "dry", "recyclable", "hazardous"]
WASTE_CATEGORIES: tuple[str, ...] = get_args(WasteCategory)
"""Waste categories (湿垃圾, 干垃圾, 可回收物, 有害垃圾) as the feeds name them."""
Verdict = Literal["qualified", "unqualified"]


@feed("waste.weighing")
class Weighing(FeedEvent):
    """车载称重: one garbage truck's load weighed at a transfer station."""

    district: DistrictCode
    station: Identifier
    vehicle: Identifier
    category: Annotated[WasteCategory, PlainValidator(one_of(WasteCategory))]
    tonnes: Annotated[float, PlainValidator(number_in(0, 50, above_low=True))]


@feed("waste.quality")
class QualityVerdict(FeedEvent):
    """湿垃圾品质识别: a camera's verdict on one wet-garbage load at a collection site."""

    district: DistrictCode
    camera: Identifier
    site: Identifier
    verdict: Annotated[Verdict, PlainValidator(one_of(Verdict))]
    issue: OptionalText = None
    confidence: Annotated[float, PlainValidator(number_in(0, 1))]
