"""``.env.example``, generated from the settings class so that it cannot drift from it.

Regenerate after adding a setting: ``python -m tipbot.envexample > .env.example``
(``tests/test_envexample.py`` fails, naming the setting, until every one is described here
and the file is current).
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from pydantic import SecretStr

from tipbot.core.config import ENV_PREFIX, Settings

#: One line per setting, in the order of the settings class.
HELP: dict[str, str] = {
    "token": "The bot token from @BotFather (required). Never logged.",
    "database_url": "SQLite file (relative to the folder the bot starts in) "
    "or postgresql://user:password@host/db.",
    "bot_api_url": "Bot API server; change only for a self-hosted Bot API server.",
    "staff_chat_id": "The staff group's id, e.g. -1001234567890: send /chatid in the group.",
    "staff_user_ids": "Comma-separated user ids that count as staff besides the group's "
    "members (/chatid in a private chat shows yours).",
    "content": "The tip library (YAML); `tipbot check-content` validates it.",
    "default_timezone": "New subscribers' timezone: Europe/Berlin, berlin or UTC+2.",
    "clinic_timezone": "Timezone of the times shown to staff (cards, /requests, reminders); "
    "default: TIPBOT_DEFAULT_TIMEZONE.",
    "default_send_time": "New subscribers' daily tip time, 24-hour HH:MM.",
    "log_level": "DEBUG, INFO, WARNING or ERROR.",
    "log_format": "text, or json for one JSON object per line.",
    "delivery_grace": "A tip due while the bot was down is sent late only within this window.",
    "delivery_retention_days": "Delivery history older than this many days is pruned daily.",
    "max_messages_per_second": "Overall send rate; above 30 uses paid broadcasts (up to 1000).",
    "sweep_batch_size": "Due subscriptions claimed per batch by the delivery sweep.",
    "consult_reminder": "Remind the staff group of an unclaimed request after this long "
    "(business hours).",
    "consult_autoclose": 'The clinic answered last and the person is silent this long: "Do you '
    'still need help?"; closed 2 days later without an answer.',
    "clinic_hours": "Opening hours in the clinic's timezone, e.g. "
    "Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00 (unset: always open).",
    "clinic_holidays": "Closed dates, e.g. 2026-12-24..2026-12-26,2027-01-01.",
    "max_concurrent_updates": "Updates handled at once (in order within each chat); "
    "1 handles one at a time.",
    "default_language": "Language for people whose Telegram language has no catalog (en, es, …).",
    "staff_language": "Language of the staff group (cards, threads, reminders); default: "
    "TIPBOT_DEFAULT_LANGUAGE.",
    "locales_dir": "More catalogs: <dir>/<lang>/LC_MESSAGES/tipbot.po (wins over a shipped one).",
    "user_rate_per_minute": 'Commands and button presses per person per minute before "slow down".',
    "webhook_url": "Public https:// URL (port 443, 80, 88 or 8443): webhook mode instead "
    "of polling.",
    "webhook_secret": "Secret Telegram sends with each webhook call (letters, digits, _ -); "
    "set it with several replicas.",
    "port": "Port of /healthz, /metrics and the webhook (8080 in webhook mode).",
    "http_client": "HTTP client for the Bot API: aiohttp (4-5x less CPU per call) or httpx.",
    "proxy_url": "Proxy for every Bot API call, e.g. http://user:password@proxy:3128 "
    "(socks5:// needs TIPBOT_HTTP_CLIENT=httpx).",
    "privacy_policy_url": "The clinic's privacy policy, linked in the consultation form's "
    "consent step.",
    "digest": "Weekly digest (charts) to the staff group: off, or a weekday and time in the "
    "clinic's zone (mon 09:00).",
}

#: Left uncommented (with an empty value) because nearly every installation sets them.
SET_BY_EVERYONE = ("token", "staff_chat_id", "staff_user_ids")
#: Defaults computed at start, shown as words.
DYNAMIC_DEFAULTS = {
    "content": "content/tips.yaml",
    "webhook_secret": "",
}

HEADER = f"""\
# tipbot settings. Copy this file to .env (next to docker-compose.yml, or in the folder
# `tipbot run` starts in) and fill in at least {ENV_PREFIX}TOKEN. An empty value means "not set".
# Commented lines show the default. Durations: 90s, 15m, 3h, 1d.
# Generated from tipbot/config.py: python -m tipbot.envexample > .env.example
"""

FOOTER = """
# docker compose only: the PostgreSQL password (required there; letters and digits).
POSTGRES_PASSWORD=
"""


def show_default(value: object) -> str:
    """A default as an operator would type it."""
    if value is None or isinstance(value, SecretStr):
        return ""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds % size == 0:
                return f"{seconds // size}{unit}"
        return f"{seconds}s"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, frozenset | set | list | tuple):
        return ",".join(str(item) for item in sorted(value))
    if isinstance(value, Path):
        return str(value)
    return str(value)


def render() -> str:
    blocks = [HEADER]
    for name, field in Settings.model_fields.items():
        variable = f"{ENV_PREFIX}{name.upper()}"
        default = (
            DYNAMIC_DEFAULTS[name] if name in DYNAMIC_DEFAULTS else show_default(field.default)
        )
        comment = "" if name in SET_BY_EVERYONE else "# "
        blocks.append(f"# {HELP[name]}\n{comment}{variable}={default}\n")
    return "\n".join(blocks) + FOOTER


if __name__ == "__main__":
    print(render(), end="")
