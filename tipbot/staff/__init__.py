"""The staff area: /stats, /broadcast and /reload in the staff group; linking the group."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.staff import handlers, setup


def register(application: Application) -> None:
    handlers.register(application)
    setup.register(application)
