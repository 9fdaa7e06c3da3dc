"""Fixtures: a migrated database, the fake Bot API, a controllable clock and a running bot.

Tests act as Telegram users through ``tg`` (the fake Bot API server over real HTTP) and
assert on what those users see. Nothing here mocks python-telegram-bot.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `tipbot` itself does (see tipbot/cli.py)

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakegram import FakeGroup, FakeTelegram, FakeUser
from tests.db_support import (
    create_postgres_database,
    drop_postgres_database,
    migrate,
    migrated_sqlite_template,
    sqlite_copy,
    truncate_all,
    using_postgres,
)
from tests.harness import RunningBot, start_bot
from tipbot.core.clock import ManualClock
from tipbot.core.config import PROJECT_CONTENT, Settings
from tipbot.core.content import Library, load_library
from tipbot.core.db import Database

TOKEN = "123456789:TEST-token-for-the-fake-bot-api-0001"
# A Monday morning in summer, far from any DST change.
START = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str | None]:
    if not using_postgres():
        yield None
        return
    import asyncio

    url = create_postgres_database()
    asyncio.run(migrate(url))
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
async def database_url(_postgres_url, _sqlite_template, tmp_path) -> str:
    """A migrated, empty database for this test (SQLite file, or PostgreSQL when configured)."""
    if _postgres_url:
        await truncate_all(_postgres_url)
        return _postgres_url
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(PROJECT_CONTENT)


@pytest.fixture
def library_for(library) -> Callable[[Settings], Library | None]:
    """The session's parsed library for settings that point at the project's content (it is
    never changed once loaded; parsing it takes a quarter of a bot's start); None otherwise,
    so that the bot reads its own file."""

    def choose(settings: Settings) -> Library | None:
        return library if Path(settings.content) == PROJECT_CONTENT else None

    return choose


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
def staff_group(tg: FakeTelegram) -> FakeGroup:
    return tg.group("Clinic staff")


@pytest.fixture
def make_settings(tg, database_url, staff_group) -> Callable[..., Settings]:
    """Settings as an operator would set them, pointed at the fake Bot API; override any."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "token": TOKEN,
            "database_url": database_url,
            "bot_api_url": tg.url,
            "staff_chat_id": staff_group.id,
            "content": PROJECT_CONTENT,
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


@pytest.fixture
async def bot_factory(
    tg, clock, library_for
) -> AsyncIterator[Callable[..., Awaitable[RunningBot]]]:
    """Start any number of bots (replicas, restarts); all are stopped at the end."""
    started: list[RunningBot] = []

    async def start(settings: Settings, *, at: ManualClock | None = None) -> RunningBot:
        bot = await start_bot(settings, tg, at or clock, library=library_for(settings))
        started.append(bot)
        return bot

    yield start
    for bot in reversed(started):
        await bot.stop()


@pytest.fixture
async def bot(bot_factory, settings) -> RunningBot:
    """The bot, running with long polling against the fake Bot API."""
    return await bot_factory(settings)


@pytest.fixture
def alice(tg: FakeTelegram) -> FakeUser:
    return tg.user("Alice", language_code="en")


@pytest.fixture
def maria(tg: FakeTelegram) -> FakeUser:
    """A person whose Telegram app speaks Spanish."""
    return tg.user("María", language_code="es")
