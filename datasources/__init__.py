"""Data sources: the platform that ingests, stores and simulates live feeds, and one package per
feed family (domain) on it.

- ``datasources.platform``: the ingest worker (and its Lua script), feed validation, the effects
  interface, feed statistics, the snapshot store base and master-data registry, seeding, the
  simulator's publisher, walls, the embedded Redis, and the ``Domain`` interface with
  ``load_domains``;
- ``datasources.waste`` (垃圾分类) and ``datasources.forest`` (林长制): each a domain's feeds,
  effects, reader, snapshot tables and reads, seed and simulator plan, exposed as ``DOMAIN``.

Which domains run is the setting ``GREENWALL_DOMAINS``; nothing here is imported for its side
effects.
"""
