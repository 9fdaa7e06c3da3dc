"""Scripted failures: ``fail()``, ``delay()`` and ``drop()`` rules applied before each call.

A mixin of :class:`~fakegram.server.FakeTelegram`. A rule matches a method (or any) and
parameters; the HTTP layer turns :class:`DropConnection` into a closed connection.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from typing import Any

from .errors import ApiError, Errors
from .models import FaultRule
from .recorder import method_key


class DropConnection(Exception):
    """Raised by a ``drop()`` rule: the connection is closed instead of answered."""


#: Telegram lets a bot post about 20 messages a minute into one group (FloodLimit in PTB).
GROUP_MESSAGES_PER_MINUTE = 20


class Faults:
    """The fault rules and the optional group flood limit (mixed into ``FakeTelegram``)."""

    _faults: list[FaultRule]
    _clock: Callable[[], float]
    _group_limit: int | None
    _group_sends: dict[int, deque[float]]

    def limit_group_sends(self, per_minute: int | None = GROUP_MESSAGES_PER_MINUTE) -> None:
        """Answer 429 with ``retry_after`` to messages beyond ``per_minute`` into one group
        within 60 s, as Telegram does; every topic of a forum counts against its group.
        Off by default (``None`` switches it off again)."""
        self._group_limit = per_minute
        self._group_sends.clear()

    def _count_group_send(self, chat_id: int) -> None:
        """Called for each message the bot creates in a group (before storing it)."""
        if self._group_limit is None:
            return
        now = self._clock()
        sent = self._group_sends.setdefault(chat_id, deque())
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= self._group_limit:
            raise Errors.too_many_requests(max(1, math.ceil(60 - (now - sent[0]))))
        sent.append(now)

    def fail(
        self,
        method: str | None,
        *,
        error: ApiError,
        times: int | None = 1,
        **match: Any,
    ) -> FaultRule:
        """Answer the next ``times`` calls of ``method`` (``None``/``"*"``: any) whose params
        match ``match`` with ``error`` instead of running them (``times=None``: until cleared).
        Match values may be users/groups (their id) or predicates. The failed call is recorded
        in ``calls`` with its error and has no effect."""
        rule = FaultRule(method_key(method), match, error=error, times=times)
        self._faults.append(rule)
        return rule

    def delay(
        self, method: str | None, seconds: float, *, times: int | None = None, **match: Any
    ) -> FaultRule:
        """Hold matching calls for ``seconds`` before answering (``times=None``: until cleared)."""
        rule = FaultRule(method_key(method), match, delay=seconds, times=times)
        self._faults.append(rule)
        return rule

    def drop(self, method: str | None, *, times: int | None = 1, **match: Any) -> FaultRule:
        """Close the connection of matching calls without answering, like a network failure
        between the bot and Telegram (``times=None``: until cleared); the call has no effect."""
        rule = FaultRule(method_key(method), match, drop=True, times=times)
        self._faults.append(rule)
        return rule

    def clear_failures(self) -> None:
        """Remove all ``fail()``, ``delay()`` and ``drop()`` rules."""
        self._faults.clear()

    async def _apply_faults(self, method: str, params: dict[str, Any]) -> None:
        if not self._faults:
            return
        delay, error, drop = 0.0, None, False
        for rule in self._faults:
            if not rule.applies(method, params):
                continue
            if rule.drop:
                drop = True
                rule.consume()
            elif rule.error is None:
                delay += rule.delay
                rule.consume()
            elif error is None:
                error = rule.error
                rule.consume()
        self._faults = [rule for rule in self._faults if not rule.exhausted]
        if delay:
            await asyncio.sleep(delay)
        if drop:
            raise DropConnection
        if error is not None:
            raise error
