"""Chats and members: getChat, getChatMember, administrators, member count, leaveChat.

A mixin of :class:`~fakegram.server.FakeTelegram`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .actors import FakeChat, FakeGroup, FakeUser
from .errors import Errors
from .signatures import Params, api

_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": True,
        "can_edit_stories": True,
        "can_delete_stories": True,
        "can_pin_messages": True,
    },
    "member": {},
    "restricted": {
        "is_member": True,
        "can_send_messages": False,
        "can_send_audios": False,
        "can_send_documents": False,
        "can_send_photos": False,
        "can_send_videos": False,
        "can_send_video_notes": False,
        "can_send_voice_notes": False,
        "can_send_polls": False,
        "can_send_other_messages": False,
        "can_add_web_page_previews": False,
        "can_change_info": False,
        "can_invite_users": False,
        "can_pin_messages": False,
        "can_manage_topics": False,
        "can_edit_tag": False,
        "can_react_to_messages": False,
        "until_date": 0,
    },
    "left": {},
    "kicked": {"until_date": 0},
}


class Chats:
    """Chat and membership methods (mixed into ``FakeTelegram``)."""

    bot_id: int
    _bot_from: dict[str, Any]
    _users: dict[int, FakeUser]

    if TYPE_CHECKING:

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

        def _require(self, p: Params, *keys: str) -> None: ...

    @api("getChat")
    def _get_chat(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        info: dict[str, Any] = {
            **chat.chat_dict,
            **({"permissions": dict(chat.permissions)} if isinstance(chat, FakeGroup) else {}),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        return info

    @api("getChatMember")
    def _get_chat_member(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        self._require(p, "user_id")
        user_id = p["user_id"]
        if not isinstance(user_id, int):
            raise Errors.bad_request("invalid user_id specified")
        return self._member(chat, user_id)

    def _member(self, chat: FakeChat, user_id: int) -> dict[str, Any]:
        """A ChatMember dict; users without a configured membership have status "left"."""
        if user_id == self.bot_id:
            user = self._bot_from
            status, extra = (chat.bot_status if isinstance(chat, FakeGroup) else "member"), {}
            if isinstance(chat, FakeGroup) and status == "administrator":
                extra = dict(chat.bot_rights)
                if chat.type != "supergroup":  # a supergroup-only right
                    extra.pop("can_manage_topics", None)
        else:
            known = self._users.get(user_id)
            if known is not None:
                user = known.user_dict
            else:
                user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
            if isinstance(chat, FakeGroup):
                status, extra = chat.members.get(user_id, ("left", {}))
            else:
                status, extra = ("member" if user_id == chat.id else "left"), {}
        return member_dict(user, status, extra)

    @api("getChatAdministrators")
    def _get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        chat = self._chat_param(p)
        if not isinstance(chat, FakeGroup):
            raise Errors.bad_request("there are no administrators in the private chat")
        admins = ("creator", "administrator")
        ids = [uid for uid, (status, _) in chat.members.items() if status in admins]
        if chat.bot_status == "administrator":
            ids.append(self.bot_id)
        return [self._member(chat, user_id) for user_id in ids]

    @api("getChatMemberCount")
    def _get_chat_member_count(self, p: Params) -> int:
        chat = self._chat_param(p)
        if not isinstance(chat, FakeGroup):
            return 2
        present = ("creator", "administrator", "member", "restricted")
        members = sum(1 for status, _ in chat.members.values() if status in present)
        return members + (chat.bot_status in present)

    @api("leaveChat")
    def _leave_chat(self, p: Params) -> bool:
        chat = self._chat_param(p)
        if isinstance(chat, FakeGroup):
            chat.bot_status = "left"
        return True


def member_dict(
    user: dict[str, Any], status: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ChatMember object with every field PTB requires for ``status``."""
    return {"user": user, "status": status, **_MEMBER_FIELDS[status], **(extra or {})}
