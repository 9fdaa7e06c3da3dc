"""Waiting for what the fake Bot API cannot see: database rows, the Application, logs, processes.

What the bot sends or asks, wait for with the fake's own ``tg.wait_for``/``wait_until``/
``wait_idle`` (woken by each state change); ``eventually()`` is for everything else, and is
the one polling loop of the suite.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    condition: Callable[[], Any | Awaitable[Any]],
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    interval: float = 0.02,
    what: str = "condition",
) -> Any:
    """Re-check ``condition()`` (plain or async) every ``interval`` s until it is truthy, and
    return its value; TimeoutError after ``timeout`` s. An exception from ``condition`` ends
    the wait at once (e.g. a child process that exited)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() >= deadline:
            raise TimeoutError(f"{what} still false after {timeout} s")
        await asyncio.sleep(interval)
