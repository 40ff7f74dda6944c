"""The forest-chief domain (林长制): ranger patrols (巡护), cases through the loop 上报 → 核实 →
处置 → 考核, and fire-danger ratings (森林火险) — ``feeds``, what they change in Redis
(``effects``), how the screen reads it (``reader``) and the figures it shows (``stats``), the
chiefs, grids, rangers and tree register of the snapshot database (``schema``, ``store``),
their demo data (``seed``) and the simulated feeds (``simulator``).
"""

from datasources.forest import effects, feeds, schema, seed, simulator, store
from datasources.forest.reader import ForestReader
from datasources.platform.domain import Domain

DOMAIN = Domain(
    name="forest",
    feeds={m.feed: m for m in (feeds.Patrol, feeds.Incident, feeds.FireRisk)},
    effects={"forest.patrol": effects.patrol_effects, "forest.incident": effects.incident_effects,
             "forest.fire_risk": effects.fire_risk_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=ForestReader,
    tables=(schema.ForestChief, schema.DutyGrid, schema.PatrolGrid, schema.Ranger,
            schema.AncientTree, schema.ForestCoverage),
    reads=store.ForestReads,
    master=store.master_part,
    seed=seed.seed_forest,
    simulation=simulator.ForestEntities.from_store,
)
