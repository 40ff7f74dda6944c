"""The park visitor-flow domain (公园游客量): gate counts and measured in-park counts (``feeds``),
what they change in Redis (``effects``), how the screen reads it (``reader``), the key parks,
their gates and the park counts by year (``schema``, ``store``, ``seed``) and the simulated
gates and crowd drill (``simulator``).
"""

from datasources.park import effects, feeds, schema, seed, simulator, store
from datasources.park.reader import ParkReader
from datasources.platform.domain import Domain

DOMAIN = Domain(
    name="park",
    feeds={m.feed: m for m in (feeds.GateCount, feeds.Occupancy)},
    effects={"park.gate": effects.gate_effects, "park.occupancy": effects.occupancy_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=ParkReader,
    tables=(schema.Park, schema.ParkGate, schema.ParkCount),
    reads=store.ParkReads,
    master=store.master_part,
    seed=seed.seed_parks,
    simulation=simulator.ParkSimulation.from_store,
)
