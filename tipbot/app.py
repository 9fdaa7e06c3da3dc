"""Builds the PTB ``Application``: settings, database, tip library, handlers and jobs.

``register_handlers`` is the whole update pipeline, top to bottom (``tipbot.pipeline``)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from pkgutil import resolve_name

from telegram import Bot, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseHandler, CommandHandler, ContextTypes, Defaults, filters

from tipbot import consult, delivery, helpdesk, i18n, insight, staff, subscriber, texts
from tipbot.commands import COMMANDS, Command, Scope, menu, set_staff_menu
from tipbot.core import budget, inbox
from tipbot.core.clock import Clock, SystemClock
from tipbot.core.config import ConfigError, Settings
from tipbot.core.content import Library, load_library
from tipbot.core.db import Database
from tipbot.core.erasure import Eraser
from tipbot.core.inbox import Inbox, InboxRequest
from tipbot.core.runtime import Context, Deps, attach, deps_of
from tipbot.core.sender import allow_prepared_sends
from tipbot.core.staff import StaffChat, stored_staff_chat
from tipbot.core.transport import make_request, pool_size_for
from tipbot.core.updates import update_processor
from tipbot.errors import on_error
from tipbot.fallback import fallback_handlers
from tipbot.pipeline import HandlerGroup

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
    setup_languages(settings)
    allow_prepared_sends()
    deps = Deps(
        settings=settings,
        db=db or Database(settings.database_url),
        library=library or load_library(settings.content),
        clock=clock or SystemClock(),
    )
    monitor = deps.state.bot_api
    limiter, deps.budget = budget.limiter_for(deps.db, settings.max_messages_per_second)
    if deps.budget is not None:  # bulk senders claim by this replica's share
        deps.sending = dataclasses.replace(deps.sending, shared=limiter.shared)
    owner = deps.budget.replica_id if deps.budget is not None else "local"
    deps.inbox = Inbox(deps.db, deps.clock, owner)
    deps.erasers.append(Eraser(inbox.forget_updates))  # /forget: their unhandled updates
    proxy = settings.proxy_url.get_secret_value() if settings.proxy_url else None
    client = settings.http_client
    processor = update_processor(settings.max_concurrent_updates)
    processor.inbox = deps.inbox
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
        .get_updates_request(
            InboxRequest(
                make_request(client, pool_size=1, proxy=proxy, monitor=monitor), deps.inbox
            )
        )
        .context_types(ContextTypes(context=Context))
        # Every text is Telegram HTML (texts.py); links are sources, not worth a preview card.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(limiter)
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    attach(application, deps)
    register_areas(application)
    return application


def setup_languages(settings: Settings) -> None:
    """Load the catalogs; a configured language without one stops the bot with a clear line."""
    try:
        i18n.setup(
            default=settings.default_language,
            staff=settings.staff_language,
            extra_locales=settings.locales_dir,
        )
    except i18n.LanguageError as exc:
        raise ConfigError(str(exc)) from None


def register_areas(application: Application) -> None:
    """Every handler in its pipeline stage, then every area's jobs."""
    deps = deps_of(application)
    budget.schedule(application, deps.budget)
    inbox.schedule(application, deps)
    register_handlers(application, deps)
    consult.schedule(application, deps)
    delivery.schedule(application)
    staff.schedule(application)
    helpdesk.schedule(application)
    insight.schedule(application)


def register_handlers(application: Application, deps: Deps) -> None:
    """The update pipeline (``tipbot.pipeline``): PTB runs the first matching handler of each
    group, in this order; within a group, the first added wins."""

    def add(group: HandlerGroup, handlers: Iterable[BaseHandler]) -> None:
        application.add_handlers(list(handlers), group=group)

    add(HandlerGroup.LANGUAGE, [subscriber.language_handler()])
    add(HandlerGroup.STAFF_MIGRATION, [consult.migration_handler()])
    add(HandlerGroup.FLOOD, [subscriber.flood_handler(deps)])
    add(HandlerGroup.FORM, consult.form_step_handlers())
    add(HandlerGroup.RELAY, [consult.relay_handler()])
    for command in COMMANDS:
        add(command.group, [command_handler(command, deps)])
    add(HandlerGroup.AREAS, [subscriber.group_redirect_handler(deps)])
    add(HandlerGroup.AREAS, subscriber.button_handlers())
    add(HandlerGroup.AREAS, consult.button_handlers(deps))
    add(HandlerGroup.AREAS, staff.button_handlers())
    add(HandlerGroup.AREAS, [delivery.membership_handler()])
    add(HandlerGroup.AREAS, helpdesk.button_handlers())  # before the fallback: rating comments
    add(HandlerGroup.AREAS, fallback_handlers())  # last: what nothing else took
    add(HandlerGroup.MEMBERSHIP, [staff.joined_group_handler()])
    application.add_error_handler(on_error)


Callback = Callable[[Update, Context], Awaitable[object]]


def command_handler(command: Command, deps: Deps) -> CommandHandler:
    """The registry entry's handler: its callback (and deep links), in the chats its scope
    allows; the topic commands of the library go to the entry that answers them."""
    names = [command.name]
    if command.answers_topics:
        names += [name for topic in deps.library.topics.values() for name in topic.commands]
    callback: Callback = resolve_name(command.callback)
    if command.deep_links:
        callback = _by_deep_link(callback, {p: resolve_name(c) for p, c in command.deep_links})
    return CommandHandler(names, callback, filters=_chats(command.scope, deps))


def _chats(scope: Scope, deps: Deps) -> filters.BaseFilter | None:
    """Private commands in private chats; staff tools in the staff group and private chats
    (where ``staff_only`` refuses politely), never answered in other groups."""
    if scope is Scope.PRIVATE:
        return filters.ChatType.PRIVATE
    if scope is Scope.STAFF:
        return filters.ChatType.PRIVATE | StaffChat(deps.staff)
    return None


def _by_deep_link(default: Callback, links: dict[str, Callback]) -> Callback:
    """``/start <payload>``: the payload's own callback (``start=consult``), else ``default``."""

    async def dispatch(update: Update, context: Context) -> None:
        args = context.args or []
        callback = links.get(args[0]) if len(args) == 1 else None
        await (callback or default)(update, context)

    dispatch.__name__ = dispatch.__qualname__ = f"{default.__name__}_by_deep_link"
    return dispatch


async def _post_init(application: Application) -> None:
    deps = deps_of(application)
    await budget.start(application, deps.budget)  # this replica's share, before any send
    await inbox.recover(application, deps)  # what a crash left, before any new update
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
        shown = language or i18n.default_language()  # everyone else: the default language
        await bot.set_my_commands(
            menu(Scope.PRIVATE, library, shown),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=code,
        )
        await bot.set_my_description(texts.BOT_DESCRIPTION.render(shown), language_code=code)
        await bot.set_my_short_description(
            texts.BOT_SHORT_DESCRIPTION.render(shown), language_code=code
        )


async def _post_shutdown(application: Application) -> None:
    deps = deps_of(application)
    if deps.inbox is not None:
        await deps.inbox.close()  # the last marks, before the database goes
    await deps.db.dispose()
