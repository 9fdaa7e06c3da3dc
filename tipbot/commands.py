"""Every command the bot answers, in one place: ``tipbot.app`` registers each entry's
callback, and the menus, /help and the group redirect are built from this list.

A new command is one edit: an entry here naming its callback (``"module:function"``, resolved
when the app is built, so this registry stays below the areas it names).
``tests/test_commands.py`` fails on a command handler registered any other way.
"""

from __future__ import annotations

import enum
import html
import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from tipbot import i18n
from tipbot.core.content import Library
from tipbot.i18n import N_ as _
from tipbot.i18n import Text
from tipbot.pipeline import HandlerGroup

log = logging.getLogger(__name__)


class Scope(enum.Enum):
    PRIVATE = "private"  # private chats only: private menu, /help, group redirect
    STAFF = "staff"  # the staff menu; ``staff_only`` callbacks, never answered in other groups
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
    callback: str  # "module:function" answering it
    description: Text | None = None  # the menu entry; None: not in the menu
    help: Text | None = None  # its /help line after "/name – "; None: not in /help
    section: Section | None = None
    topics_follow: bool = False  # the menu lists the library's topic commands right after it
    answers_topics: bool = False  # its callback also answers each topic's command (/omega3)
    # /start's deep links: a payload with a callback of its own (``start=consult``).
    deep_links: tuple[tuple[str, str], ...] = ()
    group: HandlerGroup = HandlerGroup.AREAS


_P, _S = Scope.PRIVATE, Scope.STAFF
_START, _SETTINGS = "tipbot.subscriber.start", "tipbot.subscriber.settings"
_TIPS, _LIFECYCLE = "tipbot.subscriber.ondemand", "tipbot.subscriber.lifecycle"
_FORM, _STAFF_SIDE = "tipbot.consult.form_runner", "tipbot.consult.staff_side"
_STAFF = "tipbot.staff.handlers"
_HELPDESK = "tipbot.helpdesk"
_SNIPPETS = f"{_HELPDESK}.snippets"

