"""Everything a person does in a private chat, apart from /start and the consultation form."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.handlers import guard, membership, ondemand, preferences


def register(application: Application) -> None:
    guard.register(application)
    preferences.register(application)
    ondemand.register(application)
    membership.register(application)
