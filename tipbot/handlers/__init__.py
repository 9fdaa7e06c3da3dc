"""Thin PTB handlers, one module per area; ``register`` wires them in a fixed order."""

from __future__ import annotations

from telegram.ext import Application

from tipbot import delivery
from tipbot.handlers import errors, fallback, start


def register(application: Application) -> None:
    """Add every handler. Order matters within a group: the fallbacks come last."""
    start.register(application)
    delivery.register(application)
    fallback.register(application)
    application.add_error_handler(errors.on_error)
