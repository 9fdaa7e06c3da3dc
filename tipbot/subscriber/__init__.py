"""The subscriber area: everything a person does in a private chat, apart from the
consultation form. Registration comes in two parts: the form sits between /start and
the rest."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.subscriber import guard, lifecycle, ondemand, settings, start


def register_start(application: Application) -> None:
    """/start goes first, before the consultation form."""
    start.register(application)


def register(application: Application) -> None:
    """The the group guard, settings, on-demand tips and the lifecycle commands."""
    guard.register(application)
    settings.register(application)
    ondemand.register(application)
    lifecycle.register(application)
