"""Builds the PTB ``Application``: settings, database, tip library, handlers and jobs."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes

from tipbot import handlers
from tipbot.clock import Clock, SystemClock
from tipbot.config import Settings
from tipbot.content import Library, load_library
from tipbot.core.transport import BotApiMonitor, make_request, pool_size_for
from tipbot.db import Database
from tipbot.ops.updates import MeasuredUpdateProcessor
from tipbot.runtime import Context, Deps

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = [
    ("tip", "A tip from your topics"),
    ("topics", "Choose your topics"),
    ("time", "Choose the time of your daily tip"),
    ("timezone", "Choose your timezone"),
    ("settings", "Your settings"),
    ("consult", "Ask for a free consultation"),
    ("pause", "Pause the daily tips"),
    ("resume", "Resume the daily tips"),
    ("mydata", "What I store about you"),
    ("forget", "Delete your data"),
    ("stop", "Unsubscribe"),
    ("help", "How this bot works"),
]

STAFF_COMMANDS = [
    ("requests", "Open consultation requests"),
    ("request", "Show one request again: /request N"),
    ("stats", "Subscribers, tips and requests in numbers"),
    ("broadcast", "Send an announcement to all subscribers"),
    ("reload", "Reload the tip library"),
]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    library: Library | None = None,
    db: Database | None = None,
) -> Application:
    """A ready-to-start Application; the caller has migrated the database."""
    token = settings.require_token()
    deps = Deps(
        settings=settings,
        db=db or Database(settings.database_url),
        library=library or load_library(settings.content),
        clock=clock or SystemClock(),
    )
    monitor = deps.state["bot_api"] = BotApiMonitor()
    proxy = settings.proxy_url.get_secret_value() if settings.proxy_url else None
    client = settings.http_client
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        .request(
            make_request(
                client,
                pool_size=pool_size_for(settings.max_messages_per_second),
                proxy=proxy,
                monitor=monitor,
            )
        )
        .get_updates_request(make_request(client, pool_size=1, proxy=proxy, monitor=monitor))
        .context_types(ContextTypes(context=Context))
        .rate_limiter(
            AIORateLimiter(overall_max_rate=settings.max_messages_per_second, max_retries=3)
        )
        .concurrent_updates(MeasuredUpdateProcessor(max_concurrent_updates=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["deps"] = deps
    handlers.register(application)
    return application


def deps_of(application: Application) -> Deps:
    return application.bot_data["deps"]


async def _post_init(application: Application) -> None:
    deps = deps_of(application)
    commands = [BotCommand(name, description) for name, description in PRIVATE_COMMANDS]
    commands[1:1] = [
        BotCommand(topic.command, topic.description[:256]) for topic in deps.library.topics.values()
    ]
    await application.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
    if deps.settings.staff_chat_id is not None:
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, description) for name, description in STAFF_COMMANDS],
                scope=BotCommandScopeChat(deps.settings.staff_chat_id),
            )
        except TelegramError as exc:  # an unreachable staff group must not stop the bot
            log.warning("could not set the staff group's command menu: %s", exc)
    else:
        log.warning(
            "TIPBOT_STAFF_CHAT_ID is not set: consultation requests are stored and wait "
            "in the outbox until a staff group is configured"
        )
    log.info("tipbot started as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    await deps_of(application).db.dispose()
