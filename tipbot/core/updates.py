"""Counting and timing every update where PTB hands it to the handlers, not in each handler."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from tipbot.core.metrics import HANDLER_LATENCY, UPDATES


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
    each update in its own context."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            # In a task of its own (a copy of the context) also when updates are handled one
            # at a time: what an update sets in a ContextVar, its language, ends with it.
            await asyncio.create_task(super().do_process_update(update, coroutine))
        finally:
            HANDLER_LATENCY.observe(time.perf_counter() - started)
            UPDATES.labels(kind=update_kind(update)).inc()
