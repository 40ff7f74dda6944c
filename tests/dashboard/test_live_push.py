"""A live push is one WebSocket frame per screen: every changed tile and the heartbeat
together, and nothing the page already shows (``callbacks/live.py``)."""

from __future__ import annotations

from dashboard import ids
from dashboard.registry import get_screen
from tests.feeds_helpers import publish
from tests.live_client import drive_live

SLUG = "waste-sorting"
WET = ids.metric("waste.tonnes_today.wet")


def test_the_first_push_brings_every_tile_in_one_frame(served):
    # The client says the page was built with no tiles at all, so every tile is due at once.
    app, base = served
    session = drive_live(app, base, f"/screens/{SLUG}", "", until=lambda s: s.frames)
    first = {cid for cid, _ in session.frames[0]}
    assert {ids.tile(SLUG, tile.key) for tile in get_screen(SLUG).tiles} <= first
    assert ids.ROOT in first
    assert "data-heartbeat" in dict(session.frames[0])[ids.ROOT]


def test_a_weighing_arrives_as_one_frame_with_only_what_it_changed(served, sources, worker):
    app, base = served
    sent: list[bool] = []

    def weighed(session) -> bool:
        if session.frames and not sent:  # the page is up to date: now the event comes
            publish(sources.redis, sources.keys, "waste.weighing", district="310115",
                    station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="2.5")
            sent.append(True)
        return any(cid == WET and props.get("data-value") == "2.5"
                   for frame in session.frames[1:] for cid, props in frame)

    session = drive_live(app, base, f"/screens/{SLUG}", "", until=weighed)
    frame = next(f for f in session.frames[1:] if any(cid == WET for cid, _ in f))
    components = dict(frame)
    assert ids.ROOT in components  # the new data version and heartbeat ride in the same frame
    assert ids.tile(SLUG, "tonnes") in components
    # A weighing says nothing about the quality cameras: that tile is not resent.
    assert ids.tile(SLUG, "cameras") not in components
    assert len(frame) == len(components)  # each component once, all its changed props together
