"""The order every update passes through, in one place.

PTB runs, per update, the first matching handler of each group, groups in ascending order;
``ApplicationHandlerStop`` ends the update. Each stage below has a reason to sit where it
does; ``tipbot.app.register_handlers`` adds every handler to one of them, and
``tests/test_commands.py`` fails on a handler in any other group.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class HandlerGroup(enum.IntEnum):
    #: First: sets ``context.language``, so every later answer (even "slow down") speaks
    #: the person's language, and the staff group's.
    LANGUAGE = -5
    #: The staff group became a supergroup: follow it before anything reads its id, and
    #: never throttled.
    STAFF_MIGRATION = -4
    #: Flood control: drops a person's excess before it costs database work (messages for
    #: the clinic pass, delayed); stops the update with ``ApplicationHandlerStop``.
    FLOOD = -3
    #: An open consultation form takes its answers (text, a contact) before any area sees
    #: them; stops the update when it took one.
    FORM = -2
    #: A person with an open request: their messages go to the clinic. Without one, the
    #: areas below answer them (a shared location sets the timezone).
    RELAY = -1
    #: Commands (from ``tipbot.commands``), buttons, staff tools; the fallback comes last
    #: in this group, so it answers only what nothing else took.
    AREAS = 0
    #: The bot joining a group: the same ``my_chat_member`` update that AREAS' membership
    #: handler (blocked / unblocked) sees.
    MEMBERSHIP = 1


def stray_groups(groups: Iterable[int]) -> list[int]:
    """Handler groups that are no stage of the pipeline (a handler added with a bare number)."""
    return sorted(set(groups) - set(HandlerGroup))
