"""Layouts: one module per screen plus shared tile builders. Components only, no I/O."""
