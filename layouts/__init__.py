"""Layouts: the tile kinds (``layouts/kinds/``, one module each) and one module per screen (its
spec and labels), the frame every screen shares (``shell``) and the index. Components only, no I/O."""
