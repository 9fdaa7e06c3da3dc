"""What the bot did, for assertions, and the waits on it.

A mixin of :class:`~fakegram.server.FakeTelegram`: every answered call is recorded
(``calls``, ``calls_to``, counters in ``stats()``); ``wait_*`` re-check their condition on each
state change (no polling loops) and explain a timeout with the latest calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .models import Call, CallbackAnswer, normalize, params_match

if TYPE_CHECKING:
    from .actors import FakeChat, FakeUser
    from .errors import ApiError
    from .signal import Signal
    from .updates import WebhookConfig

log = logging.getLogger("fakegram")


class Recorder:
    """The call log, reading helpers and waits (mixed into ``FakeTelegram``)."""

    counts: Counter[str]
    error_counts: Counter[str]
    callback_answers: list[CallbackAnswer]
    webhook_deliveries: list[Any]
    record_messages: bool
    _calls: deque[Call]
    _chats: dict[int, FakeChat]
    _clock: Callable[[], float]
    _seq: int
    _last_action_seq: int
    _call_consumed_seq: int
    _changed: Signal
    _inflight: int
    _last_activity: float
    _updates: deque[dict[str, Any]]
    _fetched_upto: int
    _webhook: WebhookConfig | None
    _descriptions: dict[tuple[str, str], str]

    if TYPE_CHECKING:  # provided by FakeTelegram and the other mixins

        def _next_seq(self) -> int:
            raise NotImplementedError

        def _get_my_commands(self, p: dict[str, Any]) -> list[dict[str, Any]]:
            raise NotImplementedError

        def _get_chat_menu_button(self, p: dict[str, Any]) -> dict[str, Any]:
            raise NotImplementedError

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        error: ApiError | None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        self.counts[method] += 1
        if error is not None:
            self.error_counts[method] += 1
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %s", method, params, error or "ok")
        if self._calls.maxlen != 0:
            status = error.code if error else 200
            body = payload if payload is not None else (error.payload() if error else {})
            call = Call(self._next_seq(), method, params, self._clock(), status, body, error)
            self._calls.append(call)
        self._changed.notify()

    @property
    def calls(self) -> list[Call]:
        """Every answered request, oldest first (bounded by ``max_calls``)."""
        return list(self._calls)

    def calls_to(self, method: str | None = None, **params: Any) -> list[Call]:
        """Recorded calls of ``method`` (case-insensitive; ``None``: any) matching ``params``."""
        key = method_key(method)
        return [
            call
            for call in self._calls
            if (key is None or call.method.lower() == key) and params_match(call.params, params)
        ]

    def stats(self) -> dict[str, Any]:
        """Counters (also served as JSON at ``{url}/_emulator/stats``)."""
        return {
            "counts": dict(self.counts),
            "error_counts": dict(self.error_counts),
            "messages_sent": self.messages_sent,
            "pending_updates": len(self._updates),
            "webhook_deliveries": len(self.webhook_deliveries),
        }

    @property
    def messages_sent(self) -> int:
        """Messages the bot created (sent, copied, forwarded) across all chats."""
        return sum(chat.sent_count for chat in self._chats.values())

    def answers(self, user: FakeUser | int | None = None) -> list[CallbackAnswer]:
        """answerCallbackQuery calls (optionally for queries of ``user``), oldest first."""
        user_id = normalize(user)
        return [a for a in self.callback_answers if user_id is None or a.user_id == user_id]

    def alerts(self, user: FakeUser | int | None = None) -> list[CallbackAnswer]:
        """Like :meth:`answers`, only those shown as an alert (``show_alert=True``)."""
        return [a for a in self.answers(user) if a.show_alert]

    def commands(
        self, scope: dict[str, Any] | str | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set for ``scope`` (dict, or its type like ``"all_private_chats"``)."""
        if isinstance(scope, str):
            scope = {"type": scope}
        if scope is not None:
            scope = {key: normalize(value) for key, value in scope.items()}
        return self._get_my_commands({"scope": scope, "language_code": language_code})

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set for ``language_code`` ("" = default)."""
        kind = "short_description" if short else "description"
        return self._descriptions.get((kind, language_code), "")

    def menu_button(self, chat: FakeChat | None = None) -> dict[str, Any]:
        """The menu button for ``chat`` (or the default one)."""
        params = {"chat_id": chat.id} if chat is not None else {}
        return self._get_chat_menu_button(params)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot (or delivered to the webhook)."""
        return list(self._updates)

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook set with setWebhook (``None`` when polling)."""
        return self._webhook

    # ================================================================== waiting
    def mark(self) -> int:
        """A point in time for ``wait_for(since=...)`` / ``wait_for_call(since=...)``."""
        return self._seq

    async def _wait(
        self,
        check: Callable[[], Any],
        timeout: float,  # noqa: ASYNC109 - deadline shared by the re-checks
        describe: Callable[[], str],
    ) -> Any:
        """Re-run ``check`` on every state change until it returns non-None; else TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            await self._changed.wait(remaining)

    async def wait_until(
        self,
        condition: Callable[[], Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> Any:
        """Wait until ``condition()`` is truthy (re-checked on every emulator state change)."""
        return await self._wait(
            lambda: condition() or None,
            timeout,
            lambda: f"condition still false after {timeout}s\n{self._debug_summary()}",
        )

    async def wait_for_call(
        self,
        method: str | None = None,
        predicate: Callable[[Call], Any] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
        since: int | None = None,
        **params: Any,
    ) -> Call:
        """Wait for a *new* recorded call of ``method`` matching ``params``/``predicate``.

        New = after the latest user action and after the call an earlier ``wait_for_call``
        returned (or after ``since=tg.mark()``). Failed calls count too (check ``call.ok``).
        """
        if self._calls.maxlen == 0:
            raise RuntimeError("wait_for_call needs call recording (max_calls != 0)")
        key = method_key(method)

        def check() -> Call | None:
            threshold = (
                since if since is not None else max(self._call_consumed_seq, self._last_action_seq)
            )
            for call in _after(self._calls, threshold):
                if key is not None and call.method.lower() != key:
                    continue
                if params_match(call.params, params) and (predicate is None or predicate(call)):
                    self._call_consumed_seq = max(self._call_consumed_seq, call.seq)
                    return call
            return None

        what = f"call {method or '(any)'} {params or ''}"
        return await self._wait(
            check, timeout, lambda: f"no new {what} within {timeout}s\n{self._debug_summary()}"
        )

    async def wait_for_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> CallbackAnswer:
        """Wait until the bot answers callback query ``query_id`` (as returned by ``press``)."""

        def check() -> CallbackAnswer | None:
            return next((a for a in self.callback_answers if a.query_id == query_id), None)

        return await self._wait(
            check,
            timeout,
            lambda: (
                f"callback query {query_id} not answered in {timeout}s\n" + self._debug_summary()
            ),
        )

    async def wait_idle(
        self,
        *,
        quiet: float = 0.05,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> None:
        """Wait until the bot has fetched every queued update, no request (or webhook delivery)
        is in flight, and nothing happened for ``quiet`` seconds.

        The quiet period covers the gap between the bot fetching an update and its handler's
        first request. Handlers that wait on something other than the Bot API for longer than
        ``quiet`` (e.g. a slow database) need a larger value or an explicit ``wait_for``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = self._busy()
            pause: float | None = None
            if busy is None:
                idle_for = time.monotonic() - self._last_activity
                if idle_for >= quiet:
                    return
                pause = quiet - idle_for
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"not idle after {timeout}s: {busy or 'still active'}\n{self._debug_summary()}"
                )
            await self._changed.wait(min(remaining, pause) if pause is not None else remaining)

    def _busy(self) -> str | None:
        if self._inflight:
            return f"{self._inflight} request(s)/webhook deliveries in flight"
        if self._webhook is not None:
            if self._updates:
                return f"{len(self._updates)} update(s) not yet delivered to the webhook"
        elif self._updates and self._updates[-1]["update_id"] > self._fetched_upto:
            unfetched = sum(1 for u in self._updates if u["update_id"] > self._fetched_upto)
            return f"{unfetched} update(s) not fetched by the bot (is it polling?)"
        return None

    def _require_recording(self, what: str) -> None:
        if not self.record_messages:
            raise RuntimeError(f"{what} needs FakeTelegram(record_messages=True)")

    def _debug_summary(self) -> str:
        """What the emulator saw lately; appended to timeout errors to explain them."""
        webhook = self._webhook.url if self._webhook else None
        lines = [f"emulator: {self._busy() or 'idle'}; webhook={webhook}"]
        # Empty long polls are noise here.
        recent = [c for c in self._calls if c.method != "getUpdates" or c.result != []][-8:]
        lines.append("last calls:" if recent else "no calls recorded")
        for call in recent:
            outcome = "ok" if call.ok else f"{call.status} {call.error and call.error.description}"
            lines.append(f"  {call.method} {_short(call.params)} -> {outcome}")
        return "\n".join(lines)


def method_key(method: str | None) -> str | None:
    return None if method in (None, "*") else method.lower()  # type: ignore[union-attr]


def _after(calls: deque[Call], threshold: int) -> list[Call]:
    """Calls with ``seq > threshold``, oldest first (scans from the newest end)."""
    newer: list[Call] = []
    for call in reversed(calls):
        if call.seq <= threshold:
            break
        newer.append(call)
    newer.reverse()
    return newer


def _short(params: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return text if len(text) <= 120 else text[:117] + "..."
