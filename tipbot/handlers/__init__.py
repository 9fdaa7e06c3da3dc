"""Thin PTB handlers, one module per area; ``register`` wires them in a fixed order."""

from __future__ import annotations

from telegram.ext import Application

from tipbot import consult, delivery
from tipbot.handlers import errors, fallback, ops, setup, start, subscriber


def register(application: Application) -> None:
    """Add every handler and job. Order matters within a group: the fallbacks come last.

    The consultation form comes first, so an open form gets its answers; the rest of the
    consultation module goes right before the fallbacks: its relay of a person's free text
    to staff hands over to ``fallback.free_text`` when no request is open.
    """
    start.register(application)
    setup.register(application)
    consult.register_form(application)
    subscriber.register(application)
    delivery.register(application)
    ops.register(application)
    consult.register(application)
    fallback.register(application)
    application.add_error_handler(errors.on_error)
