"""The ``greenwall`` command says which data dir, database and secret it uses, and
``greenwall token`` never signs with a secret the server does not have."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.grants import verify
from dashboard.settings import Settings

SLUG = "waste-sorting"
EXAMPLE_WALL = Path(__file__).resolve().parents[2] / "docs" / "examples" / "command-centre.toml"


@pytest.fixture
def elsewhere(monkeypatch, tmp_path) -> Path:
    """A working directory that is not the server's, with no greenwall settings in the
    environment (set first so that the test restores what ``--data-dir`` writes there)."""
    for name in ("GREENWALL_DATA_DIR", "GREENWALL_SECRET", "GREENWALL_DATABASE_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def server_dir(tmp_path) -> tuple[Path, str]:
    """A data dir whose secret the server (``greenwall run``) generated."""
    data_dir = tmp_path / "server" / "var"
    return data_dir, Settings(data_dir=data_dir).signing_secret()


def test_token_refuses_without_the_servers_secret_and_makes_none(elsewhere, capsys):
    assert main(["token", "--screen", SLUG, "--all-districts"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    looked_in = (elsewhere / "var").resolve()
    assert "no signing secret" in err and str(looked_in) in err
    assert "--data-dir" in err and "GREENWALL_SECRET" in err
    assert not (looked_in / "secret").exists()


def test_data_dir_points_token_at_the_servers_secret(elsewhere, server_dir, capsys):
    data_dir, secret = server_dir
    assert main(["--data-dir", str(data_dir), "token", "--screen", SLUG, "--all-districts"]) == 0
    out, err = capsys.readouterr()
    assert verify(secret, out.strip()).screens == (SLUG,)
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:8]
    assert (f"data dir {data_dir.resolve()}" in err
            and f"secret {fingerprint} (from {data_dir.resolve() / 'secret'})" in err)
    assert secret not in err
    assert not (elsewhere / "var").exists()


def test_token_names_a_configured_secret_by_its_fingerprint(elsewhere, capsys, monkeypatch):
    secret = "configured-secret-0123456789-0123456789"
    monkeypatch.setenv("GREENWALL_SECRET", secret)
    assert main(["token", "--screen", SLUG, "--all-districts"]) == 0
    err = capsys.readouterr().err
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:8]
    assert f"secret {fingerprint} (from GREENWALL_SECRET)" in err and secret not in err


def test_wall_load_says_which_database_it_wrote(elsewhere, server_dir, capsys):
    data_dir, _ = server_dir
    assert main(["--data-dir", str(data_dir), "wall", "load", str(EXAMPLE_WALL)]) == 0
    captured = capsys.readouterr()
    database = f"sqlite:///{(data_dir / 'greenwall.db').resolve()}"
    assert f"loaded into {database}" in captured.out
    assert f"database {database}" in captured.err
