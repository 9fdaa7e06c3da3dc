"""The subscriber area: everything a person does in a private chat, apart from the
consultation form."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.subscriber import guard, language, lifecycle, ondemand, settings, start


def register(application: Application) -> None:
    """Each update's language, flood control and the group redirect, /start and /help,
    settings, on-demand tips, and pause/resume/stop/mydata/forget. Their filters do not
    overlap."""
    language.register(application)
    guard.register(application)
    start.register(application)
    settings.register(application)
    ondemand.register(application)
    lifecycle.register(application)
