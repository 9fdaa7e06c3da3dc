"""End to end: a subscriber chooses time, timezone and topics, and reads /settings."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from tipbot.core.db.models import Subscriber


async def _stored(bot, user) -> Subscriber:
    async with bot.deps.db.session() as session:
        return await session.get(Subscriber, user.id)


async def _subscribed(alice) -> None:
    await alice.send("/start")
    await alice.wait_for("Welcome")


async def test_time_is_set_and_next_tip_recomputed(bot, alice):
    await _subscribed(alice)
    await alice.send("/time 7:30 pm")
    reply = await alice.wait_for()
    assert "19:30" in reply.text and "today" in reply.text
    subscriber = await _stored(bot, alice)
    assert subscriber.send_time == time(19, 30)
    assert subscriber.next_send_at == datetime(2026, 6, 1, 19, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["25:00", "7:61", "soon"])
async def test_bad_times_are_explained_and_change_nothing(bot, alice, bad):
    await _subscribed(alice)
    before = await _stored(bot, alice)
    await alice.send(f"/time {bad}")
    reply = await alice.wait_for()
    assert "07:30" in reply.text and "7am" in reply.text  # the accepted forms, with an example
    after = await _stored(bot, alice)
    assert (after.send_time, after.next_send_at) == (before.send_time, before.next_send_at)


async def test_bare_time_offers_buttons_that_work(bot, alice):
    await _subscribed(alice)
    await alice.send("/time")
    prompt = await alice.wait_for("When should")
    assert "07:00" in prompt.buttons and "21:00" in prompt.buttons
    await alice.press(prompt, "07:00")
    await bot.tg.wait_for_call("editMessageText")
    assert "07:00" in prompt.text and prompt.edited
    assert (await _stored(bot, alice)).send_time == time(7, 0)


async def test_welcome_buttons_open_the_prompts(bot, tg, alice):
    await alice.send("/start")
    welcome = await alice.wait_for("Welcome")
    await alice.press(welcome, "⏰ Time")
    assert "07:30" in (await alice.wait_for("When should")).buttons
    await alice.press(welcome, "🌍 Timezone")
    tz_prompt = await alice.wait_for("Which timezone")
    assert tz_prompt.buttons == ["📍 Share my location"]
    await alice.press(welcome, "📚 Topics")
    topics = await alice.wait_for("Your topics")
    assert all(button.startswith("✅") for button in topics.buttons)


async def test_timezone_by_name_any_case(bot, alice):
    await _subscribed(alice)
    await alice.send("/timezone europe/berlin")
    reply = await alice.wait_for()
    assert "Europe/Berlin" in reply.text and "08:00 there now" in reply.text
    subscriber = await _stored(bot, alice)
    assert subscriber.timezone == "Europe/Berlin"
    assert subscriber.next_send_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST


async def test_timezone_by_offset(bot, alice):
    await _subscribed(alice)
    await alice.send("/timezone UTC+2")
    reply = await alice.wait_for()
    assert "UTC+2" in reply.text and "08:00" in reply.text
    assert (await _stored(bot, alice)).timezone == "Etc/GMT-2"
    await alice.send("/timezone +05:30")
    reply = await alice.wait_for()
    assert "11:30 there now" in reply.text


async def test_unknown_timezone_offers_suggestions_that_work(bot, alice):
    await _subscribed(alice)
    await alice.send("/timezone Europe/Berln")
    reply = await alice.wait_for("Did you mean")
    assert "Europe/Berlin" in reply.buttons and len(reply.buttons) <= 3
    assert (await _stored(bot, alice)).timezone == "UTC"
    await alice.press(reply, "Europe/Berlin")
    await bot.tg.wait_for_call("editMessageText")
    assert "Europe/Berlin" in reply.text and "there now" in reply.text
    assert (await _stored(bot, alice)).timezone == "Europe/Berlin"


async def test_unknown_timezone_without_suggestions_explains(bot, alice):
    await _subscribed(alice)
    await alice.send("/timezone <b>qqqqzzzz</b>")
    reply = await alice.wait_for()
    assert "<b>qqqqzzzz</b>" in reply.text  # shown escaped, as typed
    assert "Europe/Berlin" in reply.text
    assert (await _stored(bot, alice)).timezone == "UTC"


async def test_forged_timezone_button_is_refused(bot, tg, alice):
    await _subscribed(alice)
    welcome = alice.last
    answer = await tg.wait_for_answer(await alice.press_data(welcome, "sub:tz:Mars/Olympus"))
    assert answer.text == "This button is no longer valid."
    assert (await _stored(bot, alice)).timezone == "UTC"


async def test_shared_location_sets_the_timezone(bot, alice):
    await _subscribed(alice)
    await alice.send("/timezone")
    await alice.wait_for("Which timezone")
    assert alice.reply_keyboard is not None  # the "share my location" keyboard
    await alice.share_location(latitude=35.68, longitude=139.69)  # Tokyo
    reply = await alice.wait_for("Asia/Tokyo", timeout=30)
    assert "15:00 there now" in reply.text
    assert alice.reply_keyboard is None  # and it is gone again
    assert (await _stored(bot, alice)).timezone == "Asia/Tokyo"


async def test_location_at_sea_gets_the_nautical_zone(bot, alice):
    await _subscribed(alice)
    await alice.share_location(latitude=0.0, longitude=-30.0)  # mid-Atlantic
    reply = await alice.wait_for(timeout=30)
    assert "UTC-2" in reply.text and "04:00 there now" in reply.text
    assert (await _stored(bot, alice)).timezone == "Etc/GMT+2"


async def test_topics_toggle_in_place_and_the_last_one_stays(bot, tg, alice, library):
    await _subscribed(alice)
    await alice.send("/topics")
    keyboard = await alice.wait_for("Your topics")
    titles = [topic.title for topic in library.topics.values()]
    for title in titles[1:]:
        await alice.press(keyboard, title)
        await tg.wait_for_call("editMessageReplyMarkup")
    assert keyboard.buttons == [f"✅ {titles[0]}"] + [f"▫️ {title}" for title in titles[1:]]
    answer = await tg.wait_for_answer(await alice.press(keyboard, titles[0]))
    assert answer.show_alert and "At least one topic" in answer.text
    assert (await _stored(bot, alice)).topics == [next(iter(library.topics))]
    await alice.press(keyboard, titles[2])
    await tg.wait_for_call("editMessageReplyMarkup")
    assert keyboard.buttons[2] == f"✅ {titles[2]}"
    assert len(alice.messages) == 2  # welcome + the one keyboard, edited in place


async def test_settings_show_everything(bot, alice, library):
    await _subscribed(alice)
    await alice.send("/timezone Asia/Tokyo")
    await alice.wait_for()
    await alice.send("/settings")
    reply = await alice.wait_for("Your settings")
    assert "subscribed" in reply.text and "09:00" in reply.text
    assert "Asia/Tokyo (now 15:00)" in reply.text
    assert "09:00 tomorrow" in reply.text
    assert all(topic.title in reply.text for topic in library.topics.values())
    assert reply.buttons == ["⏰ Time", "🌍 Timezone", "📚 Topics", "📅 Days"]


async def test_settings_commands_need_a_subscription(bot, tg, alice):
    for command in ("/time 7:30", "/time", "/timezone berlin", "/topics", "/settings", "/pause"):
        await alice.send(command)
        assert "/start" in (await alice.wait_for()).text, command
    assert await _stored(bot, alice) is None
