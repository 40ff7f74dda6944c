"""Every module of the four packages sits in a layer of the import contract, so a new module
cannot slip past ``lint-imports`` (which only checks the modules its layers name)."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_dashboard_module_is_in_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    import dashboard

    modules = {f"dashboard.{m.name}" for m in pkgutil.iter_modules(dashboard.__path__)
               if not m.ispkg}
    assert modules - named == set(), "add these to a layer in pyproject.toml's import contract"
    assert {"callbacks", "layouts", "datasources"} <= named
