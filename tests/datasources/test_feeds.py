"""Feed validation: every kind of bad message gets a reason a person can act on."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import PlainValidator

from datasources.belt.feeds import DeviceReport, Inspection, ProjectStep
from datasources.forest.feeds import FireRisk, Incident, Patrol
from datasources.park.feeds import GateCount, Occupancy
from datasources.platform.feeds import (
    FEEDS,
    FeedEvent,
    FeedValidationError,
    Identifier,
    feed,
    number_in,
    parse_event,
)
from datasources.waste.feeds import QualityVerdict, Weighing

ENTRY_ID = "1795917600000-0"  # appended 2026-11-29T10:00:00+08:00
TEN_AM_MS = 1_795_917_600_000

WEIGHING = {
    "district": "310115",
    "station": "ST-1",
    "vehicle": "沪A10001",
    "category": "wet",
    "tonnes": "3.25",
    "ts": "2026-11-29T10:00:00+08:00",
}
QUALITY = {
    "district": "310115",
    "camera": "CAM-1",
    "site": "SITE-1",
    "verdict": "unqualified",
    "issue": "混入塑料袋",
    "confidence": "0.91",
    "ts": "2026-11-29T10:00:00+08:00",
}
BASE = {"waste.weighing": WEIGHING, "waste.quality": QUALITY}
UNKNOWN_DISTRICT = "(expected a 6-digit Shanghai adcode or exact Chinese name)"
CONTROL = "must not contain control characters"


def reason_for(feed_name: str, **changes: str) -> str:
    with pytest.raises(FeedValidationError) as caught:
        parse_event(feed_name, {**BASE[feed_name], **changes}, ENTRY_ID)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


@pytest.mark.parametrize(
    ("feed_name", "changes", "reason"),
    [
        ("waste.weighing", {"tonnes": "-3"}, "tonnes: must be > 0 and ≤ 50, got '-3'"),
        ("waste.weighing", {"tonnes": "0"}, "tonnes: must be > 0 and ≤ 50, got '0'"),
        ("waste.weighing", {"tonnes": "50.01"}, "tonnes: must be > 0 and ≤ 50, got '50.01'"),
        ("waste.weighing", {"tonnes": "nan"}, "tonnes: must be > 0 and ≤ 50, got 'nan'"),
        ("waste.weighing", {"tonnes": "inf"}, "tonnes: must be > 0 and ≤ 50, got 'inf'"),
        ("waste.weighing", {"tonnes": "3,5"}, "tonnes: must be a number, got '3,5'"),
        ("waste.weighing", {"district": "火星区"}, f"district: unknown district '火星区' {UNKNOWN_DISTRICT}"),
        ("waste.weighing", {"district": "310199"}, f"district: unknown district '310199' {UNKNOWN_DISTRICT}"),
        ("waste.weighing", {"district": "浦东"}, f"district: unknown district '浦东' {UNKNOWN_DISTRICT}"),
        (
            "waste.weighing",
            {"category": "Wet"},
            "category: must be one of wet, dry, recyclable, hazardous, got 'Wet'",
        ),
        ("waste.weighing", {"station": ""}, "station: must be 1–64 characters, got ''"),
        ("waste.weighing", {"station": "   "}, "station: must be 1–64 characters, got '   '"),
        ("waste.weighing", {"vehicle": "V" * 65}, f"vehicle: must be 1–64 characters, got '{'V' * 65}'"),
        ("waste.weighing", {"station": "ST\n1"}, f"station: {CONTROL}, got 'ST\\n1'"),
        ("waste.weighing", {"ts": "2026-11-29T10:00"}, "ts: missing time-zone offset in '2026-11-29T10:00'"),
        ("waste.weighing", {"ts": "2026-11-29"}, "ts: missing time-zone offset in '2026-11-29'"),
        (
            "waste.weighing",
            {"ts": "1795917600"},
            "ts: epoch milliseconds '1795917600' is outside 2000–2100 "
            "(seconds sent instead of milliseconds?)",
        ),
        (
            "waste.weighing",
            {"ts": "yesterday"},
            "ts: expected ISO-8601 with offset (e.g. '2026-11-29T10:00:00+08:00') "
            "or epoch milliseconds, got 'yesterday'",
        ),
        ("waste.weighing", {"event_id": "E" * 129}, "event_id: must be 1–128 characters, got 129"),
        ("waste.quality", {"verdict": "ok"}, "verdict: must be one of qualified, unqualified, got 'ok'"),
        ("waste.quality", {"confidence": "1.01"}, "confidence: must be between 0 and 1, got '1.01'"),
        ("waste.quality", {"confidence": "-0.1"}, "confidence: must be between 0 and 1, got '-0.1'"),
        ("waste.quality", {"issue": "问" * 257}, "issue: must be at most 256 characters, got 257"),
        ("waste.quality", {"camera": "CAM\x00"}, f"camera: {CONTROL}, got 'CAM\\x00'"),
        # bytes that are not UTF-8, as the reader decodes them (surrogateescape)
        ("waste.quality", {"site": "S\udcff"}, "site: must be valid UTF-8 text, got 'S\\udcff'"),
    ],
)
def test_bad_value_gets_a_reason_naming_field_rule_and_value(feed_name, changes, reason):
    assert reason_for(feed_name, **changes) == reason


def test_missing_fields_are_named():
    fields = {k: v for k, v in WEIGHING.items() if k != "vehicle"}
    with pytest.raises(FeedValidationError, match="^missing field: vehicle$"):
        parse_event("waste.weighing", fields, ENTRY_ID)
    fields = {k: v for k, v in QUALITY.items() if k not in ("camera", "confidence")}
    with pytest.raises(FeedValidationError, match="^missing fields: camera, confidence$"):
        parse_event("waste.quality", fields, ENTRY_ID)


def test_every_problem_of_a_message_is_reported_at_once():
    reason = reason_for("waste.weighing", tonnes="-3", district="火星区", ts="2026-11-29T10:00")
    assert reason.split("; ") == [
        "ts: missing time-zone offset in '2026-11-29T10:00'",
        f"district: unknown district '火星区' {UNKNOWN_DISTRICT}",
        "tonnes: must be > 0 and ≤ 50, got '-3'",
    ]


def test_long_values_are_shortened_in_reasons():
    reason = reason_for("waste.weighing", station="S" * 500)
    assert len(reason) < 150 and reason.endswith("…'")


def test_user_text_with_braces_is_quoted_verbatim():
    assert reason_for("waste.weighing", category="{wet}").endswith("got '{wet}'")


def test_unknown_feed_is_rejected_with_the_known_ones():
    with pytest.raises(FeedValidationError, match="unknown feed 'waste.smell' .*waste.quality"):
        parse_event("waste.smell", WEIGHING, ENTRY_ID)


@pytest.mark.parametrize(
    "ts",
    [
        "2026-11-29T10:00:00+08:00",
        "2026-11-29T02:00:00Z",
        "2026-11-29T02:00:00+00:00",
        "2026-11-29 10:00:00.000+08:00",
        str(TEN_AM_MS),
        f" {TEN_AM_MS} ",
    ],
)
def test_event_time_as_iso_with_offset_or_epoch_ms(ts):
    event = parse_event("waste.weighing", {**WEIGHING, "ts": ts}, "1800000000000-3")
    assert event.ts_ms == TEN_AM_MS


@pytest.mark.parametrize("fields", [{k: v for k, v in WEIGHING.items() if k != "ts"}, {**WEIGHING, "ts": ""}])
def test_missing_event_time_is_the_entry_id_time(fields):
    assert parse_event("waste.weighing", fields, "1795917600123-7").ts_ms == 1_795_917_600_123


@pytest.mark.parametrize("district", ["310115", "浦东新区", " 浦东新区 "])
def test_district_by_adcode_or_chinese_name_becomes_adcode(district):
    assert parse_event("waste.weighing", {**WEIGHING, "district": district}, ENTRY_ID).district == "310115"


def test_valid_weighing_is_normalised_and_extra_fields_ignored():
    fields = {**WEIGHING, "station": "  ST-1 ", "tonnes": "50", "event_id": " up-1 ", "driver": "张三"}
    event = parse_event("waste.weighing", fields, ENTRY_ID)
    assert isinstance(event, Weighing)
    assert event.model_dump() == {
        "ts_ms": TEN_AM_MS,
        "event_id": "up-1",
        "district": "310115",
        "station": "ST-1",
        "vehicle": "沪A10001",
        "category": "wet",
        "tonnes": 50.0,
    }


def test_quality_issue_is_optional_and_confidence_bounds_are_inclusive():
    bare = {k: v for k, v in QUALITY.items() if k != "issue"}
    for confidence in ("0", "1"):
        event = parse_event("waste.quality", {**bare, "confidence": confidence}, ENTRY_ID)
        assert isinstance(event, QualityVerdict)
        assert event.issue is None and event.confidence == float(confidence)
    assert parse_event("waste.quality", {**QUALITY, "issue": "  "}, ENTRY_ID).issue is None
    assert parse_event("waste.quality", {**QUALITY, "event_id": ""}, ENTRY_ID).event_id is None


def test_registry_names_every_feed():
    expected = {"waste.weighing": Weighing, "waste.quality": QualityVerdict,
                "forest.patrol": Patrol, "forest.incident": Incident,
                "forest.fire_risk": FireRisk, "park.gate": GateCount,
                "park.occupancy": Occupancy, "belt.device": DeviceReport,
                "belt.inspection": Inspection, "belt.project": ProjectStep}
    # --- sign ---
    from datasources.sign.feeds import CaseStep, SensorReading, TyphoonSwitch
    expected |= {"sign.sensor": SensorReading, "sign.inspection": CaseStep,
                 "sign.typhoon": TyphoonSwitch}
    # --- end sign ---
    # --- water ---
    from datasources.water import feeds as water

    expected |= {"water.boat": water.BoatPosition, "water.collection": water.Collection,
                 "water.inspection": water.Inspection, "water.plants": water.PlantClearance,
                 "water.issue": water.IssueStep}
    # --- end water ---
    # --- zoo ---
    from datasources.zoo import feeds as zoo

    expected |= {"zoo.feeding": zoo.Feeding, "zoo.health": zoo.HealthStep,
                 "zoo.enclosure": zoo.SensorReading, "zoo.safety": zoo.SafetyIncident}
    # --- end zoo ---
    assert FEEDS == expected
    assert all(model.feed == name for name, model in FEEDS.items())


def test_a_new_feed_is_a_small_model():
    @feed("park.gate.test")
    class ParkGate(FeedEvent):
        park: Identifier
        gate: Identifier
        entered: Annotated[float, PlainValidator(number_in(0, 100_000))]

    try:
        event = parse_event("park.gate.test", {"park": "P1", "gate": "东门", "entered": "12"}, ENTRY_ID)
        assert (event.park, event.gate, event.entered, event.ts_ms) == ("P1", "东门", 12.0, TEN_AM_MS)
        with pytest.raises(FeedValidationError, match="^entered: must be between 0 and 100000, got '-1'$"):
            parse_event("park.gate.test", {"park": "P1", "gate": "东门", "entered": "-1"}, ENTRY_ID)
    finally:
        FEEDS.pop("park.gate.test")
