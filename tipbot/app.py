"""Builds the PTB ``Application``: settings, database, tip library, handlers and jobs."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommandScopeAllPrivateChats, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

from tipbot import consult, delivery, staff, subscriber, texts
from tipbot.commands import Scope, menu, set_staff_menu
from tipbot.core import errors, fallback, i18n
from tipbot.core.clock import Clock, SystemClock
from tipbot.core.config import Settings
from tipbot.core.content import Library, load_library
from tipbot.core.db import Database
from tipbot.core.runtime import Context, Deps, attach, deps_of
from tipbot.core.sender import allow_prepared_sends
from tipbot.core.staff import stored_staff_chat
from tipbot.core.transport import make_request, pool_size_for
from tipbot.core.updates import update_processor

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
    allow_prepared_sends()
    deps = Deps(
        settings=settings,
        db=db or Database(settings.database_url),
        library=library or load_library(settings.content),
        clock=clock or SystemClock(),
    )
    monitor = deps.state.bot_api
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
        # Every text is Telegram HTML (texts.py); links are sources, not worth a preview card.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(deps.sending.limiter())
        .concurrent_updates(update_processor(settings.max_concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    attach(application, deps)
    register_areas(application)
    return application


def register_areas(application: Application) -> None:
    """Add every area's handlers and jobs. PTB runs the first matching handler of a group,
    so order matters where filters overlap."""
    # The consultation form first: while it is open, its answers must reach it.
    consult.register(application)
    # Flood control (group -3), the group redirect, /start, settings, tips, pause/stop/forget.
    subscriber.register(application)
    # The delivery sweep and prune jobs; my_chat_member (blocked / unblocked).
    delivery.register(application)
    # /stats, /broadcast, /reload in the staff group.
    staff.register(application)
    # Last: unknown commands, free text and stale buttons get a friendly answer.
    fallback.register(application)
    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    deps = deps_of(application)
    await publish_profile(application.bot, deps.library)
    if deps.settings.staff_chat_id is not None:
        async with deps.db.session() as session:
            moved_to = await stored_staff_chat(session, deps.settings.staff_chat_id)
        if deps.staff.follow(moved_to):
            log.warning(
                "TIPBOT_STAFF_CHAT_ID=%s is outdated: Telegram made that group supergroup %s, "
                "which the bot uses (stored in the database); set TIPBOT_STAFF_CHAT_ID=%s",
                deps.settings.staff_chat_id,
                moved_to,
                moved_to,
            )
        await set_staff_menu(application.bot, deps.staff.chat_id, deps.library)
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
