"""The subscriber area: everything a person does in a private chat, apart from the
consultation form. Registration comes in three parts: the form sits between /start and
the rest, and the fallbacks come after every other area."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.subscriber import fallback, guard, language, lifecycle, ondemand, settings, start


def register_start(application: Application) -> None:
    """/start goes first, before the consultation form."""
    start.register(application)


def register(application: Application) -> None:
    """The language of each update, the group guard, settings, on-demand tips and the
    lifecycle commands."""
    language.register(application)
    guard.register(application)
    settings.register(application)
    ondemand.register(application)
    lifecycle.register(application)


def register_fallbacks(application: Application) -> None:
    """The replies to unknown commands, free text and stale buttons: after every other area."""
    fallback.register(application)
