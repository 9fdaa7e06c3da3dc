"""The bot's own profile: getMe, commands, descriptions and the menu button.

A mixin of :class:`~fakegram.server.FakeTelegram`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import Errors
from .signatures import Params, api

if TYPE_CHECKING:
    from .actors import FakeChat

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class Profile:
    """getMe, (set|get|delete)MyCommands, descriptions, menu buttons."""

    bot_user: dict[str, Any]
    _commands: dict[tuple[str, str], list[dict[str, Any]]]
    _descriptions: dict[tuple[str, str], str]  # (kind, language code) -> text
    _default_menu_button: dict[str, Any] | None

    if TYPE_CHECKING:

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

    @api("getMe")
    def _get_me(self, p: Params) -> dict[str, Any]:
        return self.bot_user

    @api("logOut")
    def _log_out(self, p: Params) -> bool:
        return True

    @api("close")
    def _close(self, p: Params) -> bool:
        return True

    @api("setMyCommands")
    def _set_my_commands(self, p: Params) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise Errors.bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise Errors.bad_request("BOT_COMMAND_INVALID")
            if not str(command.get("description", "")).strip():
                raise Errors.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(p.get("scope"), p.get("language_code"))
        if commands:
            self._commands[key] = [dict(c) for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    @api("getMyCommands")
    def _get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        return self._commands.get(_commands_key(p.get("scope"), p.get("language_code")), [])

    @api("deleteMyCommands")
    def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(_commands_key(p.get("scope"), p.get("language_code")), None)
        return True

    # Telegram's limits: the "What can this bot do?" text and the profile's short one.
    _DESCRIPTION_LIMITS: ClassVar[dict[str, int]] = {
        "description": 512,
        "short_description": 120,
    }

    def _set_description(self, kind: str, p: Params) -> bool:
        text = str(p.get(kind) or "")
        language = _language_code(p.get("language_code"))
        if len(text) > self._DESCRIPTION_LIMITS[kind]:
            raise Errors.bad_request(f"{kind} is too long")
        if text:
            self._descriptions[kind, language] = text
        else:
            self._descriptions.pop((kind, language), None)
        return True

    @api("setMyDescription")
    def _set_my_description(self, p: Params) -> bool:
        return self._set_description("description", p)

    @api("setMyShortDescription")
    def _set_my_short_description(self, p: Params) -> bool:
        return self._set_description("short_description", p)

    @api("getMyDescription")
    def _get_my_description(self, p: Params) -> dict[str, str]:
        key = ("description", _language_code(p.get("language_code")))
        return {"description": self._descriptions.get(key, "")}

    @api("getMyShortDescription")
    def _get_my_short_description(self, p: Params) -> dict[str, str]:
        key = ("short_description", _language_code(p.get("language_code")))
        return {"short_description": self._descriptions.get(key, "")}

    @api("setChatMenuButton")
    def _set_chat_menu_button(self, p: Params) -> bool:
        button = p.get("menu_button") or {"type": "default"}
        if p.get("chat_id") is None:
            self._default_menu_button = button
        else:
            self._chat_param(p).menu_button = button
        return True

    @api("getChatMenuButton")
    def _get_chat_menu_button(self, p: Params) -> dict[str, Any]:
        if p.get("chat_id") is not None:
            button = self._chat_param(p).menu_button
            if button is not None:
                return button
        return self._default_menu_button or {"type": "default"}


def _language_code(value: Any) -> str:
    """An ISO 639-1 code or empty (everyone else), as Telegram accepts it."""
    code = str(value or "")
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise Errors.bad_request("LANG_CODE_INVALID")
    return code


def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), _language_code(language_code)
