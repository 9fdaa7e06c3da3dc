"""The one web server of a replica: the webhook, ``/healthz`` and ``/metrics``.

Follows PTB's "customwebhookbot" example: a request is checked, decoded, kept in the inbox
(``core/inbox.py``) and put into ``application.update_queue``; PTB processes it like a
polled update. Telegram only needs the 200 to stop retrying, so the handler never waits for
the bot's answer, only for the update to be stored.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application

from tipbot.core.health import check_health, mark_started, refresh_state_gauges
from tipbot.core.inbox import queue_updates
from tipbot.core.runtime import Deps

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_UPDATE_BYTES = 1 << 20


def build_web_app(
    application: Application,
    deps: Deps,
    *,
    webhook_path: str | None = None,
    secret: str | None = None,
) -> web.Application:
    """Routes for health and metrics, plus the webhook when ``webhook_path`` is given."""
    mark_started(deps)

    async def healthz(_request: web.Request) -> web.Response:
        health = await check_health(deps)
        return web.json_response(health.as_json(), status=200 if health.ok else 503)

    async def metrics(_request: web.Request) -> web.Response:
        try:
            await refresh_state_gauges(deps.db, deps.clock.now())
        except (OSError, SQLAlchemyError, TimeoutError) as exc:
            log.warning("metrics: could not read state gauges: %s", type(exc).__name__)
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request refused: wrong or missing secret token")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook request refused: not a Telegram update")
            return web.Response(status=400)
        if deps.inbox is None:
            await application.update_queue.put(update)
            return web.Response()
        try:  # kept before the 200 that tells Telegram it may forget the update
            to_run = await deps.inbox.store([data])
        except Exception as exc:  # Telegram retries it later
            log.warning("webhook: update %s not kept, answered 503: %s", update.update_id, exc)
            return web.Response(status=503)
        # None: a retry, or a chat another replica is handling (that one runs it); more
        # than this one: older updates of the chat, given to this replica, go first.
        await queue_updates(application, to_run, parsed=update)
        return web.Response()

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if webhook_path:
        app.router.add_post(webhook_path, webhook)
    return app
