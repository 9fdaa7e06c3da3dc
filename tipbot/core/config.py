"""Settings from the environment (and an optional ``.env``), validated once at start.

Every variable is ``TIPBOT_<NAME>``. A bad value is reported as one line naming the
variable, never as a traceback, and the token is a ``SecretStr`` so it cannot leak
through a ``repr`` into a log.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tipbot.core.hours import ClinicHours, HoursError, parse_holidays, parse_hours
from tipbot.core.timeparse import parse_timezone

ENV_PREFIX = "TIPBOT_"
OFFICIAL_BOT_API = "https://api.telegram.org"
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})  # the only ones setWebhook accepts
PROJECT_CONTENT = Path(__file__).resolve().parents[2] / "content" / "tips.yaml"


def default_content_path() -> Path:
    """``content/tips.yaml`` in the working directory, else the one shipped with the code."""
    local = Path("content/tips.yaml")
    return local if local.exists() else PROJECT_CONTENT


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> timedelta:
    """Accept ``90``/``90s``, ``15m``, ``3h``, ``1d`` (and a timedelta) for durations."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError("expected a duration such as 90s, 15m, 3h or 1d")
    amount, unit = match.groups()
    return timedelta(seconds=float(amount) * _DURATION_UNITS[(unit or "s").lower()])


