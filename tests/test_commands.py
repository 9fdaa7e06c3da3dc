"""The command registry (tipbot/commands.py) is the whole truth: every command a handler
answers is registered, in the module it names, and shows in the menu, /help and the group
redirect; every callback-data prefix comes from tipbot/core/callbacks.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from tipbot.commands import COMMANDS, Scope, commands

#: Deliberately not in the menu: /start is Telegram's own button, /topic takes an argument,
#: /cancel only means something inside the consultation form.
NOT_IN_MENU = {"start", "topic", "cancel"}
#: Deliberately not in /help: /help itself, and /cancel (the form's messages mention it).
NOT_IN_HELP = {"help", "cancel"}


def _command_handlers(handlers: list[BaseHandler]) -> Iterator[CommandHandler]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            nested += [h for state in handler.states.values() for h in state]
            yield from _command_handlers(nested)
        elif isinstance(handler, CommandHandler):
            yield handler


async def test_every_answered_command_is_registered_in_its_module(bot):
    registry = {command.name: command for command in COMMANDS}
    topic_commands = {c for topic in bot.deps.library.topics.values() for c in topic.commands}
    answered = [
        (name, handler)
        for group in bot.application.handlers.values()
        for handler in _command_handlers(group)
        for name in handler.commands
    ]
    redirect = list({h for _, h in answered if h.callback.__name__ == "private_chat_only"})
    for name, handler in answered:
        if handler in redirect or name in topic_commands:
            continue
        assert name in registry, f"/{name} is answered but not in tipbot/commands.py"
        command = registry[name]
        assert handler.callback.__module__ in (command.module, *command.also), name
    assert {name for name, _ in answered} - topic_commands == set(registry)
    # The group redirect answers every private command and every topic's.
    assert len(redirect) == 1
    private = {command.name for command in commands(Scope.PRIVATE)}
    assert redirect[0].commands == frozenset(private | topic_commands)


async def test_menus_list_every_registered_command(bot, tg, staff_group):
    private_menu = [c["command"] for c in tg.commands("all_private_chats")]
    expected = {c.name for c in commands(Scope.PRIVATE)} - NOT_IN_MENU
    assert set(private_menu) == expected | {t.command for t in bot.deps.library.topics.values()}
    assert private_menu[0] == "tip"  # the most used first
    staff_menu = tg.commands({"type": "chat", "chat_id": staff_group.id})
    assert {c["command"] for c in staff_menu} == {c.name for c in commands(Scope.STAFF)}


async def test_help_lists_every_private_command(bot, alice):
    await alice.send("/help")
    text = (await alice.wait_for()).text
    listed = set(re.findall(r"^/(\w+) – ", text, flags=re.MULTILINE))
    expected = {c.name for c in commands(Scope.PRIVATE)} - NOT_IN_HELP
    topics = {t.command for t in bot.deps.library.topics.values()}
    assert listed == expected | topics


async def test_a_private_command_in_a_group_points_to_the_private_chat(bot, tg, alice):
    group = tg.group("Running club", bot_status="member")
    for command in ("/pause", "/forget", "/help"):
        await alice.send(command, chat=group)
        assert "private chat" in (await group.wait_for()).text, command


def test_callback_data_prefixes_come_from_one_module():
    """No area spells a callback-data prefix itself: ``callback_data=`` and ``pattern=``
    use the names of tipbot/core/callbacks.py."""
    root = Path(__file__).resolve().parents[1] / "tipbot"
    literal = re.compile(r"""(callback_data|pattern)=r?f?["'][\^]?[a-z]""")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []
