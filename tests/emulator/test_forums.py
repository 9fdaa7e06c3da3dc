"""The fake Bot API's forums, reactions, albums, copies and edits, driven over HTTP by PTB's Bot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    Update,
)
from telegram.error import BadRequest, RetryAfter

from fakegram import Errors, FakeTelegram
from fakegram.server import _api_table
from fakegram.signatures import PARAMETERS
from tests.emulator.conftest import TOKEN
from tests.helpers.png import tiny_png

PHOTO_URL = "https://example.org/photo.jpg"


def refused(description: str) -> Any:
    """pytest.raises for a 400 whose description contains ``description`` (PTB capitalizes
    the description, hence case-insensitive)."""
    return pytest.raises(BadRequest, match=re.compile(re.escape(description), re.IGNORECASE))


async def updates(bot: Bot) -> list[Update]:
    """Fetch and confirm what is queued (PTB parses every update, so shapes are checked)."""
    got = await bot.get_updates(timeout=0)
    if got:
        await bot.get_updates(offset=got[-1].update_id + 1, timeout=0)
    return list(got)


# --------------------------------------------------------------------------- strict parameters


async def test_a_parameter_the_method_does_not_define_is_refused(
    tg: FakeTelegram, bot: Bot
) -> None:
    alice = tg.user("Alice")
    sent = await bot.send_message(alice.id, "hi")
    with refused("unknown parameter(s) of editMessageReplyMarkup: parse_mode"):
        await bot.edit_message_reply_markup(
            alice.id, sent.message_id, api_kwargs={"parse_mode": "HTML"}
        )
    with refused("sendMessage: colour"):
        await bot.send_message(alice.id, "hi", api_kwargs={"colour": "red"})
    assert len(alice.messages) == 1  # refused calls have no effect


async def test_every_implemented_method_has_its_documented_parameters() -> None:
    implemented = {name for name, _ in _api_table(FakeTelegram).values()}
    assert implemented - PARAMETERS.keys() == set()


async def test_uploads_named_by_attach_are_known_parameters(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    media = [InputMediaPhoto(tiny_png(shade=1)), InputMediaPhoto(tiny_png(shade=2))]
    sent = await bot.send_media_group(alice.id, media)
    assert len(sent) == 2
    assert sent[0].media_group_id == sent[1].media_group_id is not None


# --------------------------------------------------------------------------- forums


async def test_forum_group_shows_is_forum_and_topics_switch_on_and_off(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    plain = tg.group("Plain")
    assert (await bot.get_chat(forum.id)).is_forum is True
    assert not (await bot.get_chat(plain.id)).is_forum
    plain.set_forum(True)
    assert (await bot.get_chat(plain.id)).is_forum is True
    plain.set_forum(False)
    assert not (await bot.get_chat(plain.id)).is_forum
    with pytest.raises(ValueError, match="basic group"):
        tg.group("Basic", supergroup=False).set_forum(True)


async def test_create_topic_returns_it_and_the_bot_gets_the_service_message(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "#12 · Ana M. · Stress", icon_color=0xFFD67E)
    assert isinstance(topic, ForumTopic)
    assert (topic.name, topic.icon_color) == ("#12 · Ana M. · Stress", 0xFFD67E)
    assert forum.topic(topic.message_thread_id).name == topic.name
    [update] = await updates(bot)
    service = update.message
    assert service.forum_topic_created.name == topic.name
    assert service.message_id == service.message_thread_id == topic.message_thread_id
    assert service.is_topic_message is True
    assert service.from_user.id == tg.bot_id


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": ""}, "TOPIC_TITLE_EMPTY"),
        ({"name": "x" * 129}, "TOPIC_TITLE_TOO_LONG"),
        ({"name": "ok", "icon_color": 0x123456}, "TOPIC_ICON_COLOR_INVALID"),
        ({"name": "ok", "icon_custom_emoji_id": "42"}, "DOCUMENT_INVALID"),
    ],
)
async def test_create_topic_validates_name_and_icon(
    tg: FakeTelegram, bot: Bot, kwargs: dict[str, Any], error: str
) -> None:
    forum = tg.group("Staff", forum=True)
    with refused(error):
        await bot.create_forum_topic(forum.id, **kwargs)
    assert forum.topics == {}


async def test_topic_icons_come_from_get_forum_topic_icon_stickers(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    stickers = await bot.get_forum_topic_icon_stickers()
    assert stickers and all(s.custom_emoji_id for s in stickers)
    topic = await bot.create_forum_topic(
        forum.id, "Open", icon_custom_emoji_id=stickers[0].custom_emoji_id
    )
    assert topic.icon_custom_emoji_id == stickers[0].custom_emoji_id
    assert topic.icon_color == 0x6FB9F0  # the default colour


async def test_topics_need_a_forum_and_the_right_to_manage_them(tg: FakeTelegram, bot: Bot) -> None:
    with refused("the chat is not a forum"):
        await bot.create_forum_topic(tg.group("Plain").id, "x")
    forum = tg.group("Staff", forum=True).promote_bot(can_manage_topics=False)
    with refused("not enough rights to create a topic"):
        await bot.create_forum_topic(forum.id, "x")
    me = await bot.get_chat_member(forum.id, tg.bot_id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics is False
    forum.promote_bot(can_manage_topics=True)
    assert (await bot.get_chat_member(forum.id, tg.bot_id)).can_manage_topics is True
    await bot.create_forum_topic(forum.id, "x")
    forum.demote_bot()
    with refused("not enough rights to create a topic"):
        await bot.create_forum_topic(forum.id, "y")


async def test_the_bot_may_edit_its_own_topic_without_the_right_but_no_other(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    own = await bot.create_forum_topic(forum.id, "mine")
    theirs = await staff.create_topic(forum, "theirs")
    forum.promote_bot(can_manage_topics=False)
    await bot.edit_forum_topic(forum.id, own.message_thread_id, name="still mine")
    await bot.close_forum_topic(forum.id, own.message_thread_id)
    with refused("not enough rights"):
        await bot.edit_forum_topic(forum.id, theirs.message_thread_id, name="taken")


async def test_messages_in_a_topic_and_in_general(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    thread = topic.message_thread_id
    inside = await bot.send_message(forum.id, "card", message_thread_id=thread)
    assert (inside.message_thread_id, inside.is_topic_message) == (thread, True)
    # Telegram: a message in a topic that replies to nothing replies to the topic's creation
    assert inside.reply_to_message.forum_topic_created is not None
    general = await bot.send_message(forum.id, "one line per request")
    assert general.message_thread_id is None and not general.is_topic_message
    with refused("message thread not found"):
        await bot.send_message(forum.id, "into General by id", message_thread_id=1)
    with refused("message thread not found"):
        await bot.send_message(forum.id, "nowhere", message_thread_id=9999)
    assert [m.text for m in forum.thread(forum.topic(thread))][1:] == ["card"]
    assert [m.text for m in forum.thread(None)] == ["one line per request"]


async def test_replies_land_in_the_topic_of_the_replied_message(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    card = await bot.send_message(forum.id, "card", message_thread_id=topic.message_thread_id)
    await updates(bot)
    answer = await staff.reply(forum.get(card.message_id), "I'll take it")
    assert answer["message_thread_id"] == topic.message_thread_id
    [update] = await updates(bot)
    assert update.message.is_topic_message is True
    assert update.message.reply_to_message.message_id == card.message_id
    again = await bot.send_message(
        forum.id, "noted", reply_parameters={"message_id": answer.message_id}
    )
    assert again.message_thread_id == topic.message_thread_id


async def test_staff_post_in_a_topic_reaches_the_bot_with_thread_fields(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    await updates(bot)
    await staff.send("Hello Ana", chat=forum, topic=forum.topic(topic.message_thread_id))
    await staff.send("in General", chat=forum)
    posted, general = (u.message for u in await updates(bot))
    assert (posted.message_thread_id, posted.is_topic_message) == (topic.message_thread_id, True)
    assert posted.chat.is_forum is True
    assert general.message_thread_id is None


async def test_close_reopen_and_not_modified(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    thread = topic.message_thread_id
    await bot.close_forum_topic(forum.id, thread)
    with refused("TOPIC_CLOSED"):
        await bot.send_message(forum.id, "late", message_thread_id=thread)
    with refused("TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(forum.id, thread)
    await bot.reopen_forum_topic(forum.id, thread)
    await bot.send_message(forum.id, "back", message_thread_id=thread)
    with refused("TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(forum.id, thread, name="Request 1")
    await bot.edit_forum_topic(forum.id, thread, name="Request 1 · claimed")
    kinds = [_service_kind(u.message) for u in await updates(bot)]
    assert kinds == [
        "forum_topic_created",
        "forum_topic_closed",
        "forum_topic_reopened",
        "forum_topic_edited",
    ]
    assert forum.topic(thread).name == "Request 1 · claimed"


async def test_delete_topic_removes_its_messages_and_then_thread_not_found(
    tg: FakeTelegram, bot: Bot
) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    thread = topic.message_thread_id
    await bot.send_message(forum.id, "card", message_thread_id=thread)
    await staff.send("answer", chat=forum, topic=thread)
    general = await bot.send_message(forum.id, "stays")
    with refused("message can't be deleted"):  # the topic's creation message
        await bot.delete_message(forum.id, thread)
    forum.promote_bot(can_manage_topics=True, can_delete_messages=False)
    with refused("not enough rights to delete the topic"):
        await bot.delete_forum_topic(forum.id, thread)
    forum.promote_bot(can_manage_topics=True)
    await bot.delete_forum_topic(forum.id, thread)
    assert forum.thread(thread) == []
    assert [m.message_id for m in forum.messages] == [general.message_id]
    for call in (
        bot.send_message(forum.id, "x", message_thread_id=thread),
        bot.edit_forum_topic(forum.id, thread, name="y"),
    ):
        with refused("message thread not found"):
            await call


async def test_topics_changed_by_hand_send_service_messages(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    forum.add_member(staff, "administrator")
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    record = forum.topic(topic.message_thread_id)
    await staff.rename_topic(record, "Renamed by hand")
    await staff.close_topic(record)
    await staff.reopen_topic(record)
    got = await updates(bot)
    assert [_service_kind(u.message) for u in got] == [
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
    ]
    assert got[1].message.forum_topic_edited.name == "Renamed by hand"
    assert got[1].message.from_user.id == staff.id
    with pytest.raises(ValueError, match="TOPIC_NOT_MODIFIED"):
        await staff.reopen_topic(record)
    await staff.delete_topic(record)
    assert await updates(bot) == []  # Telegram says nothing about a deleted topic
    with pytest.raises(LookupError):
        await staff.send("hello?", chat=forum, topic=record)


async def test_members_cannot_post_in_a_closed_topic_admins_can(tg: FakeTelegram) -> None:
    forum = tg.group("Staff", forum=True)
    admin, member = tg.user("Admin"), tg.user("Member")
    forum.add_member(admin, "administrator").add_member(member, "member")
    topic = await admin.create_topic(forum, "Closed soon")
    await admin.close_topic(topic)
    with pytest.raises(RuntimeError, match="closed"):
        await member.send("me too", chat=forum, topic=topic)
    assert (await admin.send("admins may", chat=forum, topic=topic))["is_topic_message"]


async def test_pins_and_unpin_all_in_a_topic(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    card = await bot.send_message(forum.id, "card", message_thread_id=topic.message_thread_id)
    note = await bot.send_message(forum.id, "general note")
    await bot.pin_chat_message(forum.id, card.message_id)
    await bot.pin_chat_message(forum.id, note.message_id)
    assert forum.pinned == [card.message_id, note.message_id]
    await bot.unpin_all_forum_topic_messages(forum.id, topic.message_thread_id)
    assert forum.pinned == [note.message_id]
    await bot.unpin_chat_message(forum.id)
    assert forum.pinned == []
    forum.promote_bot(can_pin_messages=False)
    with refused("not enough rights"):
        await bot.pin_chat_message(forum.id, card.message_id)


async def test_all_topics_of_a_forum_share_the_group_flood_limit() -> None:
    now = [1_700_000_000.0]
    async with (
        FakeTelegram(token=TOKEN, clock=lambda: now[0]) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        tg.limit_group_sends(20)
        forum = tg.group("Staff", forum=True)
        first = await bot.create_forum_topic(forum.id, "Request 1")
        second = await bot.create_forum_topic(forum.id, "Request 2")
        for index in range(20):
            topic = first if index % 2 else second
            await bot.send_message(forum.id, f"#{index}", message_thread_id=topic.message_thread_id)
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(forum.id, "one too many")
        assert raised.value.retry_after.total_seconds() == 60
        other = tg.group("Other")
        await bot.send_message(other.id, "another group has its own budget")
        now[0] += 60
        await bot.send_message(
            forum.id, "a minute later", message_thread_id=first.message_thread_id
        )
        tg.fail("sendMessage", error=Errors.too_many_requests(3), chat_id=forum)
        with pytest.raises(RetryAfter):
            await bot.send_message(forum.id, "scripted")


# --------------------------------------------------------------------------- reactions


async def test_set_message_reaction_validates_and_records(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    staff = tg.user("Dr Lee")
    answer = await staff.send("Take 2 a day", chat=forum)
    await bot.set_message_reaction(forum.id, answer.message_id, "👍")
    assert tg.reactions_on(answer) == ["👍"]
    with refused("REACTION_INVALID"):
        await bot.set_message_reaction(forum.id, answer.message_id, "🦖")
    with refused("REACTIONS_TOO_MANY"):
        await bot.set_message_reaction(forum.id, answer.message_id, ["👍", "🔥"])
    assert tg.reactions_on(answer) == ["👍"]
    await bot.set_message_reaction(forum.id, answer.message_id, [])
    assert tg.reactions_on(answer) == []
    assert [r.emoji for r in tg.reaction_log] == [("👍",), ()]


async def test_a_reaction_on_an_album_goes_to_its_first_message(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    first, second = await alice.send_album(["photo", "photo"])
    await bot.set_message_reaction(alice.id, second.message_id, "❤")
    assert tg.reactions_on(first) == ["❤"]
    assert tg.reactions_on(second) == []


# --------------------------------------------------------------------------- albums & copies


async def test_a_user_album_arrives_as_one_update_per_item(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    sent = await alice.send_album(["photo", "video", "photo"], caption="my rash")
    got = [u.message for u in await updates(bot)]
    assert len(got) == 3
    assert len({m.media_group_id for m in got}) == 1 and got[0].media_group_id
    assert got[0].caption == "my rash" and got[1].caption is None
    assert [m.message_id for m in got] == [m.message_id for m in sent]
    assert got[1].video is not None


async def test_copy_messages_keeps_albums_and_lands_in_a_topic(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    text = await alice.send("here are the photos")
    album = await alice.send_album(["photo", "photo"], caption="day 1")
    ids = [text.message_id, *(m.message_id for m in album), 999]  # 999: skipped
    copies = await bot.copy_messages(
        forum.id, alice.id, ids, message_thread_id=topic.message_thread_id
    )
    assert len(copies) == 3
    copied = [forum.get(c.message_id) for c in copies]
    assert all(m["message_thread_id"] == topic.message_thread_id for m in copied)
    assert copied[0].text == "here are the photos"
    groups = {m.get("media_group_id") for m in copied[1:]}
    assert len(groups) == 1 and None not in groups
    assert groups != {album[0]["media_group_id"]}  # the copies form an album of their own
    assert copied[1]["caption"] == "day 1"
    without = await bot.copy_messages(
        forum.id, alice.id, [album[0].message_id], remove_caption=True
    )
    assert "caption" not in forum.get(without[0].message_id)


@pytest.mark.parametrize(
    ("ids", "error"),
    [([], "1-100"), (list(range(1, 102)), "1-100"), ([3, 2], "strictly increasing")],
)
async def test_copy_messages_validates_ids(
    tg: FakeTelegram, bot: Bot, ids: list[int], error: str
) -> None:
    alice = tg.user("Alice")
    for _ in range(3):
        await alice.send("x")
    with refused(error):
        await bot.copy_messages(alice.id, alice.id, ids)


async def test_copy_and_forward_into_a_topic(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    photo = await alice.send_media("photo", caption="before")
    copy = await bot.copy_message(
        forum.id, alice.id, photo.message_id, message_thread_id=topic.message_thread_id
    )
    assert forum.get(copy.message_id)["message_thread_id"] == topic.message_thread_id
    forwarded = await bot.forward_message(
        forum.id, alice.id, photo.message_id, message_thread_id=topic.message_thread_id
    )
    assert forwarded.message_thread_id == topic.message_thread_id
    assert forwarded.forward_origin is not None


async def test_send_media_group_in_a_topic_and_its_limits(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    sent = await bot.send_media_group(
        forum.id,
        [
            InputMediaPhoto(PHOTO_URL, caption="<b>two</b>", parse_mode="HTML"),
            InputMediaVideo(PHOTO_URL),
        ],
        message_thread_id=topic.message_thread_id,
    )
    assert [m.message_thread_id for m in sent] == [topic.message_thread_id] * 2
    assert sent[0].caption == "two" and sent[0].caption_entities  # parse_mode applied
    assert sent[1].video is not None
    with refused("wrong number"):
        await bot.send_media_group(forum.id, [InputMediaPhoto(PHOTO_URL)])


# --------------------------------------------------------------------------- edits


async def test_a_user_edit_reaches_the_bot_as_edited_message(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    sent = await alice.send("I feel bad")
    photo = await alice.send_media("photo", caption="old")
    await updates(bot)
    await alice.edit(sent, "I feel better")
    await alice.edit(photo, caption="new")
    text, caption = (u.edited_message for u in await updates(bot))
    assert (text.message_id, text.text, text.edit_date is not None) == (
        sent.message_id,
        "I feel better",
        True,
    )
    assert caption.caption == "new"
    assert sent.text == "I feel better" and sent.edited
    with pytest.raises(ValueError, match="own messages"):
        await tg.user("Bob").edit(sent, "hijack")


async def test_bot_edits_in_a_topic_keep_the_topic(tg: FakeTelegram, bot: Bot) -> None:
    forum = tg.group("Staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "Request 1")
    thread = topic.message_thread_id
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Claim", callback_data="claim")]])
    card = await bot.send_message(forum.id, "card", message_thread_id=thread)
    edited = await bot.edit_message_text("card · claimed", forum.id, card.message_id)
    assert (edited.message_thread_id, edited.text) == (thread, "card · claimed")
    photo = await bot.send_photo(forum.id, PHOTO_URL, caption="scan", message_thread_id=thread)
    edited = await bot.edit_message_caption(
        forum.id,
        photo.message_id,
        caption="<i>scan</i> (seen)",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert (edited.caption, edited.message_thread_id) == ("scan (seen)", thread)
    assert edited.reply_markup == keyboard
    with refused("there is no caption in the message to edit"):
        await bot.edit_message_caption(forum.id, card.message_id, caption="x")


def _service_kind(message: Any) -> str:
    return next(
        kind
        for kind in (
            "forum_topic_created",
            "forum_topic_edited",
            "forum_topic_closed",
            "forum_topic_reopened",
        )
        if getattr(message, kind) is not None
    )
