"""Every command the bot answers, in one place: the menus, /help and the group redirect
are built from this list, and ``tests/test_commands.py`` fails when a handler answers a
command that is missing here (or lives in another module than ``module`` says).

A new command takes two edits: an entry here and its ``CommandHandler`` in ``module``.
"""

from __future__ import annotations

import enum
import html
import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from tipbot.core import i18n
from tipbot.core.content import Library
from tipbot.core.i18n import N_ as _

log = logging.getLogger(__name__)


class Scope(enum.Enum):
    PRIVATE = "private"  # a person's private chat: private menu, /help, group redirect
    STAFF = "staff"  # the staff group: the staff menu
    ANY = "any"  # any chat, in no menu: set-up helpers for the operator (/chatid)


class Section(enum.Enum):
    """The headings of /help, in this order."""

    DAILY = _("Your daily tip")
    NOW = _("A tip right now")
    CLINIC = _("Talk to the clinic")
    DATA = _("Your data")


@dataclass(frozen=True)
class Command:
    name: str
    scope: Scope
    module: str  # where its handler lives
    description: str = ""  # the menu entry (a msgid); empty: not in the menu
    help: str = ""  # its /help line after "/name – " (a msgid); empty: not in /help
    section: Section | None = None
    topics_follow: bool = False  # the library's topic commands come right after it
    also: tuple[str, ...] = ()  # modules answering a variant (a deep link: /start consult)


_P, _S = Scope.PRIVATE, Scope.STAFF
_START, _SETTINGS = "tipbot.subscriber.start", "tipbot.subscriber.settings"
_TIPS, _LIFECYCLE = "tipbot.subscriber.ondemand", "tipbot.subscriber.lifecycle"

#: In menu order; /help shows them by section, in this order within a section.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        _P,
        _START,
        help=_("subscribe"),
        section=Section.DAILY,
        also=("tipbot.consult.form",),
    ),
    Command(
        "tip",
        _P,
        _TIPS,
        _("A tip from your topics"),
        _("a tip from your topics"),
        Section.NOW,
        topics_follow=True,
    ),
    Command("topic", _P, _TIPS, help=_("all topics"), section=Section.NOW),
    Command(
        "topics", _P, _SETTINGS, _("Choose your topics"), _("choose your topics"), Section.DAILY
    ),
    Command(
        "time",
        _P,
        _SETTINGS,
        _("Choose the time of your daily tip"),
        _("choose the time (e.g. /time 7:30)"),
        Section.DAILY,
    ),
    Command(
        "timezone",
        _P,
        _SETTINGS,
        _("Choose your timezone"),
        _("choose your timezone (e.g. /timezone Europe/Berlin)"),
        Section.DAILY,
    ),
    Command(
        "settings",
        _P,
        _SETTINGS,
        _("Your settings"),
        _("see and change your settings"),
        Section.DAILY,
    ),
    Command(
        "language",
        _P,
        "tipbot.subscriber.language",
        _("Choose your language"),
        _("choose the language I speak (e.g. /language es)"),
        Section.DAILY,
    ),
    Command(
        "consult",
        _P,
        "tipbot.consult.form",
        _("Ask for a free consultation"),
        _("ask for a free consultation"),
        Section.CLINIC,
    ),
    # Only inside the consultation form (its messages say so): not in the menu or /help.
    Command("cancel", _P, "tipbot.consult.form"),
    Command(
        "pause",
        _P,
        _LIFECYCLE,
        _("Pause the daily tips"),
        _("pause the tips (e.g. /pause 7 for a week)"),
        Section.DAILY,
    ),
    Command(
        "resume",
        _P,
        _LIFECYCLE,
        _("Resume the daily tips"),
        _("resume them after a pause"),
        Section.DAILY,
    ),
    Command(
        "mydata",
        _P,
        _LIFECYCLE,
        _("What I store about you"),
        _("everything I store about you"),
        Section.DATA,
    ),
    Command("forget", _P, _LIFECYCLE, _("Delete your data"), _("delete all of it"), Section.DATA),
    Command("stop", _P, _LIFECYCLE, _("Unsubscribe"), _("unsubscribe"), Section.DAILY),
    Command("help", _P, _START, _("How this bot works")),
    Command("requests", _S, "tipbot.consult.staff_side", _("Open consultation requests")),
    Command("request", _S, "tipbot.consult.staff_side", _("Show one request again: /request N")),
    Command("stats", _S, "tipbot.staff.handlers", _("Subscribers, tips and requests in numbers")),
    Command("broadcast", _S, "tipbot.staff.handlers", _("Send an announcement to all subscribers")),
    Command("reload", _S, "tipbot.staff.handlers", _("Reload the tip library")),
    # A group's id in a group, the person's user id in a private chat (README: Going live).
    Command("chatid", Scope.ANY, "tipbot.staff.setup"),
)


def commands(scope: Scope) -> list[Command]:
    return [command for command in COMMANDS if command.scope is scope]


def menu(scope: Scope, library: Library) -> list[BotCommand]:
    """The command menu of a scope; the private one lists each topic's command after /tip."""
    entries: list[BotCommand] = []
    for command in commands(scope):
        if command.description:
            entries.append(BotCommand(command.name, i18n.gettext(command.description)))
        if command.topics_follow:
            entries += [
                BotCommand(topic.command, topic.description[:256])
                for topic in library.localized().topics.values()
            ]
    return entries


async def set_staff_menu(bot: Bot, chat_id: int, library: Library) -> None:
    """The staff commands in the staff group's menu; an unreachable group must not stop the
    bot (the menu is a convenience), so failures are only logged."""
    with i18n.for_staff():
        commands = menu(Scope.STAFF, library)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the staff group's command menu: %s", exc)


def help_lines(library: Library) -> str:
    """The commands part of /help: one block per section, each command on its own line."""
    blocks = []
    library = library.localized()
    for section in Section:
        lines = [f"<b>{i18n.gettext(section.value)}</b>"]
        for command in commands(Scope.PRIVATE):
            if command.section is not section:
                continue
            lines.append(f"/{command.name} – {i18n.gettext(command.help)}")
            if command.topics_follow:
                lines += [
                    f"/{topic.command} – {html.escape(topic.title)}"
                    for topic in library.topics.values()
                ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def group_redirected(library: Library) -> list[str]:
    """Every private command (and each topic's): in a group, the bot points to a private chat."""
    topic_commands = [command for topic in library.topics.values() for command in topic.commands]
    return [command.name for command in commands(Scope.PRIVATE)] + topic_commands
