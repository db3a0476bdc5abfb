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
    with pytest.raises(ConfigError, match=r"environment variable PACTWATCH_FETCH__TIMEOUT, key 'fetch\.timeout': "
                                          "expected a number"):
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


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[email.recipients]]\nmin_confidence = 7\n", "key 'email.recipients.min_confidence': must be at least 0"
                                                      " and at most 1, got 7"),
        ("[schedule]\nmin_interval = 7200\nmax_interval = 3600\n",
         "key 'schedule.min_interval': must not exceed schedule.max_interval (3600), got 7200"),
        ("[fetch]\ntimeout = inf\n", "key 'fetch.timeout': must be greater than 0 and at most 3,600, got inf"),
        ("[fetch]\ntimeout = nan\n", "key 'fetch.timeout': must be greater than 0"),
        ("[fetch]\nuser_agent = ''\n", "key 'fetch.user_agent': must not be empty"),
        ("[fetch]\nmax_bytes = 5_000_000_000\n",
         "key 'fetch.max_bytes': must be at least 1,000 and at most 1,000,000,000"),
        ("[email]\nsmtp_port = 70000\n", "key 'email.smtp_port': must be greater than 0 and at most 65,535"),
        ("[fetch]\nallowed_networks = ['localhost']\n", "key 'fetch.allowed_networks': must be a list of networks"),
        ("[database]\nbusy_timeout = -1\n", "key 'database.busy_timeout': must be greater than 0"),
    ],
    ids=["confidence", "min-over-max", "inf", "nan", "empty-agent", "huge-cap", "port", "network", "negative"],
)
def test_odd_values_are_out_of_range(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_every_numeric_setting_has_a_range() -> None:
    """Each int or float setting rejects NaN, infinity and a huge value: none is left unchecked."""
    from pipeline.config import SECTIONS

    classes = [*SECTIONS.items(), ("email.recipients", Recipient)]
    for section, cls in classes:
        for f in dataclasses.fields(cls):
            if str(f.type) not in ("int", "float"):
                continue
            check = f.metadata["check"]
            assert check is not None, f"{section}.{f.name} has no range"
            for value in (float("nan"), float("inf"), 1e12):
                assert check(value), f"{section}.{f.name} accepts {value}"


@pytest.mark.parametrize(("env", "variable"), [
    ({"PACTWATCH_FETCH__TIMEOUT": "inf"}, "PACTWATCH_FETCH__TIMEOUT"),
    ({"PACTWATCH_SCHEDULE__MIN_INTERVAL": "100000", "PACTWATCH_SCHEDULE__MAX_INTERVAL": "3600"},
     "PACTWATCH_SCHEDULE__M"),
    ({"PACTWATCH_FECTH__TIMEOUT": "5"}, "PACTWATCH_FECTH__TIMEOUT"),
], ids=["inf", "min-over-max", "unknown-section"])
def test_cli_names_the_environment_variable(tmp_path: Path, env: dict[str, str], variable: str) -> None:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")}
    result = subprocess.run([sys.executable, "-m", "pipeline", "status", "--db", str(tmp_path / "x.db")],
                            capture_output=True, text=True, timeout=60, env={**clean, **env}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ConfigError: environment variable {variable}"), lines


def test_binary_config_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.toml"
    path.write_bytes(bytes(range(256)) * 4)
    result = subprocess.run([sys.executable, "-m", "pipeline", "status", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"ConfigError: {path}: not a UTF-8 text file (is it the right file?)"
