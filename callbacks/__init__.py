"""Callbacks: one module per screen plus the live and navigation callbacks, registered explicitly."""

from __future__ import annotations

from callbacks import forest_chief, waste_sorting
from dashboard.payloads import PayloadBuilder

PAYLOADS: dict[str, PayloadBuilder] = {
    waste_sorting.SLUG: waste_sorting.payload,
    forest_chief.SLUG: forest_chief.payload,
}
