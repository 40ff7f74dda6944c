"""Validation of the forest-chief feeds (林长制): each bad value gets a reason a person can act on."""

from __future__ import annotations

import pytest

from datasources.forest.feeds import FireRisk, Incident, Patrol
from datasources.platform.feeds import FeedValidationError, parse_event

ENTRY_ID = "1795917600000-0"  # appended 2026-11-29T10:00:00+08:00

PATROL = {"ranger": "RG-310115-001", "grid": "PG-310115-001", "kind": "checkpoint",
          "lat": "31.2", "lon": "121.6", "ts": "2026-11-29T10:00:00+08:00"}
INCIDENT = {"incident": "AJ-1", "scenario": "fire", "stage": "reported", "grid": "PG-310115-001",
            "lat": "31.2", "lon": "121.6", "note": "林缘发现焚烧痕迹",
            "ts": "2026-11-29T10:00:00+08:00"}
FIRE = {"district": "浦东新区", "level": "4", "ts": "2026-11-29T10:00:00+08:00"}

KINDS = "start, checkpoint, finish"
BASE = {"forest.patrol": PATROL, "forest.incident": INCIDENT, "forest.fire_risk": FIRE}


def reason_for(feed_name: str, **changes: str) -> str:
    with pytest.raises(FeedValidationError) as caught:
        parse_event(feed_name, {**BASE[feed_name], **changes}, ENTRY_ID)
    return caught.value.reason


def test_valid_messages_parse_to_typed_events():
    patrol = parse_event("forest.patrol", PATROL, ENTRY_ID)
    assert isinstance(patrol, Patrol) and patrol.kind == "checkpoint" and patrol.lat == 31.2
    incident = parse_event("forest.incident", INCIDENT, ENTRY_ID)
    assert isinstance(incident, Incident)
    assert (incident.stage, incident.scenario, incident.note) == ("reported", "fire", "林缘发现焚烧痕迹")
    assert parse_event("forest.incident", {**INCIDENT, "note": "  "}, ENTRY_ID).note is None
    fire = parse_event("forest.fire_risk", FIRE, ENTRY_ID)
    assert isinstance(fire, FireRisk) and (fire.district, fire.level) == ("310115", 4)


@pytest.mark.parametrize(
    ("feed_name", "changes", "reason"),
    [
        ("forest.patrol", {"kind": "pause"}, f"kind: must be one of {KINDS}, got 'pause'"),
        ("forest.patrol", {"kind": "START"}, f"kind: must be one of {KINDS}, got 'START'"),
        ("forest.patrol", {"lat": "39.9"}, "lat: must be between 30.6 and 31.95, got '39.9'"),
        ("forest.patrol", {"lon": "31.2"}, "lon: must be between 120.8 and 122.3, got '31.2'"),
        ("forest.patrol", {"lat": "north"}, "lat: must be a number, got 'north'"),
        ("forest.patrol", {"ranger": ""}, "ranger: must be 1–64 characters, got ''"),
        ("forest.patrol", {"grid": "G" * 65}, f"grid: must be 1–64 characters, got '{'G' * 65}'"),
        ("forest.incident", {"stage": "closed"},
         "stage: must be one of reported, verified, disposed, assessed, got 'closed'"),
        ("forest.incident", {"scenario": "flood"},
         "scenario: must be one of deforestation, neglect, fire, wildlife, ancient_tree, got 'flood'"),
        ("forest.incident", {"incident": "A\tB"},
         "incident: must not contain control characters, got 'A\\tB'"),
        ("forest.incident", {"note": "记" * 257}, "note: must be at most 256 characters, got 257"),
        ("forest.incident", {"ts": "2026-11-29 10:00"}, "ts: missing time-zone offset in '2026-11-29 10:00'"),
        ("forest.fire_risk", {"level": "6"}, "level: must be a whole number 1–5, got '6'"),
        ("forest.fire_risk", {"level": "0"}, "level: must be a whole number 1–5, got '0'"),
        ("forest.fire_risk", {"level": "3.5"}, "level: must be a whole number 1–5, got '3.5'"),
        ("forest.fire_risk", {"district": "火星区"},
         "district: unknown district '火星区' (expected a 6-digit Shanghai adcode or exact Chinese name)"),
    ],
)
def test_bad_forest_value_gets_a_reason(feed_name, changes, reason):
    assert reason_for(feed_name, **changes) == reason


def test_missing_forest_fields_are_named():
    fields = {k: v for k, v in INCIDENT.items() if k not in ("grid", "stage")}
    with pytest.raises(FeedValidationError, match="^missing fields: stage, grid$"):
        parse_event("forest.incident", fields, ENTRY_ID)
    with pytest.raises(FeedValidationError, match="^missing field: level$"):
        parse_event("forest.fire_risk", {"district": "310115"}, ENTRY_ID)
