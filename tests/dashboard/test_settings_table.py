"""docs/operations.md has one table of every setting, and it stays true: each field of the
settings model, and of each enabled domain's own settings (``datasources/<domain>/settings.py``,
a ``BaseSettings`` with its ``GREENWALL_<DOMAIN>_`` prefix), is a row, and each row is a
setting."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from dashboard.settings import Settings
from datasources.platform.domain import load_domains

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def table_rows() -> dict[str, str]:
    """setting → its row, from the table under "## Settings"."""
    section = OPERATIONS.read_text(encoding="utf-8").split("\n## Settings\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = re.match(r"^\| `GREENWALL_([A-Z0-9_]+)` \|", line)
        if found:
            rows[found[1].lower()] = line
    return rows


def all_fields() -> dict[str, FieldInfo]:
    """Every setting by its name after ``GREENWALL_``, lower-case: the platform's and the
    enabled domains' own."""
    fields = dict(Settings.model_fields)
    for domain in load_domains():
        try:
            module = importlib.import_module(f"datasources.{domain.name}.settings")
        except ModuleNotFoundError:
            continue
        for model in vars(module).values():
            if (isinstance(model, type) and issubclass(model, BaseSettings)
                    and model.__module__ == module.__name__):
                prefix = model.model_config.get("env_prefix", "").removeprefix("GREENWALL_")
                fields |= {f"{prefix.lower()}{name}": f for name, f in model.model_fields.items()}
    return fields


def test_every_setting_has_a_row_with_its_default_and_accepted_values():
    rows = table_rows()
    assert sorted(rows) == sorted(all_fields())
    for name, line in rows.items():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        assert len(cells) == 3 and all(cells), f"GREENWALL_{name.upper()}: {line}"


def test_simulate_says_what_it_accepts():
    row = table_rows()["simulate"]
    assert "`true`/`false`" in row and "embedded" in row


def test_each_row_gives_the_models_default():
    rows = table_rows()
    for name, field in all_fields().items():
        default = field.default
        if default is None or default == "":
            continue  # "unset → …" / "empty" say what happens instead
        if isinstance(default, bool):
            shown = str(default).lower()
        elif isinstance(default, int | float):
            shown = str(int(default)) if float(default).is_integer() else str(default)
        elif isinstance(default, Path):
            shown = f"./{default}"
        else:
            shown = str(default)
        default_cell = rows[name].strip("|").split(" | ")[1]
        assert f"`{shown}`" in default_cell, f"GREENWALL_{name.upper()}: default {shown!r}"