def normalize_database_url(url: str) -> str:
    """Use the async driver for each backend, so operators can paste a plain URL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(
            "expected a URL like sqlite+aiosqlite:///tipbot.db "
            "or postgresql+asyncpg://user:password@host/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        if parsed.drivername not in {"postgresql+asyncpg"}:
            parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        if parsed.drivername != "sqlite+aiosqlite":
            parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DIGEST = re.compile(r"^\s*([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*$", re.IGNORECASE)


def parse_digest(value: str) -> tuple[str, tuple[int, time] | None]:
    """``off``, or a weekday and a 24-hour time (``mon 09:00``, ``Friday 17:30``): the
    normalised text and (weekday 0-6, time)."""
    if value.strip().lower() in {"off", "no", "false", "0", "none"}:
        return "off", None
    match = _DIGEST.match(value)
    day = match and match.group(1).lower()
    hour, minute = (int(match.group(2)), int(match.group(3))) if match else (99, 99)
    if day not in WEEKDAYS or hour > 23 or minute > 59:
        raise ValueError(
            f"expected off, or a weekday and a 24-hour time such as 'mon 09:00', not {value!r}"
        )
    return f"{day} {hour:02d}:{minute:02d}", (WEEKDAYS.index(day), time(hour, minute))


class Settings(BaseSettings):
    """The operator's configuration. Field names map to ``TIPBOT_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        extra="ignore",
        frozen=True,
        env_ignore_empty=True,  # `TIPBOT_STAFF_CHAT_ID=` in a .env means "not set"
    )

    token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///tipbot.db"
    bot_api_url: str = OFFICIAL_BOT_API
    staff_chat_id: int | None = None
    staff_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    content: Path = Field(default_factory=default_content_path)
    default_timezone: str = "UTC"
    clinic_timezone: str | None = None  # times shown to staff; default: default_timezone
    default_send_time: time = time(9, 0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    delivery_grace: timedelta = timedelta(hours=3)
    delivery_retention_days: int = Field(default=400, ge=1)
    max_messages_per_second: int = Field(default=30, ge=1, le=1000)
    sweep_batch_size: int = Field(default=500, ge=1, le=10_000)
    consult_reminder: timedelta = timedelta(hours=2)
    # The clinic wrote last and the person is silent this long: "Do you still need help?".
    consult_autoclose: timedelta = timedelta(days=7)
    # Opening hours and closed dates in the clinic's zone (tipbot.core.hours); unset: always open.
    clinic_hours: str | None = None
    clinic_holidays: str | None = None
    user_rate_per_minute: int = Field(default=20, ge=1)
    max_concurrent_updates: int = Field(default=64, ge=1, le=1024)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    privacy_policy_url: str | None = None
    http_client: Literal["aiohttp", "httpx"] = "aiohttp"
    proxy_url: SecretStr | None = None  # may hold a password
    default_language: str = "en"
    staff_language: str | None = None  # the default language when unset
    locales_dir: Path | None = None  # more catalogs: <dir>/<lang>/LC_MESSAGES/tipbot.po
    digest: str = "mon 09:00"  # the weekly digest to the staff group: "off" or "<day> HH:MM"

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return frozenset(int(part) for part in parts)
            except ValueError as exc:
                raise ValueError("expected comma-separated numeric Telegram user ids") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("bot_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("proxy_url")
    @classmethod
    def _check_proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.match(
            r"^(https?|socks5h?)://[^/\s]+", value.get_secret_value()
        ):
            raise ValueError("expected a proxy URL such as http://127.0.0.1:3128")
        return value

    @field_validator("privacy_policy_url")
    @classmethod
    def _check_policy_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^/\s]+\S*", value.strip()):
            raise ValueError("expected a web address such as https://clinic.example/privacy")
        return value and value.strip()

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _check_staff_chat_id(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\s*-?\d+\s*", value):
            raise ValueError(
                f"expected the group's numeric id such as -1001234567890, not {value!r}: "
                "add the bot to the staff group and send /chatid there"
            )
        if isinstance(value, str | int) and int(value) > 0:
            raise ValueError(
                f"{int(value)} is a person's id, not a group's (group ids are negative, "
                "such as -1001234567890): send /chatid in the staff group"
            )
        return value

    @field_validator("default_timezone", "clinic_timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        """The names ``/timezone`` accepts (``berlin``, ``UTC+2``); else close suggestions."""
        if value is None:
            return None
        try:
            return ZoneInfo(value).key
        except (ZoneInfoNotFoundError, ValueError):
            lookup = parse_timezone(value)
        if lookup.zone is not None:
            return lookup.zone
        hint = f" (did you mean {' or '.join(lookup.suggestions)}?)" if lookup.suggestions else ""
        raise ValueError(f"expected an IANA timezone name such as Europe/Berlin{hint}")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Telegram calls webhooks only over HTTPS, and only on these ports (a self-hosted
        Bot API server, as in the tests, also calls plain HTTP on any port)."""
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if info.data.get("bot_api_url", OFFICIAL_BOT_API) != OFFICIAL_BOT_API:
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValueError("expected an http(s) URL such as https://bot.example.org/tg")
            return value.strip()
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "expected a public https:// URL such as https://bot.example.org/telegram "
                "(Telegram calls webhooks only over HTTPS)"
            )
        try:
            port = parts.port or 443
        except ValueError:
            port = -1
        if port not in WEBHOOK_PORTS:
            allowed = ", ".join(str(p) for p in sorted(WEBHOOK_PORTS))
            raise ValueError(f"Telegram calls webhooks only on ports {allowed}, not {port}")
        return value.strip()

    @field_validator("default_language", "staff_language")
    @classmethod
    def _check_language(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z0-9]{2,8})?", value):
            raise ValueError("expected a language code such as en, es or pt_BR")
        return value

    @field_validator("default_send_time", mode="before")
    @classmethod
    def _check_send_time(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ValueError("expected a 24-hour time HH:MM such as 09:00")
        return value

    @field_validator("delivery_grace", "consult_reminder", "consult_autoclose", mode="before")
    @classmethod
    def _check_duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @field_validator("clinic_hours")
    @classmethod
    def _check_hours(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_hours(value)
            except HoursError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("clinic_holidays")
    @classmethod
    def _check_holidays(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_holidays(value)
            except HoursError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("digest", mode="before")
    @classmethod
    def _check_digest(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_digest(value)[0]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def clinic_zone(self) -> str:
        """The zone of times shown to staff (cards, /requests, reminders)."""
        return self.clinic_timezone or self.default_timezone

    @property
    def business_hours(self) -> ClinicHours | None:
        """The clinic's working hours, or None: always open (holidays alone close nothing,
        as there are no hours to close)."""
        if self.clinic_hours is None:
            return None
        return parse_hours(self.clinic_hours, holidays=self.clinic_holidays, zone=self.clinic_zone)

    @property
    def digest_schedule(self) -> tuple[int, time] | None:
        """The weekly digest's (weekday, local time in the clinic's zone); None when off."""
        return parse_digest(self.digest)[1]

    def require_token(self) -> str:
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigError(
                f"{ENV_PREFIX}TOKEN is not set: create a bot with @BotFather in Telegram "
                f"(send /newbot), then set {ENV_PREFIX}TOKEN=<the token it gives you>."
            )
        token = self.token.get_secret_value().strip()
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
            raise ConfigError(
                f"{ENV_PREFIX}TOKEN does not look like a bot token (expected digits, a colon "
                "and at least 20 letters, digits, '_' or '-', as @BotFather gives it)."
            )
        return token


class ConfigError(Exception):
    """A configuration problem, phrased for the operator in one line."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one ``ConfigError`` line per variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{ENV_PREFIX}{field.upper()}: {message}")
        raise ConfigError("\n".join(lines)) from None
