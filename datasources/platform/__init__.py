"""The shared machinery every domain runs on: the ingest worker (``ingest``, ``ingest.lua``,
``ingest_plan``, ``deadletter``), Redis key names (``keys``), the feed base and its checks
(``feeds``), the effects interface (``effects``), feed statistics (``feedstats``), the snapshot
store base (``schema``, ``snapshot``), the master-data registry (``master``), seeding
(``seed``), the simulator (``publisher``), video walls (``walls``), the embedded Redis
(``embedded``), and the ``Domain`` interface with ``load_domains`` (``domain``).

Nothing in it names a domain: it reaches the domains only through the ``Domain`` objects that
``load_domains`` returns.
"""
