"""Imports every screen module so that each registers its spec once."""

from layouts import forest_chief, waste_sorting  # noqa: F401
