"""Builds the PTB ``Application``: settings, database, tip library, handlers and jobs."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults

from tipbot import consult, delivery, staff, subscriber, texts
from tipbot.commands import Scope, menu
from tipbot.core import errors, i18n
from tipbot.core.clock import Clock, SystemClock
from tipbot.core.config import Settings
from tipbot.core.content import Library, load_library
from tipbot.core.db import Database
from tipbot.core.runtime import Context, Deps, attach, deps_of
from tipbot.core.updates import MeasuredUpdateProcessor

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    library: Library | None = None,
    db: Database | None = None,
) -> Application:
    """A ready-to-start Application; the caller has migrated the database."""
    token = settings.require_token()
    i18n.setup_from(settings)
    deps = Deps(
        settings=settings,
        db=db or Database(settings.database_url),
        library=library or load_library(settings.content),
        clock=clock or SystemClock(),
    )
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        .context_types(ContextTypes(context=Context))
        # Every text is Telegram HTML (texts.py); links are sources, not worth a preview card.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(
            AIORateLimiter(overall_max_rate=settings.max_messages_per_second, max_retries=3)
        )
        .concurrent_updates(MeasuredUpdateProcessor(max_concurrent_updates=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    attach(application, deps)
    register_areas(application)
    return application


def register_areas(application: Application) -> None:
    """Add every handler and job. Order matters within a group: the fallbacks come last.

    The consultation form comes right after /start, so an open form gets its answers; the
    rest of the consultation area goes right before the fallbacks: its relay of a person's
    free text to staff hands over to the fallback when no request is open.
    """
    subscriber.register_start(application)
    consult.register_form(application)
    subscriber.register(application)
    delivery.register(application)
    staff.register(application)
    consult.register(application)
    subscriber.register_fallbacks(application)
    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    deps = deps_of(application)
    await publish_profile(application.bot, deps.library)
    if deps.settings.staff_chat_id is not None:
        try:
            with i18n.for_staff():
                staff_menu = menu(Scope.STAFF, deps.library)
            await application.bot.set_my_commands(
                staff_menu, scope=BotCommandScopeChat(deps.settings.staff_chat_id)
            )
        except TelegramError as exc:  # an unreachable staff group must not stop the bot
            log.warning("could not set the staff group's command menu: %s", exc)
    else:
        log.warning(
            "TIPBOT_STAFF_CHAT_ID is not set: consultation requests are stored and wait "
            "in the outbox until a staff group is configured"
        )
    log.info("tipbot started as @%s", application.bot.username)


async def publish_profile(bot: Bot, library: Library) -> None:
    """The private command menu and the "What can this bot do?" texts, in every language
    (Telegram shows each person theirs), and in the default language for everyone else."""
    for language in [None, *i18n.languages()]:
        code = i18n.telegram_code(language) if language else None
        if language and code is None:
            log.warning(
                "language %s: Telegram takes two-letter codes; menu not localised", language
            )
            continue
        with i18n.language(language):
            await bot.set_my_commands(
                menu(Scope.PRIVATE, library),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code,
            )
            await bot.set_my_description(texts.BOT_DESCRIPTION, language_code=code)
            await bot.set_my_short_description(texts.BOT_SHORT_DESCRIPTION, language_code=code)


async def _post_shutdown(application: Application) -> None:
    await deps_of(application).db.dispose()
