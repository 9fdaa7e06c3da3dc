"""The subscriber area: everything a person does in a private chat, apart from the
consultation form. Its commands are in ``tipbot.commands``; ``tipbot.app`` places its other
handlers in the pipeline."""

from __future__ import annotations

from telegram.ext import BaseHandler

from tipbot.subscriber import (
    days,
    language,
    lifecycle,
    ondemand,
    recap,
    settings,
    tip_buttons,
    welcome,
)
from tipbot.subscriber.guard import flood_handler, group_redirect_handler
from tipbot.subscriber.language import language_handler

__all__ = ["button_handlers", "flood_handler", "group_redirect_handler", "language_handler"]


def button_handlers() -> list[BaseHandler]:
    """Settings, language, tip and pause/stop/forget buttons (their patterns do not overlap),
    and a shared location."""
    return (
        settings.button_handlers()
        + language.button_handlers()
        + ondemand.button_handlers()
        + lifecycle.button_handlers()
        + days.button_handlers()
        + tip_buttons.button_handlers()
        + welcome.button_handlers()
        + recap.button_handlers()
    )
