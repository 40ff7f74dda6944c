"""The signboard domain (户外招牌安全管理): sensor readings of large signboards, the hazard loop
of inspections and rectification, and the typhoon-mode switch (``feeds``), what they change in
Redis (``effects``), how the screen reads it (``reader``), the signboards and their sensors
(``schema``, ``store``, ``seed``), its simulated feeds (``simulator``) and its thresholds
(``settings``, ``GREENWALL_SIGN_*``, read here so a bad value stops the start).
"""

from datasources.platform.domain import Domain
from datasources.sign import effects, feeds, schema, seed, simulator, store
from datasources.sign.reader import SignReader
from datasources.sign.settings import sign_settings

SIGN_SETTINGS = sign_settings()

DOMAIN = Domain(
    name="sign",
    feeds={m.feed: m for m in (feeds.SensorReading, feeds.CaseStep, feeds.TyphoonSwitch)},
    effects={"sign.sensor": effects.sensor_effects, "sign.inspection": effects.case_effects,
             "sign.typhoon": effects.typhoon_effects},
    entity_kinds=effects.ENTITY_KINDS,
    reader=SignReader,
    tables=(schema.SignBoard, schema.SignSensor),
    reads=store.SignReads,
    master=store.master_part,
    seed=seed.seed_sign,
    simulation=simulator.SignSimulation.from_store,
)
