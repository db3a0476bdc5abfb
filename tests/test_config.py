"""Settings: layered loading, validation with one-line errors naming file and key, CLI exit code 2."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pipeline.config import Recipient, describe, load_settings
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_file() -> None:
    settings = load_settings(None, env={})
    assert settings.fetch.timeout == 20
    assert settings.fetch.allow_private_addresses is False
    assert settings.schedule.digest_cron == "0 7 * * *"


def test_default_config_file_loads_and_paths_are_relative_to_it() -> None:
    settings = load_settings(ROOT / "config" / "pactwatch.toml", env={})
    assert settings.database.path == ROOT / "data" / "pactwatch.db"
    assert settings.feeds.file == ROOT / "config" / "feeds.toml"
    assert [r.address for r in settings.email.recipients] == ["analyst@example.org"]


def test_partial_file_overrides_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[fetch]\ntimeout = 5\n")
    settings = load_settings(path, env={})
    assert settings.fetch.timeout == 5.0
    assert settings.fetch.max_bytes == 10_000_000


def test_environment_overrides_file_and_flags_override_environment(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[fetch]\ntimeout = 5\nper_host = 3\n")
    env = {"PACTWATCH_FETCH__TIMEOUT": "7", "PACTWATCH_SMTP_PASSWORD": "s3cret"}
    settings = load_settings(path, env=env, overrides={"fetch": {"per_host": 9}})
    assert settings.fetch.timeout == 7.0
    assert settings.fetch.per_host == 9
    assert settings.email.password == "s3cret"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[fetch]\ntimout = 5\n", "key 'fetch.timout': unknown key"),
        ("[fetch]\ntimeout = 'soon'\n", "key 'fetch.timeout': expected a number"),
        ("[fetch]\nconcurrency = 0\n", "key 'fetch.concurrency': must be greater than 0"),
        ("[email]\nsecurity = 'ssl'\n", "key 'email.security': must be one of none, starttls, tls"),
        ("[schedule]\ndigest_cron = 'daily'\n", "key 'schedule.digest_cron': must be a 5-field cron"),
        ("[fetchh]\n", "key 'fetchh': unknown section"),
        ("[fetch\n", "malformed TOML"),
        ("[email]\npassword = 'x'\n", "key 'email.password': unknown key"),
        ("[[email.recipients]]\naddress = 'nobody'\n", "key 'email.recipients.address': must be an e-mail address"),
    ],
    ids=["unknown-key", "wrong-type", "invalid-value", "bad-choice", "bad-cron", "unknown-section", "malformed",
         "password-in-file", "bad-recipient"],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_environment_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"environment, key 'fetch\.timeout'"):
        load_settings(None, env={"PACTWATCH_FETCH__TIMEOUT": "fast"})


def test_cli_exits_2_with_one_line_on_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[fetch]\nmax_bytes = true\n")
    result = subprocess.run([sys.executable, "-m", "pipeline", "status", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ConfigError: ") and "fetch.max_bytes" in lines[0] and str(path) in lines[0]


def test_bad_feeds_file_names_the_feed_key(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nurl = "https://example.org/rss"\ninterval = "often"\n')
    config = tmp_path / "p.toml"
    config.write_text(f'[feeds]\nfile = "{feeds.name}"\n[database]\npath = "x.db"\n')
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "feed[0].interval" in result.stderr and str(feeds) in result.stderr


def test_every_setting_is_documented_in_the_default_config() -> None:
    path = ROOT / "config" / "pactwatch.toml"
    data = tomllib.loads(path.read_text())
    lines = path.read_text().splitlines()
    missing = [f"{section}.{key}" for section, key, _, _ in describe() if key not in data.get(section, {})]
    missing += [f"email.recipients.{f.name}" for f in dataclasses.fields(Recipient)
                if f.name not in data["email"]["recipients"][0]]
    assert not missing, f"settings missing from config/pactwatch.toml: {missing}"
    uncommented = [line for line in lines if "=" in line and not line.startswith("#") and "#" not in line]
    assert not uncommented, f"settings without a comment: {uncommented}"
