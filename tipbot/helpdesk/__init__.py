"""The help desk's staff tools on top of the consultation hand-off: snippets (canned answers
in the person's language) and the rating after a close. Working hours live in
``tipbot.core.hours`` (the settings validate them and the consultation area counts reminders
in them). Commands are in ``tipbot.commands``; ``tipbot.app`` places the handlers."""

from __future__ import annotations

from telegram.ext import BaseHandler

from tipbot.helpdesk.ratings import rating_handlers

__all__ = ["button_handlers"]


def button_handlers() -> list[BaseHandler]:
    """The rating buttons and the person's comment on a rating (before the fallback)."""
    return rating_handlers()
