"""Configuration: what an operator sees when a variable is missing or wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time, timedelta

import pytest

from tipbot.core.config import ConfigError, load_settings, parse_duration

ENV = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "tipbot", *args],
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("TIPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file is read


def test_defaults():
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///tipbot.db"
    assert settings.bot_api_url == "https://api.telegram.org"
    assert settings.default_timezone == "UTC"
    assert settings.default_send_time == time(9, 0)
    assert settings.delivery_grace == timedelta(hours=3)
    assert settings.staff_user_ids == frozenset()


def test_values_from_environment(monkeypatch):
    monkeypatch.setenv("TIPBOT_STAFF_USER_IDS", "11, 22,33")
    monkeypatch.setenv("TIPBOT_STAFF_CHAT_ID", "-100123")
    monkeypatch.setenv("TIPBOT_DEFAULT_SEND_TIME", "07:30")
    monkeypatch.setenv("TIPBOT_DELIVERY_GRACE", "90m")
    monkeypatch.setenv("TIPBOT_DATABASE_URL", "postgresql://u:p@db/tipbot")
    monkeypatch.setenv("TIPBOT_BOT_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.staff_user_ids == {11, 22, 33}
    assert settings.staff_chat_id == -100123
    assert settings.default_send_time == time(7, 30)
    assert settings.delivery_grace == timedelta(minutes=90)
    assert settings.database_url == "postgresql+asyncpg://u:p@db/tipbot"
    assert settings.bot_api_url == "http://127.0.0.1:8081"


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("TIPBOT_DEFAULT_TIMEZONE=Europe/Berlin\n")
    assert load_settings().default_timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIPBOT_DEFAULT_TIMEZONE", "Mars/Olympus", "TIPBOT_DEFAULT_TIMEZONE: expected an IANA"),
        ("TIPBOT_DEFAULT_SEND_TIME", "25:00", "TIPBOT_DEFAULT_SEND_TIME:"),
        ("TIPBOT_DEFAULT_SEND_TIME", "soon", "TIPBOT_DEFAULT_SEND_TIME: expected a 24-hour"),
        ("TIPBOT_STAFF_USER_IDS", "12,abc", "TIPBOT_STAFF_USER_IDS: expected comma-separated"),
        ("TIPBOT_STAFF_CHAT_ID", "staff", "TIPBOT_STAFF_CHAT_ID:"),
        ("TIPBOT_DATABASE_URL", "mysql://x/y", "TIPBOT_DATABASE_URL: unsupported database"),
        ("TIPBOT_DATABASE_URL", "not a url", "TIPBOT_DATABASE_URL: expected a URL"),
        ("TIPBOT_MAX_MESSAGES_PER_SECOND", "5000", "TIPBOT_MAX_MESSAGES_PER_SECOND:"),
        ("TIPBOT_DELIVERY_GRACE", "a while", "TIPBOT_DELIVERY_GRACE: expected a duration"),
        ("TIPBOT_BOT_API_URL", "api.telegram.org", "TIPBOT_BOT_API_URL: expected an http"),
    ],
)
def test_invalid_value_names_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_token_is_required_to_run(monkeypatch, token):
    if token is not None:
        monkeypatch.setenv("TIPBOT_TOKEN", token)
    with pytest.raises(ConfigError, match="TIPBOT_TOKEN"):
        load_settings().require_token()


def test_token_is_hidden_in_repr(monkeypatch):
    monkeypatch.setenv("TIPBOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert "ABCDEFGHIJ" not in repr(load_settings())


def test_parse_duration():
    assert parse_duration("45") == timedelta(seconds=45)
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("1d") == timedelta(days=1)
    with pytest.raises(ValueError, match="duration"):
        parse_duration("-3h")


def test_run_without_token_exits_2_with_one_line(tmp_path):
    result = run_cli("run", cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TIPBOT_TOKEN" in result.stderr and "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_malformed_database_url_exits_2(tmp_path):
    env = {"TIPBOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "TIPBOT_DATABASE_URL": "nonsense"}
    result = run_cli("run", env=env, cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TIPBOT_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIPBOT_DEFAULT_LANGUAGE", "de", "no catalog for 'de' (available: en, es)"),
        ("TIPBOT_STAFF_LANGUAGE", "Spanish", "expected a language code such as en"),
    ],
)
def test_run_with_a_language_it_does_not_have_exits_2(tmp_path, name, value, expected):
    env = {"TIPBOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", name: value}
    result = run_cli("run", env=env, cwd=str(tmp_path))
    assert result.returncode == 2
    assert f"{name}: " in result.stderr and expected in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert not list(tmp_path.iterdir())  # no database was created


def test_run_with_unreachable_database_exits_2_without_password(tmp_path):
    env = {
        "TIPBOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "TIPBOT_DATABASE_URL": "postgresql://tipbot:s3cretpw@127.0.0.1:1/tipbot",
    }
    result = run_cli("run", env=env, cwd=str(tmp_path))
    assert result.returncode == 2
    assert "cannot open the database" in result.stderr
    assert "s3cretpw" not in result.stderr
    assert "Traceback" not in result.stderr


def test_help_on_each_command():
    for args in (
        ["--help"],
        ["run", "--help"],
        ["check-content", "--help"],
        ["db", "upgrade", "--help"],
    ):
        result = run_cli(*args)
        assert result.returncode == 0, args
        assert "usage: tipbot" in result.stdout


TOKEN_ENV = {"TIPBOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIPBOT_WEBHOOK_URL", "http://bot.example.org/tg", "only over HTTPS"),
        ("TIPBOT_WEBHOOK_URL", "bot.example.org/tg", "only over HTTPS"),
        ("TIPBOT_WEBHOOK_URL", "https://bot.example.org:8080/tg", "ports 80, 88, 443, 8443"),
        ("TIPBOT_STAFF_CHAT_ID", "123456789", "is a person's id, not a group's"),
        ("TIPBOT_STAFF_CHAT_ID", "@clinicstaff", "numeric id such as -1001234567890"),
        ("TIPBOT_DEFAULT_TIMEZONE", "berlim", "did you mean Europe/Berlin"),
        ("TIPBOT_PRIVACY_POLICY_URL", "clinic.example/privacy", "expected a web address"),
    ],
)
def test_validation_gaps_exit_2_with_one_line(tmp_path, name, value, expected):
    result = run_cli("run", env={**TOKEN_ENV, name: value}, cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"tipbot: configuration error: {name}: ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # stopped before creating a database


def test_staff_chat_id_hint_says_how_to_find_it(monkeypatch):
    monkeypatch.setenv("TIPBOT_STAFF_CHAT_ID", "@clinicstaff")
    with pytest.raises(ConfigError, match="send /chatid there"):
        load_settings()


@pytest.mark.parametrize(
    ("value", "zone"),
    [("berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("UTC+2", "Etc/GMT-2")],
)
def test_default_timezone_accepts_what_the_timezone_command_does(monkeypatch, value, zone):
    monkeypatch.setenv("TIPBOT_DEFAULT_TIMEZONE", value)
    assert load_settings().default_timezone == zone


def test_webhook_url_on_an_allowed_port_and_through_a_self_hosted_api(monkeypatch):
    monkeypatch.setenv("TIPBOT_WEBHOOK_URL", "https://bot.example.org:8443/tg")
    assert load_settings().webhook_url == "https://bot.example.org:8443/tg"
    # A self-hosted Bot API server (and the fake one in tests) calls plain HTTP on any port.
    monkeypatch.setenv("TIPBOT_BOT_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("TIPBOT_WEBHOOK_URL", "http://127.0.0.1:9000/tg")
    assert load_settings().webhook_url == "http://127.0.0.1:9000/tg"


def test_an_empty_value_means_not_set(tmp_path):
    (tmp_path / ".env").write_text("TIPBOT_STAFF_CHAT_ID=\nTIPBOT_PORT=\nTIPBOT_TOKEN=\n")
    settings = load_settings()
    assert settings.staff_chat_id is None and settings.port is None and settings.token is None


def test_export_from_another_folder_refuses_and_creates_nothing(tmp_path):
    result = run_cli("export-requests", cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"no database at {tmp_path.resolve() / 'tipbot.db'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_from_an_unmigrated_database_says_so(tmp_path):
    (tmp_path / "tipbot.db").write_bytes(b"")
    result = run_cli("export-requests", cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "is not migrated" in result.stderr and "tipbot db upgrade" in result.stderr


def test_db_upgrade_creates_the_database_and_says_where(tmp_path):
    result = run_cli("db", "upgrade", cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"database {tmp_path.resolve() / 'tipbot.db'} is up to date" in result.stdout
    exported = run_cli("export-requests", cwd=str(tmp_path))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("number,created_at,")


def test_run_help_names_required_and_main_settings():
    out = run_cli("run", "--help").stdout
    assert "Required:\n  TIPBOT_TOKEN" in out
    for name in ("TIPBOT_STAFF_CHAT_ID", "TIPBOT_DATABASE_URL", "TIPBOT_WEBHOOK_URL"):
        assert name in out
