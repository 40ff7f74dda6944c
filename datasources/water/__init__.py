"""The water-area domain (水域市容环境质量监管): cleaning boats, floating waste collected,
section quality assessments, aquatic-plant clearance and the issue loop (``feeds``), what they
change in Redis (``effects``), how the screen reads it (``reader``), the sections, their
companies and boats and the published figures (``schema``, ``store``, ``seed``), its simulated
feeds (``simulator``) and its own settings (``settings``, read here so a bad value stops the
start)."""

from datasources.platform.domain import Domain
from datasources.water import effects, feeds, schema, seed, simulator, store
from datasources.water.reader import WaterReader
from datasources.water.settings import water_settings

water_settings()

DOMAIN = Domain(
    name="water",
    feeds={m.feed: m for m in (feeds.BoatPosition, feeds.Collection, feeds.Inspection,
                               feeds.PlantClearance, feeds.IssueStep)},
    effects={"water.boat": effects.boat_effects, "water.collection": effects.collection_effects,
             "water.inspection": effects.inspection_effects,
             "water.plants": effects.plants_effects, "water.issue": effects.issue_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=WaterReader,
    tables=(schema.WaterCompany, schema.WaterSection, schema.WaterBoat, schema.WaterFact),
    reads=store.WaterReads,
    master=store.master_part,
    seed=seed.seed_water,
    simulation=simulator.WaterSimulation.from_store,
)
