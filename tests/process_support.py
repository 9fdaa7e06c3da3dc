"""``tipbot run`` as a separate process against the fake Bot API, as an operator starts it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from fakegram import FakeTelegram
from tests.conftest import TOKEN
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
