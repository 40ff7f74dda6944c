"""The ring ecological park-belt domain (环城生态公园带): device status, inspections and
green-construction projects (``feeds``), what they change in Redis (``effects``), how the
screen reads it (``reader``), the belt's parks, sections, 驿站, devices and figures
(``schema``, ``store``, ``seed``) and its simulated feeds (``simulator``). Its visitors are
the park domain's, which it needs (``requires``).
"""

from datasources.belt import effects, feeds, schema, seed, simulator, store
from datasources.belt.reader import BeltReader
from datasources.platform.domain import Domain

DOMAIN = Domain(
    name="belt",
    feeds={m.feed: m for m in (feeds.DeviceReport, feeds.Inspection, feeds.ProjectStep)},
    effects={"belt.device": effects.device_effects, "belt.inspection": effects.inspection_effects,
             "belt.project": effects.project_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=BeltReader,
    tables=(schema.BeltSection, schema.BeltPark, schema.BeltStation, schema.BeltDevice,
            schema.BeltFact),
    reads=store.BeltReads,
    master=store.master_part,
    seed=seed.seed_belt,
    simulation=simulator.BeltSimulation.from_store,
    requires=("park",),
)