#: In menu order; /help shows them by section, in this order within a section.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        _P,
        f"{_START}:start",
        help=_("subscribe"),
        section=Section.DAILY,
        deep_links=(("consult", f"{_FORM}:begin"),),
    ),
    Command(
        "tip",
        _P,
        f"{_TIPS}:tip_command",
        _("A tip from your topics"),
        _("a tip from your topics"),
        Section.NOW,
        topics_follow=True,
    ),
    Command(
        "topic",
        _P,
        f"{_TIPS}:topic_command",
        help=_("all topics"),
        section=Section.NOW,
        answers_topics=True,
    ),
    Command(
        "topics",
        _P,
        f"{_SETTINGS}:topics_command",
        _("Choose your topics"),
        _("choose your topics"),
        Section.DAILY,
    ),
    Command(
        "time",
        _P,
        f"{_SETTINGS}:time_command",
        _("Choose the time of your daily tip"),
        _("choose the time (e.g. /time 7:30)"),
        Section.DAILY,
    ),
    Command(
        "timezone",
        _P,
        f"{_SETTINGS}:timezone_command",
        _("Choose your timezone"),
        _("choose your timezone (e.g. /timezone Europe/Berlin)"),
        Section.DAILY,
    ),
    Command(
        "days",
        _P,
        "tipbot.subscriber.days:days_command",
        _("Choose the days of your tip"),
        _("choose the days (e.g. /days mon,wed,fri)"),
        Section.DAILY,
    ),
    Command(
        "recap",
        _P,
        "tipbot.subscriber.recap:recap_command",
        _("Weekly recap on or off"),
        _("your weekly recap: /recap on or /recap off"),
        Section.DAILY,
    ),
    Command(
        "saved",
        _P,
        "tipbot.subscriber.tip_buttons:saved_command",
        _("Your saved tips"),
        _("the tips you saved with ⭐"),
        Section.NOW,
    ),
    Command(
        "settings",
        _P,
        f"{_SETTINGS}:settings_command",
        _("Your settings"),
        _("see and change your settings"),
        Section.DAILY,
    ),
    Command(
        "language",
        _P,
        "tipbot.subscriber.language:language_command",
        _("Choose your language"),
        _("choose the language I speak (e.g. /language es)"),
        Section.DAILY,
    ),
    Command(
        "consult",
        _P,
        f"{_FORM}:begin",
        _("Ask for a free consultation"),
        _("ask for a free consultation"),
        Section.CLINIC,
    ),
    # Only inside the consultation form (its messages say so): not in the menu or /help;
    # ahead of the areas, where an open form takes its answers.
    Command("cancel", _P, f"{_FORM}:cancel_form", group=HandlerGroup.FORM),
    Command(
        "pause",
        _P,
        f"{_LIFECYCLE}:pause_command",
        _("Pause the daily tips"),
        _("pause the tips (e.g. /pause 7 for a week)"),
        Section.DAILY,
    ),
    Command(
        "resume",
        _P,
        f"{_LIFECYCLE}:resume_command",
        _("Resume the daily tips"),
        _("resume them after a pause"),
        Section.DAILY,
    ),
    Command(
        "mydata",
        _P,
        f"{_LIFECYCLE}:mydata_command",
        _("What I store about you"),
        _("everything I store about you"),
        Section.DATA,
    ),
    Command(
        "forget",
        _P,
        f"{_LIFECYCLE}:forget_command",
        _("Delete your data"),
        _("delete all of it"),
        Section.DATA,
    ),
    Command(
        "stop", _P, f"{_LIFECYCLE}:stop_command", _("Unsubscribe"), _("unsubscribe"), Section.DAILY
    ),
    Command("help", _P, f"{_START}:help_command", _("How this bot works")),
    Command("requests", _S, f"{_STAFF_SIDE}:list_requests", _("Open consultation requests")),
    Command("request", _S, f"{_STAFF_SIDE}:show_request", _("Show one request again: /request N")),
    Command(
        "stats",
        _S,
        "tipbot.staff.stats:stats_command",
        _("Subscribers, tips and requests in numbers"),
    ),
    Command(
        "broadcast",
        _S,
        f"{_STAFF}:broadcast_command",
        _("Send an announcement to all subscribers, or to a segment"),
    ),
    Command(
        "broadcasts",
        _S,
        f"{_STAFF}:broadcasts_command",
        _("Scheduled and sending broadcasts, to cancel one"),
    ),
    Command("reload", _S, f"{_STAFF}:reload_command", _("Reload the tip library")),
    Command(
        "s",
        _S,
        f"{_SNIPPETS}:snippet_command",
        _("Send a snippet: reply to a request with /s NAME"),
    ),
    Command("snippets", _S, f"{_SNIPPETS}:snippets_command", _("List the snippets")),
    Command(
        "assign",
        _S,
        f"{_HELPDESK}.assignment:assign_command",
        _("Assign a request: reply to its card with /assign [@username]"),
    ),
    Command("mine", _S, f"{_HELPDESK}.assignment:mine_command", _("Your open requests")),
    Command(
        "report",
        _S,
        f"{_HELPDESK}.report:report_command",
        _("Support report: /report (7 days) or /report 30"),
    ),
    Command(
        "block",
        _S,
        f"{_HELPDESK}.blocking:block_command",
        _("Stop relaying a person's messages: reply to their request with /block"),
    ),
    Command(
        "unblock",
        _S,
        f"{_HELPDESK}.blocking:unblock_command",
        _("Relay a blocked person's messages again"),
    ),
    # A group's id in a group, the person's user id in a private chat (README: Going live).
    Command("chatid", Scope.ANY, "tipbot.staff.setup:chatid_command"),
)


def commands(scope: Scope) -> list[Command]:
    return [command for command in COMMANDS if command.scope is scope]


def menu(scope: Scope, library: Library, language: str) -> list[BotCommand]:
    """The command menu of a scope in ``language``; the private one lists each topic's
    command after /tip."""
    entries: list[BotCommand] = []
    for command in commands(scope):
        if command.description:
            entries.append(BotCommand(command.name, command.description.render(language)))
        if command.topics_follow:
            entries += [
                BotCommand(topic.command, topic.description[:256])
                for topic in library.localized(language).topics.values()
            ]
    return entries


async def set_staff_menu(bot: Bot, chat_id: int, library: Library) -> None:
    """The staff commands in the staff group's menu (staff language); an unreachable group
    must not stop the bot (the menu is a convenience), so failures are only logged."""
    commands = menu(Scope.STAFF, library, i18n.staff_language())
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the staff group's command menu: %s", exc)


def help_lines(library: Library, language: str) -> str:
    """The commands part of /help: one block per section, each command on its own line."""
    blocks = []
    library = library.localized(language)
    for section in Section:
        lines = [f"<b>{section.value.render(language)}</b>"]
        for command in commands(Scope.PRIVATE):
            if command.section is not section:
                continue
            lines.append(f"/{command.name} – {command.help.render(language)}")
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
