"""Fake Telegram Bot API server for end-to-end tests and the terminal demo.

Standalone: depends on aiohttp only (not on pytest, PTB or the rest of ``tipbot``).
See :class:`FakeTelegram` for the entry point.
"""

from .actors import FakeChat, FakeGroup, FakeUser
from .errors import ApiError, Errors
from .models import ButtonNotFound, Call, CallbackAnswer, FaultRule, StoredMessage, WebhookDelivery
from .reactions import Reaction
from .server import SECRET_HEADER, FakeTelegram, WebhookConfig
from .topics import ForumTopic

__all__ = [
    "SECRET_HEADER",
    "ApiError",
    "ButtonNotFound",
    "Call",
    "CallbackAnswer",
    "Errors",
    "FakeChat",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "FaultRule",
    "ForumTopic",
    "Reaction",
    "StoredMessage",
    "WebhookConfig",
    "WebhookDelivery",
]
