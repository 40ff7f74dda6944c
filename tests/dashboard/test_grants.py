"""Secrets and grant lifetimes: what signs, what still verifies, and what is refused."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest

from dashboard.grants import SIGNIN, TokenExpired, TokenInvalid, issue, verify
from dashboard.settings import SecretError, Settings, load_settings

LONG = "a-signing-secret-of-forty-eight-bytes-0123456789"


@pytest.mark.parametrize("secret", ["", "   ", "short", "x" * 31])
def test_a_blank_or_short_secret_is_refused_with_a_reason(tmp_path, secret):
    settings = Settings(data_dir=tmp_path, secret=secret)
    with pytest.raises(SecretError, match="at least 32 bytes"):
        settings.signing_secret()


def test_an_empty_secret_in_the_environment_is_refused_not_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("GREENWALL_SECRET", "")
    with pytest.raises(SecretError, match="blank"):
        load_settings(data_dir=tmp_path).signing_secret()


def test_the_cli_says_why_it_will_not_start(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("GREENWALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GREENWALL_SECRET", "too-short")
    assert main(["token", "--screen", "waste-sorting", "--all-districts"]) == 2
    assert "at least 32 bytes" in capsys.readouterr().err


def test_the_generated_secret_is_private_long_and_one_for_every_process(tmp_path):
    found: list[str] = []
    threads = [threading.Thread(target=lambda: found.append(
        Settings(data_dir=tmp_path).signing_secret())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and len(found[0]) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret").st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no drafts left behind


def test_a_secret_file_others_can_read_is_refused(tmp_path):
    Settings(data_dir=tmp_path).signing_secret()
    os.chmod(tmp_path / "secret", 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        Settings(data_dir=tmp_path).signing_secret()


def test_rotation_old_secrets_verify_and_only_the_new_one_signs(tmp_path):
    old = "the-old-signing-secret-0123456789-0123456789"
    made_before = issue(old, ["waste-sorting"], ["310115"])
    rotated = Settings(data_dir=tmp_path, secret=LONG, secret_previous=f" {old} ")
    assert verify(rotated.signing_keys(), made_before).districts == ("310115",)
    made_after = issue(rotated.signing_keys(), ["waste-sorting"], ["310115"])
    verify(LONG, made_after)
    with pytest.raises(TokenInvalid):
        verify(old, made_after)
    retired = Settings(data_dir=tmp_path, secret=LONG)
    with pytest.raises(TokenInvalid):
        verify(retired.signing_keys(), made_before)
    with pytest.raises(SecretError):
        Settings(data_dir=tmp_path, secret=LONG, secret_previous="short").signing_keys()


def test_no_grant_outlives_the_lifetime_cap():
    cap = 7 * 86400
    with pytest.raises(ValueError, match="lifetime cap"):
        issue(LONG, ["*"], None, cap + 1, max_ttl_s=cap)
    long_lived = issue(LONG, ["*"], None, 30 * 86400)  # made under a looser cap
    verify(LONG, long_lived)
    with pytest.raises(TokenExpired, match="lifetime cap"):
        verify(LONG, long_lived, max_ttl_s=cap)


def test_the_two_kinds_never_pass_for_each_other():
    embed, signin = issue(LONG, ["*"], ["310115"]), issue(LONG, ["*"], ["310115"], kind=SIGNIN)
    with pytest.raises(TokenInvalid):
        verify(LONG, embed, kind=SIGNIN)
    with pytest.raises(TokenInvalid):
        verify(LONG, signin)
    a, b = verify(LONG, embed), verify(LONG, signin, kind=SIGNIN)
    assert a.id and b.id and a.id != b.id
    assert verify(LONG, embed, now=time.time()).allows("forest-chief", "310115")
