"""Bot API errors with the exact codes and descriptions real Telegram answers with.

Bots branch on these strings (PTB maps the HTTP status to an exception class and keeps the
description as its message), so the emulator must reproduce them verbatim.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``.

    Raised inside method implementations and used as the ``error=`` of scripted failures.
    The same instance may be answered many times (``times=None`` rules), so it holds no state.
    """

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error (same status as ``code``)."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.description!r})"


class Errors:
    """Factory of the errors real Telegram produces, for ``FakeTelegram.fail(error=...)``."""

    @staticmethod
    def bad_request(detail: str) -> ApiError:
        """400 ``Bad Request: <detail>``."""
        return ApiError(400, f"Bad Request: {detail}")

    @staticmethod
    def unknown_parameters(method: str, names: list[str]) -> ApiError:
        """The fake's own refusal (real Telegram often ignores them): see ``signatures``."""
        listed = ", ".join(names)
        return Errors.bad_request(f"unknown parameter(s) of {method}: {listed}")

    @staticmethod
    def chat_not_found() -> ApiError:
        return Errors.bad_request("chat not found")

    @staticmethod
    def thread_not_found() -> ApiError:
        """A deleted topic, an unknown one, or ``message_thread_id=1`` (the General topic)."""
        return Errors.bad_request("message thread not found")

    @staticmethod
    def message_not_modified() -> ApiError:
        return Errors.bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    @staticmethod
    def message_to_edit_not_found() -> ApiError:
        return Errors.bad_request("message to edit not found")

    @staticmethod
    def message_to_delete_not_found() -> ApiError:
        return Errors.bad_request("message to delete not found")

    @staticmethod
    def message_cant_be_deleted() -> ApiError:
        return Errors.bad_request("message can't be deleted")

    @staticmethod
    def query_too_old() -> ApiError:
        return Errors.bad_request(
            "query is too old and response timeout expired or query ID is invalid"
        )

    @staticmethod
    def migrated(migrate_to_chat_id: int) -> ApiError:
        """400 with ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``)."""
        return ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=migrate_to_chat_id,
        )

    @staticmethod
    def unauthorized() -> ApiError:
        return ApiError(401, "Unauthorized")

    @staticmethod
    def forbidden(detail: str) -> ApiError:
        """403 ``Forbidden: <detail>``."""
        return ApiError(403, f"Forbidden: {detail}")

    @staticmethod
    def blocked() -> ApiError:
        return Errors.forbidden("bot was blocked by the user")

    @staticmethod
    def deactivated() -> ApiError:
        return Errors.forbidden("user is deactivated")

    @staticmethod
    def cant_initiate() -> ApiError:
        return Errors.forbidden("bot can't initiate conversation with a user")

    @staticmethod
    def kicked(chat_type: str = "supergroup") -> ApiError:
        return Errors.forbidden(f"bot was kicked from the {chat_type} chat")

    @staticmethod
    def not_a_member(chat_type: str = "supergroup") -> ApiError:
        return Errors.forbidden(f"bot is not a member of the {chat_type} chat")

    @staticmethod
    def not_enough_rights() -> ApiError:
        return Errors.bad_request("not enough rights to send text messages to the chat")

    @staticmethod
    def not_found() -> ApiError:
        return ApiError(404, "Not Found")

    @staticmethod
    def conflict_webhook() -> ApiError:
        return ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )

    @staticmethod
    def conflict_polling() -> ApiError:
        return ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )

    @staticmethod
    def too_many_requests(retry_after: int = 1) -> ApiError:
        """429 with ``parameters.retry_after`` (PTB raises ``RetryAfter``)."""
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    @staticmethod
    def server_error() -> ApiError:
        return ApiError(500, "Internal Server Error")

    @staticmethod
    def bad_gateway() -> ApiError:
        return ApiError(502, "Bad Gateway")
