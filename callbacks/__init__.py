"""Callbacks: one module per screen (``callbacks/<screen>.py``: its ``payload(sources,
district)`` builder and, if it has interactions of its own, ``register(app, sources)``), found
by ``dashboard.discovery``; and the callbacks every screen shares: live push (``live``), the 1 s
polling baseline (``poll``) and navigation (``navigation``). Callbacks get the data sources, the
cache and the hub passed in; they never import the web layer.
"""
