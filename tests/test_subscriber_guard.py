"""End to end: group chats, free text, flood control and errors that reach the person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tipbot.core.db import Database
from tipbot.core.db.models import Subscriber
from tipbot.subscriber.floodguard import COOL_DOWN


async def _count_subscribers(bot) -> int:
    async with bot.deps.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Subscriber))


async def test_group_chat_gets_a_private_chat_link_and_is_never_subscribed(bot, tg, alice):
    group = tg.group("Running club", bot_status="member")
    for command in (
        "/start",
        "/settings",
        "/omega3",
        "/tip",
        "/time 7:30",
        "/start@tipbot_test_bot",
    ):
        await alice.send(command, chat=group)
        reply = await group.wait_for()
        assert "private chat" in reply.text, command
        link = next(e["url"] for e in reply.entities if e["type"] == "text_link")
        assert link == "https://t.me/tipbot_test_bot?start=group"
    assert await _count_subscribers(bot) == 0
    assert alice.messages == []


async def test_group_chatter_is_ignored(bot, tg, alice):
    group = tg.group("Running club", bot_status="administrator")  # sees every message
    await alice.send("hello everyone", chat=group)
    await alice.send("/frobnicate", chat=group)
    await tg.wait_idle()
    assert group.messages == []


async def test_staff_group_never_gets_subscriber_texts(bot, tg, alice, staff_group):
    staff_group.add_member(alice)
    for command in ("/start", "/settings", "/omega3", "/help", "chat among staff"):
        await alice.send(command, chat=staff_group)
    await tg.wait_idle()
    assert staff_group.messages == []
    assert await _count_subscribers(bot) == 0


async def test_deep_link_from_a_group_subscribes_in_private(bot, alice):
    await alice.send("/start group")
    await alice.wait_for("Welcome")
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).source == "group"


async def test_free_text_in_private_points_to_help(bot, alice):
    await alice.send("what should I eat?")
    reply = await alice.wait_for()
    assert "/help" in reply.text and "eat" not in reply.text


async def test_flood_control_warns_once_and_drops_the_excess(
    bot_factory, make_settings, tg, clock, alice
):
    await bot_factory(make_settings(user_rate_per_minute=5))
    bob = tg.user("Bob")
    for _ in range(5):
        await alice.send("/help")
    await alice.wait_for(count=5)
    for _ in range(5):
        await alice.send("/help")
    await alice.wait_for("slow down")  # the sixth; wait_idle alone may return before it
    await tg.wait_idle()
    slow_downs = [m for m in alice.messages if "slow down" in m.text]
    assert len(slow_downs) == 1
    assert len(alice.messages) == 6  # five answers, one warning, the rest ignored
    await bob.send("/help")
    assert "What I do" in (await bob.wait_for()).text  # others are not affected
    tip = alice.messages[0]
    await alice.send("/omega3")  # still muted: a dropped press is answered, not hung
    await tg.wait_idle()
    query = await alice.press_data(tip, "settings:time")
    assert "slow down" in (await tg.wait_for_answer(query)).text

    clock.advance(COOL_DOWN + timedelta(seconds=1))
    await alice.send("/help")
    assert "What I do" in (await alice.wait_for()).text


async def test_an_error_in_a_handler_becomes_an_apology(bot, tg, alice, tmp_path):
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/missing-dir/none.db")
    working, bot.deps.db = bot.deps.db, broken
    try:
        await alice.send("/settings")
        assert "Sorry, something went wrong" in (await alice.wait_for()).text
        await alice.send("/omega3")
        await alice.wait_for("Sorry")
    finally:
        bot.deps.db = working
        await broken.dispose()
    await alice.send("/start")
    await alice.wait_for("Welcome")  # and the bot carries on
