"""``tipbot run`` as a separate process against the fake Bot API, as an operator starts it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp

from fakegram import FakeTelegram
from tests.conftest import TOKEN
from tests.helpers.waiting import eventually
from tipbot.core.config import PROJECT_CONTENT


def tipbot_env(tg: FakeTelegram, database_url: str, **values: str) -> dict[str, str]:
    """This environment without any ``TIPBOT_*``, plus what the bot needs and ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
    env.update(
        TIPBOT_TOKEN=TOKEN,
        TIPBOT_BOT_API_URL=tg.url,
        TIPBOT_DATABASE_URL=database_url,
        TIPBOT_CONTENT=str(PROJECT_CONTENT),
        TIPBOT_LOG_FORMAT="json",
        **values,
    )
    return env


async def spawn_tipbot(
    env: dict[str, str], cwd: Path, **streams: int
) -> asyncio.subprocess.Process:
    """``python -m tipbot run``; ``streams`` are ``stdout``/``stderr`` as for subprocess."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tipbot", "run", cwd=cwd, env=env, **streams
    )


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    """Until ``url`` (the process's /healthz) answers 200; fails at once if it exited."""
    async with aiohttp.ClientSession() as http:

        async def healthy() -> bool:
            if process.returncode is not None:
                raise AssertionError(f"tipbot run exited with {process.returncode}")
            try:
                async with http.get(url) as response:
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        await eventually(healthy, timeout=20, interval=0.1, what="tipbot run being healthy")
