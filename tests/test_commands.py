"""The command registry (tipbot/commands.py) is the whole truth: every command a handler
answers is registered, in the module it names, and shows in the menu, /help and the group
redirect; every callback-data prefix comes from tipbot/core/callbacks.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from pkgutil import resolve_name

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, TypeHandler

from tipbot.commands import COMMANDS, Scope, commands
from tipbot.pipeline import stray_groups

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


async def test_every_answered_command_is_the_registry_entrys_callback(bot):
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
        callback = resolve_name(registry[name].callback)
        if registry[name].deep_links:  # /start: dispatches on its payload
            assert handler.callback.__name__ == f"{callback.__name__}_by_deep_link", name
        else:
            assert handler.callback is callback, name
    assert {name for name, _ in answered} - topic_commands == set(registry)
    # The group redirect answers every private command and every topic's.
    assert len(redirect) == 1
    private = {command.name for command in commands(Scope.PRIVATE)}
    assert redirect[0].commands == frozenset(private | topic_commands)


async def test_every_handler_sits_in_a_stage_of_the_pipeline(bot):
    """A handler added outside ``tipbot.app.register_handlers``'s stages fails here."""
    assert stray_groups(bot.application.handlers) == []
    registry_groups = {command.group for command in COMMANDS}
    for group, handlers in bot.application.handlers.items():
        assert handlers, group
        commands_here = [h for h in handlers if isinstance(h, CommandHandler)]
        if commands_here and group not in registry_groups:
            raise AssertionError(f"a command handler outside the registry in {group!r}")


async def test_a_handler_registered_outside_the_pipeline_is_caught(bot):
    """The check above is real: a handler added with a bare group number is found."""
    stray = TypeHandler(object, lambda update, context: None)
    bot.application.add_handler(stray, group=7)
    try:
        assert stray_groups(bot.application.handlers) == [7]
    finally:
        bot.application.remove_handler(stray, group=7)


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
