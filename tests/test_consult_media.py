"""End to end: photos, voice notes, … between the person and the clinic; the flood guard
never loses a message for the clinic; staff see times in the clinic's time zone."""

from __future__ import annotations

import pytest

from tests.helpers.consult import settled, submit
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders

KINDS = ["photo", "document", "voice", "video", "sticker", "location"]


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, status="member")
    return user


async def open_request(user, staff_group):
    await submit(user)
    return await staff_group.wait_for("Consultation request #")


def copies(tg, **params):
    return [call for call in tg.calls_to("copyMessage", **params) if call.ok]


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_reaches_the_staff_thread_once(bot, tg, alice, staff_group, kind):
    card = await open_request(alice, staff_group)
    sent = await alice.send_media(kind)
    await alice.wait_for("passed your message")
    await settled(bot, tg)
    [call] = copies(tg, chat_id=staff_group.id)
    assert call.params["from_chat_id"] == alice.id
    assert call.params["message_id"] == sent.message_id
    copy = next(m for m in staff_group.messages if kind in m.data)
    header = copy.text if kind not in {"sticker", "location"} else staff_group.messages[-2].text
    assert header.startswith("📎 #1 Alice:")
    thread = [m for m in staff_group.messages if m is not card]
    assert all(m.get("reply_to_message", {}).get("message_id") == card.message_id for m in thread)


async def test_caption_travels_with_the_photo_and_staff_reply_to_it(
    bot, tg, alice, bob, staff_group
):
    await open_request(alice, staff_group)
    await alice.send_media("photo", caption="My <lab> results")
    copy = await staff_group.wait_for(lambda m: "photo" in m.data)
    assert copy.text == "📎 #1 Alice: photo\nMy <lab> results"
    assert "forward_origin" not in copy.data  # a copy: Alice's account stays private

    # A reply to the copy reaches Alice, even before the worker recorded the copy's id.
    await bob.reply(copy, "Thanks, that looks fine.")
    await alice.wait_for("that looks fine")


@pytest.mark.parametrize("kind", KINDS)
async def test_staff_reply_of_each_kind_reaches_the_person(bot, tg, alice, bob, staff_group, kind):
    card = await open_request(alice, staff_group)
    await settled(bot, tg)
    reply = await bob.send_media(kind, chat=staff_group, reply_to=card)
    await tg.wait_until(lambda: copies(tg, chat_id=alice.id))
    await settled(bot, tg)
    [call] = copies(tg, chat_id=alice.id)
    assert (call.params["from_chat_id"], call.params["message_id"]) == (
        staff_group.id,
        reply.message_id,
    )
    received = next(m for m in alice.messages if kind in m.data)
    header = received.text if kind not in {"sticker", "location"} else alice.messages[-2].text
    assert header.startswith("💬 Message from the clinic:")
    await staff_group.wait_for("Delivered to the person")


async def test_staff_caption_counts_as_text(bot, tg, alice, bob, staff_group):
    card = await open_request(alice, staff_group)
    await bob.send_media("document", caption="Your meal plan", chat=staff_group, reply_to=card)
    await tg.wait_until(lambda: copies(tg, chat_id=alice.id))
    received = await alice.wait_for(lambda m: "document" in m.data)
    assert received.text == "💬 Message from the clinic:\nYour meal plan"


async def test_unsupported_kinds_get_a_clear_answer(bot, tg, alice, bob, staff_group):
    card = await open_request(alice, staff_group)
    await alice.send_media("dice")
    answer = await alice.wait_for("not this kind of message")
    assert "photos" in answer.text
    await bob.send_media("dice", chat=staff_group, reply_to=card)
    await staff_group.wait_for("can't be passed on (#1)")
    await settled(bot, tg)
    assert copies(tg) == []


async def test_without_an_open_request_media_gets_the_usual_answers(bot, tg, alice):
    await alice.send("/start")
    await alice.wait_for()
    await alice.send_media("photo")
    assert "/help" in (await alice.wait_for()).text
    await alice.share_location(48.8566, 2.3522)  # still sets the time zone
    assert "Europe/Paris" in (await alice.wait_for("Europe/Paris")).text


async def test_flood_guard_never_drops_messages_for_the_clinic(
    make_settings, bot_factory, tg, clock, alice, staff_group
):
    bot = await bot_factory(make_settings(user_rate_per_minute=12))
    await open_request(alice, staff_group)  # the form takes 9 messages and presses
    await settled(bot, tg)
    for number in range(10):
        await alice.send(f"message {number}")
    await alice.send_media("voice")
    await alice.wait_for("still reaches the clinic")
    await alice.send("/tip")  # commands are still dropped over the limit (the clock stands)
    await tg.wait_until(lambda: copies(tg, chat_id=staff_group.id), timeout=20)
    await settled(bot, tg)
    relayed = [m.text for m in staff_group.messages if m.text.startswith("💬 #1")]
    assert [text.splitlines()[1] for text in relayed] == [f"message {n}" for n in range(10)]
    assert len(copies(tg, chat_id=staff_group.id)) == 1
    assert "still reaches the clinic" in alice.last.text  # one notice, and no tip
    assert sum("still reaches the clinic" in m.text for m in alice.messages) == 1


async def test_staff_see_the_clinics_time_zone(
    make_settings, bot_factory, tg, clock, alice, bob, staff_group
):
    bot = await bot_factory(make_settings(clinic_timezone="Europe/Berlin", consult_reminder="30m"))
    card = await open_request(alice, staff_group)
    assert "Received: 2026-06-01 08:0" in card.text and "Europe/Berlin" in card.text
    assert "Reply to this card" in card.text
    await bob.send("/requests", chat=staff_group)
    listing = await staff_group.wait_for("Open consultation requests")
    assert "(since 08:0" in listing.text and "Europe/Berlin" in listing.text
    clock.advance(minutes=30)
    assert await send_reminders(bot.deps) == 1
    await run_outbox(bot.deps, bot.application.bot)
    reminder = await staff_group.wait_for("⏰ Request #1")
    assert "since 08:0" in reminder.text and "Europe/Berlin" in reminder.text

    await bob.press(card, "Close")
    await tg.wait_until(lambda: "closed by Bob" in card.text)
    assert "Reply to this card" not in card.text


def test_clinic_time_zone_defaults_to_the_default_time_zone(make_settings):
    assert make_settings(default_timezone="Asia/Tokyo").clinic_zone == "Asia/Tokyo"
    assert make_settings(clinic_timezone="Europe/Berlin").clinic_zone == "Europe/Berlin"


def test_a_long_caption_is_shortened_to_telegrams_limit():
    from tipbot.consult.media import CAPTION_LIMIT, header_caption

    caption = header_caption("📎 <b>#1 Alice:</b> photo", "x" * 2000)
    assert len(caption) <= CAPTION_LIMIT and caption.endswith("x…")
    assert header_caption("header", None) == "header"
    assert header_caption("header", "a < b") == "header\na &lt; b"
