"""Tests of the fake Bot API itself, driven over HTTP by PTB's own ``Bot`` (no tipbot)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Bot

from fakegram import FakeTelegram

TOKEN = "4242:TEST-TOKEN"


HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """PTB must parse every answer of the emulator without complaining (this folder's tests;
    the hook sees the whole session's items)."""
    for item in (item for item in items if item.path.parent == HERE):
        item.add_marker(pytest.mark.filterwarnings("error::telegram.warnings.PTBUserWarning"))
        item.add_marker(
            pytest.mark.filterwarnings("error::telegram.warnings.PTBDeprecationWarning")
        )


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as client:
        yield client
