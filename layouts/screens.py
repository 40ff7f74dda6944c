"""Imports every screen module so that each registers its spec once."""

from layouts import waste_sorting  # noqa: F401
