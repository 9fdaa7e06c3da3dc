"""The update queue and its two ways to the bot: ``getUpdates`` and the webhook.

A mixin of :class:`~fakegram.server.FakeTelegram`. Delivery is at-least-once as Telegram's:
an update stays queued until a later ``getUpdates`` offset confirms it, or the webhook answered
2xx (or the retries gave up). ``allowed_updates`` filters; the opt-in types need listing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import aiohttp

from .errors import Errors
from .models import WebhookDelivery
from .signatures import api

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiohttp import web

    from .signal import Signal

log = logging.getLogger("fakegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
#: Update types Telegram only sends when explicitly listed in ``allowed_updates``.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFIGURED: Any = object()  # "use the secret configured with setWebhook"


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class Updates:
    """Update queue, long polling and webhook delivery (mixed into ``FakeTelegram``)."""

    webhook_retry_delays: tuple[float, ...]
    webhook_deliveries: list[WebhookDelivery]
    dropped_updates: list[dict[str, Any]]
    _clock: Callable[[], float]
    _updates: deque[dict[str, Any]]
    _next_update_id: int
    _fetched_upto: int
    _allowed_updates: frozenset[str] | None
    _poll_generation: int
    _webhook: WebhookConfig | None
    _webhook_task: asyncio.Task[None] | None
    _closing: bool
    _last_action_seq: int
    _last_activity: float
    _runner: web.AppRunner | None
    _session: aiohttp.ClientSession | None
    _changed: Signal
    _update_signal: Signal

    if TYPE_CHECKING:  # provided by FakeTelegram and the other mixins

        def _next_seq(self) -> int:
            raise NotImplementedError

        def _now(self) -> int:
            raise NotImplementedError

        def _begin(self) -> None:
            raise NotImplementedError

        def _end(self) -> None:
            raise NotImplementedError

    def _new_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot; it counts as the latest user action for waits."""
        self._updates.append(update)
        self._last_action_seq = self._next_seq()
        self._last_activity = time.monotonic()
        self._update_signal.notify()
        self._changed.notify()
        if self._webhook is not None and self._runner is not None:
            self._ensure_webhook_worker()
        return update

    def _new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._enqueue({"update_id": self._new_update_id(), kind: payload})

    def _wants(self, update: dict[str, Any]) -> bool:
        kind = _update_type(update)
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    def _set_allowed_updates(self, allowed: Any) -> None:
        self._allowed_updates = frozenset(allowed) if allowed else None

    def _take_allowed(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` pending updates the bot wants; unwanted ones are discarded."""
        batch: list[dict[str, Any]] = []
        unwanted = False
        for update in self._updates:
            if self._wants(update):
                batch.append(update)
                if len(batch) >= limit:
                    break
            else:
                unwanted = True
        if unwanted:
            kept: deque[dict[str, Any]] = deque()
            for update in self._updates:
                (kept if self._wants(update) else self.dropped_updates).append(update)
            self._updates = kept
        return batch

    def _confirm(self, offset: Any) -> None:
        """Forget updates below ``offset`` (negative: keep only the last ``-offset``)."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        else:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()

    @api("getUpdates")
    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise Errors.conflict_webhook()
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        self._confirm(p.get("offset"))
        limit = min(max(_int(p.get("limit"), 100), 1), 100)
        timeout = max(_int(p.get("timeout"), 0), 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_signal.notify()  # an older long poll now answers 409, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._take_allowed(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await self._update_signal.wait(remaining)
            if generation != self._poll_generation:
                raise Errors.conflict_polling()
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
        return batch

    # ------------------------------------------------------------------ webhook
    @api("setWebhook")
    def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = p.get("url") or ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        if not url:
            self._webhook = None
            self._update_signal.notify()
            return True
        if not url.startswith(("http://", "https://")):
            raise Errors.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token") or None
        if secret is not None and not all(c.isalnum() or c in "_-" for c in secret):
            raise Errors.bad_request("secret token contains unallowed characters")
        self._webhook = WebhookConfig(
            url, secret, _int(p.get("max_connections"), 40), p.get("ip_address")
        )
        self._ensure_webhook_worker()
        self._update_signal.notify()
        return True

    @api("deleteWebhook")
    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        self._update_signal.notify()
        return True

    @api("getWebhookInfo")
    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        config = self._webhook
        info: dict[str, Any] = {
            "url": config.url if config else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if config is not None:
            info["max_connections"] = config.max_connections
            optional = {
                "ip_address": config.ip_address,
                "last_error_date": config.last_error_date,
                "last_error_message": config.last_error_message,
            }
            info.update({k: v for k, v in optional.items() if v is not None})
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _ensure_webhook_worker(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, in order, while a webhook is set."""
        while not self._closing and self._webhook is not None:
            batch = self._take_allowed(1)
            if not batch:
                await self._update_signal.wait(None)
                continue
            update, config = batch[0], self._webhook
            self._begin()
            try:
                await self._deliver(update, config)
            finally:
                if self._updates and self._updates[0] is update:
                    self._updates.popleft()  # delivered, or given up after the retries
                self._end()

    async def _deliver(self, update: dict[str, Any], config: WebhookConfig) -> bool:
        for attempt, backoff in enumerate((0.0, *self.webhook_retry_delays), start=1):
            if backoff:
                await asyncio.sleep(backoff)
            delivery = await self._post_update(config.url, update, config.secret_token, attempt)
            if delivery.ok:
                return True
            config.last_error_date = self._now()
            config.last_error_message = delivery.error
        log.warning("webhook gave up on update %s: %s", update["update_id"], delivery.error)
        return False

    async def _post_update(
        self, url: str, update: dict[str, Any], secret: str | None, attempt: int
    ) -> WebhookDelivery:
        if self._session is None:
            raise RuntimeError("FakeTelegram is not started")
        headers = {SECRET_HEADER: secret} if secret else {}
        status: int | None = None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
                error = (
                    None
                    if 200 <= status < 300
                    else (f"Wrong response from the webhook: {status} {_reason(status)}")
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}: {exc}"
        delivery = WebhookDelivery(
            update["update_id"], url, attempt, status, error, secret, self._clock()
        )
        self.webhook_deliveries.append(delivery)
        self._changed.notify()
        return delivery

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: str | None = _CONFIGURED, url: str | None = None
    ) -> int | None:
        """POST one update straight to the webhook (bypassing the queue); return the status.

        ``secret`` defaults to the configured one; pass a wrong one (or ``None`` to omit the
        header) for negative tests. ``url`` defaults to the configured webhook. Recorded in
        ``webhook_deliveries``; ``None`` if the connection failed.
        """
        config = self._webhook
        target = url or (config.url if config else None)
        if not target:
            raise RuntimeError("no webhook is set; pass url=")
        if secret is _CONFIGURED:
            secret = config.secret_token if config else None
        update = {"update_id": self._new_update_id(), **update}
        return (await self._post_update(target, update, secret, attempt=1)).status

    async def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any raw update (``update_id`` is assigned when missing); return it."""
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, update["update_id"])
        else:
            update["update_id"] = self._new_update_id()
        return self._enqueue(update)


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
