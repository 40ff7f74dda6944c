"""A domain's own lookup tables reach its effects through the generic ``MasterLookup.lookup``."""

from __future__ import annotations

from datasources.platform.master import MasterPart, SnapshotMasterLookup, StaticMaster


def test_lookup_tables_answer_from_any_domain_and_say_none_when_unknown():
    parts = [MasterPart(tables={"grid_district": {"PG-1": "310115"}}),
             MasterPart(tables={"park_district": {"顾村公园": "310113"}})]
    lookup = SnapshotMasterLookup(lambda: parts)
    assert lookup.lookup("park_district", "顾村公园") == "310113"
    assert lookup.grid_district("PG-1") == "310115"
    assert lookup.lookup("park_district", "nowhere") is None
    assert lookup.lookup("no_such_table", "x") is None
    static = StaticMaster(tables={"park_district": {"世纪公园": "310115"}})
    assert static.lookup("park_district", "世纪公园") == "310115"
    assert static.lookup("park_district", "x") is None
