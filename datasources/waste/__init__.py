"""The waste-sorting domain (垃圾分类): truck weighings (车载称重) and wet-garbage quality verdicts
(品质识别) — ``feeds``, what they change in Redis (``effects``), how the screen reads it
(``reader``), the stations, sites, vehicles, cameras and history of the snapshot database
(``schema``, ``store``), their demo data (``seed``) and the simulated feeds (``simulator``).
"""

from datasources.platform.domain import Domain
from datasources.waste import effects, feeds, schema, seed, simulator, store
from datasources.waste.reader import WasteReader

DOMAIN = Domain(
    name="waste",
    feeds={m.feed: m for m in (feeds.Weighing, feeds.QualityVerdict)},
    effects={"waste.weighing": effects.weighing_effects, "waste.quality": effects.quality_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=WasteReader,
    tables=(schema.TransferStation, schema.Vehicle, schema.CollectionSite, schema.QualityCamera,
            schema.WasteTarget, schema.DailyWeighing, schema.DailyQuality),
    reads=store.WasteReads,
    master=store.master_part,
    seed=seed.seed_waste,
    simulation=simulator.SimEntities.from_store,
)
