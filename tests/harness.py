"""Running the real Application against the fake Bot API, as a test fixture would."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application

from fakegram import FakeTelegram
from tests.helpers.waiting import eventually
from tipbot.app import build_application
from tipbot.core import budget
from tipbot.core.clock import Clock
from tipbot.core.config import Settings
from tipbot.core.content import Library
from tipbot.core.runtime import Deps, deps_of

STOP_TIMEOUT = 20  # seconds; a stop waits at most for sends in flight (the runner's grace)


def _pending_tasks() -> str:
    """Every other task with its whole chain of awaits (a task's own stack shows only the top)."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        if task is asyncio.current_task():
            continue
        out.write(f"{task.get_name()}:\n")
        coro = task.get_coro()
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
            if frame is not None:
                out.write(f"  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}\n")
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return out.getvalue()


@dataclass
class RunningBot:
    """One started bot (a "replica"): the PTB Application and its dependencies."""

    application: Application
    tg: FakeTelegram
    started: bool = field(default=False)

    @property
    def deps(self) -> Deps:
        return deps_of(self.application)

    async def start(self) -> RunningBot:
        # The same order as Application.run_polling: initialize, post_init, start.
        await self.application.initialize()
        if self.application.post_init:
            await self.application.post_init(self.application)
        await self.application.start()
        await self.application.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        self.started = True
        return self

    async def stop(self) -> None:
        """Stop as the runner does; a stop that hangs fails the test with what it waited on."""
        if not self.started:
            return
        self.started = False
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self._stop()
        except TimeoutError:
            raise AssertionError(
                f"the bot did not stop within {STOP_TIMEOUT} s; still running:\n" + _pending_tasks()
            ) from None

    async def _stop(self) -> None:
        if self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await budget.stop(
            self.application, self.deps.budget
        )  # as the runner does: its share goes back
        await self.application.shutdown()
        if self.application.post_shutdown:
            await self.application.post_shutdown(self.application)


async def start_bot(
    settings: Settings, tg: FakeTelegram, clock: Clock, *, library: Library | None = None
) -> RunningBot:
    """Start the bot; ``library``, when given, is used instead of reading ``settings.content``."""
    bot = RunningBot(build_application(settings, clock=clock, library=library), tg)
    await bot.start()
    await tg.wait_idle()  # start-up calls (getMe, setMyCommands, ...) are done
    await swept_at_start(bot.deps)
    return bot


async def swept_at_start(deps: Deps) -> None:
    """Wait for the sweep at start, so that a test arranges its clock and rows after it."""
    await eventually(
        lambda: deps.state.last_sweep_at is not None,
        timeout=10,
        interval=0.01,
        what="the sweep at start",
    )
