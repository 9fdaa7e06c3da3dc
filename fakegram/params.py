"""Decoding of Bot API request parameters the way Telegram's server does.

PTB sends ``application/x-www-form-urlencoded`` (or ``multipart/form-data`` with uploads) where
every value is a string: strings as-is, everything else JSON-encoded (``"123"``, ``"true"``,
``'{"inline_keyboard": ...}'``). Telegram also accepts a JSON body and GET query strings.
We turn all of them into one typed ``dict`` so method implementations never see transport details.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from .errors import ApiError

#: Parameters whose value is a JSON object/array (JSON-encoded string in form data).
JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "explanation_entities",
        "input_message_content",
        "link_preview_options",
        "media",
        "menu_button",
        "message_ids",
        "options",
        "permissions",
        "prices",
        "reaction",
        "reply_markup",
        "reply_parameters",
        "results",
        "rights",
        "scope",
    }
)

#: Integer parameters. ``chat_id``/``from_chat_id`` may also be ``"@username"`` (kept a string).
INT_FIELDS = frozenset(
    {
        "cache_time",
        "chat_id",
        "duration",
        "from_chat_id",
        "heading",
        "height",
        "icon_color",
        "length",
        "limit",
        "live_period",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "proximity_alert_radius",
        "reply_to_message_id",
        "timeout",
        "until_date",
        "user_id",
        "width",
    }
)

FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})

BOOL_FIELDS = frozenset(
    {
        "allow_paid_broadcast",
        "allow_sending_without_reply",
        "disable_notification",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "drop_pending_updates",
        "for_channels",
        "has_spoiler",
        "is_big",
        "protect_content",
        "remove_caption",
        "return_bots",
        "revoke_messages",
        "show_alert",
        "show_caption_above_media",
        "supports_streaming",
    }
)

_INT_RE = re.compile(r"-?\d+")


async def read_params(request: web.Request) -> dict[str, Any]:
    """Collect query-string and body parameters of ``request`` and coerce them to their types."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                raw[key] = value if isinstance(value, str) else _describe_upload(value)
    return coerce(raw)


def coerce(raw: dict[str, Any]) -> dict[str, Any]:
    """Type the values of ``raw`` (strings from a form, or already-typed JSON values)."""
    return {key: _coerce_value(key, value) for key, value in raw.items()}


def _coerce_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    if key in INT_FIELDS:
        return int(value) if _INT_RE.fullmatch(value) else value
    if key in FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if key in BOOL_FIELDS:
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
    return value


def _describe_upload(field: Any) -> dict[str, Any]:
    """Summarise an uploaded file; its bytes go along for the checks (photos) and for the
    tests' assertions (``FakeTelegram.uploads``), never into an answer."""
    data = field.file.read()
    return {
        "filename": field.filename,
        "content_type": field.content_type,
        "size": len(data),
        "data": data,
    }
