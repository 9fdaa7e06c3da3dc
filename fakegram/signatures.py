"""Which Bot API methods exist and which parameters each one takes.

The sets are the parameters of each method as the Bot API documentation lists them
(https://core.telegram.org/bots/api; Bot API 9.x, the version python-telegram-bot 22.8 speaks).
Real Telegram ignores many unknown parameters silently; the fake refuses them
(``400 Bad Request: unknown parameter ...``), a project decision, so a parameter the bot sends
by mistake (a misspelling, a default PTB does not apply to that method, a removed field) shows
up in tests instead of doing nothing in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Params = dict[str, Any]


def api(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a method as the implementation of Bot API method ``name`` (canonical spelling)."""

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        func._api_name = name  # type: ignore[attr-defined]
        return func

    return mark


def _p(names: str) -> frozenset[str]:
    return frozenset(names.split())


#: Bot API method -> its documented parameters.
PARAMETERS: dict[str, frozenset[str]] = {
    "getMe": _p(""),
    "logOut": _p(""),
    "close": _p(""),
    "setMyCommands": _p("commands language_code scope"),
    "getMyCommands": _p("language_code scope"),
    "deleteMyCommands": _p("language_code scope"),
    "setMyDescription": _p("description language_code"),
    "setMyShortDescription": _p("language_code short_description"),
    "getMyDescription": _p("language_code"),
    "getMyShortDescription": _p("language_code"),
    "setMyName": _p("language_code name"),
    "setMyDefaultAdministratorRights": _p("for_channels rights"),
    "setChatMenuButton": _p("chat_id menu_button"),
    "getChatMenuButton": _p("chat_id"),
    "getUpdates": _p("allowed_updates limit offset timeout"),
    "setWebhook": _p(
        "allowed_updates certificate drop_pending_updates ip_address max_connections secret_token "
        "url"
    ),
    "deleteWebhook": _p("drop_pending_updates"),
    "getWebhookInfo": _p(""),
    "sendMessage": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification entities link_preview_options message_effect_id message_thread_id "
        "parse_mode protect_content reply_markup reply_parameters suggested_post_parameters text"
    ),
    "sendContact": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification first_name last_name message_effect_id message_thread_id "
        "phone_number protect_content reply_markup reply_parameters suggested_post_parameters "
        "vcard"
    ),
    "sendLocation": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification heading horizontal_accuracy latitude live_period longitude "
        "message_effect_id message_thread_id protect_content proximity_alert_radius reply_markup "
        "reply_parameters suggested_post_parameters"
    ),
    "sendPhoto": _p(
        "allow_paid_broadcast business_connection_id caption caption_entities chat_id "
        "direct_messages_topic_id disable_notification has_spoiler message_effect_id "
        "message_thread_id parse_mode photo protect_content reply_markup reply_parameters "
        "show_caption_above_media suggested_post_parameters"
    ),
    "sendDocument": _p(
        "allow_paid_broadcast business_connection_id caption caption_entities chat_id "
        "direct_messages_topic_id disable_content_type_detection disable_notification document "
        "message_effect_id message_thread_id parse_mode protect_content reply_markup "
        "reply_parameters suggested_post_parameters thumbnail"
    ),
    "sendVideo": _p(
        "allow_paid_broadcast business_connection_id caption caption_entities chat_id cover "
        "direct_messages_topic_id disable_notification duration has_spoiler height "
        "message_effect_id message_thread_id parse_mode protect_content reply_markup "
        "reply_parameters show_caption_above_media start_timestamp suggested_post_parameters "
        "supports_streaming thumbnail video width"
    ),
    "sendAudio": _p(
        "allow_paid_broadcast audio business_connection_id caption caption_entities chat_id "
        "direct_messages_topic_id disable_notification duration message_effect_id "
        "message_thread_id parse_mode performer protect_content reply_markup reply_parameters "
        "suggested_post_parameters thumbnail title"
    ),
    "sendVoice": _p(
        "allow_paid_broadcast business_connection_id caption caption_entities chat_id "
        "direct_messages_topic_id disable_notification duration message_effect_id "
        "message_thread_id parse_mode protect_content reply_markup reply_parameters "
        "suggested_post_parameters voice"
    ),
    "sendAnimation": _p(
        "allow_paid_broadcast animation business_connection_id caption caption_entities chat_id "
        "direct_messages_topic_id disable_notification duration has_spoiler height "
        "message_effect_id message_thread_id parse_mode protect_content reply_markup "
        "reply_parameters show_caption_above_media suggested_post_parameters thumbnail width"
    ),
    "sendSticker": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification emoji message_effect_id message_thread_id protect_content "
        "reply_markup reply_parameters sticker suggested_post_parameters"
    ),
    "sendVideoNote": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification duration length message_effect_id message_thread_id protect_content "
        "reply_markup reply_parameters suggested_post_parameters thumbnail video_note"
    ),
    "sendMediaGroup": _p(
        "allow_paid_broadcast business_connection_id chat_id direct_messages_topic_id "
        "disable_notification media message_effect_id message_thread_id protect_content "
        "reply_parameters"
    ),
    "sendChatAction": _p("action business_connection_id chat_id message_thread_id"),
    "copyMessage": _p(
        "allow_paid_broadcast caption caption_entities chat_id direct_messages_topic_id "
        "disable_notification from_chat_id message_effect_id message_id message_thread_id "
        "parse_mode protect_content reply_markup reply_parameters show_caption_above_media "
        "suggested_post_parameters video_start_timestamp"
    ),
    "copyMessages": _p(
        "chat_id direct_messages_topic_id disable_notification from_chat_id message_ids "
        "message_thread_id protect_content remove_caption"
    ),
    "forwardMessage": _p(
        "chat_id direct_messages_topic_id disable_notification from_chat_id message_effect_id "
        "message_id message_thread_id protect_content suggested_post_parameters "
        "video_start_timestamp"
    ),
    "forwardMessages": _p(
        "chat_id direct_messages_topic_id disable_notification from_chat_id message_ids "
        "message_thread_id protect_content"
    ),
    "editMessageText": _p(
        "business_connection_id chat_id entities inline_message_id link_preview_options "
        "message_id parse_mode reply_markup text"
    ),
    "editMessageCaption": _p(
        "business_connection_id caption caption_entities chat_id inline_message_id message_id "
        "parse_mode reply_markup show_caption_above_media"
    ),
    "editMessageReplyMarkup": _p(
        "business_connection_id chat_id inline_message_id message_id reply_markup"
    ),
    "deleteMessage": _p("chat_id message_id"),
    "deleteMessages": _p("chat_id message_ids"),
    "setMessageReaction": _p("chat_id is_big message_id reaction"),
    "pinChatMessage": _p("business_connection_id chat_id disable_notification message_id"),
    "unpinChatMessage": _p("business_connection_id chat_id message_id"),
    "unpinAllChatMessages": _p("chat_id"),
    "answerCallbackQuery": _p("cache_time callback_query_id show_alert text url"),
    "getChat": _p("chat_id"),
    "getChatMember": _p("chat_id user_id"),
    "getChatAdministrators": _p("chat_id return_bots"),
    "getChatMemberCount": _p("chat_id"),
    "leaveChat": _p("chat_id"),
    "createForumTopic": _p("chat_id icon_color icon_custom_emoji_id name"),
    "editForumTopic": _p("chat_id icon_custom_emoji_id message_thread_id name"),
    "closeForumTopic": _p("chat_id message_thread_id"),
    "reopenForumTopic": _p("chat_id message_thread_id"),
    "deleteForumTopic": _p("chat_id message_thread_id"),
    "unpinAllForumTopicMessages": _p("chat_id message_thread_id"),
    "getForumTopicIconStickers": _p(""),
}


def unknown_parameters(method: str, params: Params) -> list[str]:
    """Parameters of ``params`` that ``method`` does not define, sorted; ``[]`` if all are known.

    A multipart upload's file parts are named by the request itself (``attach://<name>`` in
    another parameter, e.g. in sendMediaGroup's ``media``), so those names count as known.
    """
    allowed = PARAMETERS.get(method)
    if allowed is None:
        return []
    extra = [key for key in params if key not in allowed]
    if not extra:
        return []
    attached = set(_attach_names(params.values()))
    return sorted(key for key in extra if key not in attached)


def _attach_names(values: Iterable[Any]) -> Iterable[str]:
    for value in values:
        if isinstance(value, str) and value.startswith("attach://"):
            yield value.removeprefix("attach://")
        elif isinstance(value, dict):
            yield from _attach_names(value.values())
        elif isinstance(value, list):
            yield from _attach_names(value)
