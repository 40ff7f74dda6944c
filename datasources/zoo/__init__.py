"""The zoo domain (野生动物监管, 上海动物园): feedings against the diet plans, health checks and
vet cases, enclosure sensors and visitor safety incidents (``feeds``), what they change in
Redis (``effects``), how the screen reads it (``reader``), the zoo's areas, houses, species,
diet plans, keepers and published figures (``schema``, ``store``, ``seed``), its simulated
feeds (``simulator``) and its thresholds (``settings``, ``GREENWALL_ZOO_*``).
"""

from datasources.platform.domain import Domain
from datasources.zoo import effects, feeds, schema, seed, simulator, store
from datasources.zoo.reader import ZooReader
from datasources.zoo.settings import zoo_settings

zoo_settings()  # a bad GREENWALL_ZOO_* value stops the start here, with its reason

DOMAIN = Domain(
    name="zoo",
    feeds={m.feed: m for m in (feeds.Feeding, feeds.HealthStep, feeds.SensorReading,
                               feeds.SafetyIncident)},
    effects={"zoo.feeding": effects.feeding_effects, "zoo.health": effects.health_effects,
             "zoo.enclosure": effects.enclosure_effects, "zoo.safety": effects.safety_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=ZooReader,
    tables=(schema.ZooArea, schema.ZooEnclosure, schema.ZooSpecies, schema.ZooDiet,
            schema.ZooKeeper, schema.ZooFact),
    reads=store.ZooReads,
    master=store.master_part,
    seed=seed.seed_zoo,
    simulation=simulator.ZooSimulation.from_store,
)
