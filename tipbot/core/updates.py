"""Counting and timing every update where PTB hands it to the handlers, not in each handler;
and the order in which updates run: concurrently across chats, in order within one."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from tipbot.core.metrics import HANDLER_LATENCY, UPDATES

if TYPE_CHECKING:
    from tipbot.core.inbox import Inbox


def update_kind(update: object) -> str:
    """``message``, ``callback_query``, ... (the field Telegram filled), for a metric label."""
    if not isinstance(update, Update):
        return "other"
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


class MeasuredUpdateProcessor(SimpleUpdateProcessor):
    """PTB's own update processor, plus the ``tipbot_updates_total`` / latency metrics, and
    each update in its own context; with an ``inbox`` (``core/inbox.py``), each stored update
    runs once and is marked handled when done."""

    inbox: Inbox | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.inbox is not None and not self.inbox.admit(update):
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # a copy of an update already handled (or running)
            return
        started = time.perf_counter()
        try:
            # In a task of its own (a copy of the context) also when updates are handled one
            # at a time: what an update sets in a ContextVar, its language, ends with it.
            await asyncio.create_task(super().do_process_update(update, coroutine))
        finally:
            HANDLER_LATENCY.observe(time.perf_counter() - started)
            UPDATES.labels(kind=update_kind(update)).inc()
        # Not when cancelled (a stop): the update stays in the inbox and runs after the restart.
        if self.inbox is not None:
            await self.inbox.done(update)


def update_key(update: object) -> int | None:
    """Whose update it is: the chat (a private chat's id is the person's), else the user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(MeasuredUpdateProcessor):
    """Updates of different chats run concurrently, at most ``max_running`` at a time; those
    of one chat (or of one user, for updates without a chat) run one after another, in the
    order they arrived. So a person's form answers, button presses and /forget keep their
    order, while one slow person (or a Telegram round trip) no longer stalls everyone.

    PTB admits up to ``BACKLOG × max_running`` updates (its semaphore, taken in arrival
    order); an admitted update waits for its chat's previous one, then for a running slot.
    Only chats with an update in flight have an entry in ``_tails``: memory follows the
    backlog, not the number of people ever seen.
    """

    BACKLOG = 8

    def __init__(self, max_running: int) -> None:
        super().__init__(max_concurrent_updates=max_running * self.BACKLOG)
        self.max_running = max_running
        self._running = asyncio.Semaphore(max_running)
        #: per chat, the turn of its latest update: done when that update has finished
        self._tails: dict[int, asyncio.Future[None]] = {}

    @property
    def waiting_chats(self) -> int:
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_key(update)
        previous = self._tails.get(key) if key is not None else None
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = turn
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._running:
                started = True
                await super().do_process_update(update, coroutine)
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting (shutdown): it never ran
            if previous is None or previous.done():
                turn.set_result(None)
            else:  # cancelled while waiting: the next one still waits for the previous one
                previous.add_done_callback(lambda _: turn.set_result(None))
            if key is not None and self._tails.get(key) is turn:
                del self._tails[key]


def update_processor(max_running: int) -> MeasuredUpdateProcessor:
    """``1``: PTB's one update at a time (as before); more: concurrent across chats."""
    if max_running == 1:
        return MeasuredUpdateProcessor(max_concurrent_updates=1)
    return PerChatUpdateProcessor(max_running)
