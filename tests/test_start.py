"""End to end: a person meets the bot for the first time."""

from __future__ import annotations

from sqlalchemy import func, select

from tipbot.core.db.models import Subscriber, SubscriptionStatus


async def test_start_welcomes_and_subscribes(bot, tg, alice):
    await alice.send("/start")
    welcome = await alice.wait_for("Welcome")
    assert "not medical advice" in welcome.text
    assert "09:00" in welcome.text and "UTC" in welcome.text
    assert welcome.buttons == ["⏰ Time", "🌍 Timezone", "📚 Topics", "📅 Days"]
    async with bot.deps.db.session() as session:
        subscriber = await session.get(Subscriber, alice.id)
    assert subscriber.status is SubscriptionStatus.ACTIVE
    assert subscriber.next_send_at is not None


async def test_second_start_does_not_subscribe_twice(bot, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send("/start")
    again = await alice.wait_for()
    assert "already subscribed" in again.text
    async with bot.deps.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Subscriber))
    assert count == 1


async def test_deep_link_payload_is_stored_as_source(bot, alice):
    await alice.send("/start spring_flyer-2026")
    await alice.wait_for("Welcome")
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).source == "spring_flyer-2026"


async def test_invalid_deep_link_payload_is_ignored(bot, alice):
    await alice.send("/start <script>")
    await alice.wait_for("Welcome")
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).source is None


async def test_unknown_command_gets_a_helpful_reply(bot, alice):
    await alice.send("/frobnicate")
    reply = await alice.wait_for()
    assert "/frobnicate" in reply.text and "/help" in reply.text


async def test_free_text_points_to_help(bot, alice):
    await alice.send("hello there")
    reply = await alice.wait_for()
    assert "/help" in reply.text
    assert "hello there" not in reply.text


async def test_help_lists_commands_and_safety_notes(bot, alice):
    await alice.send("/help")
    reply = await alice.wait_for()
    assert "/omega3" in reply.text and "/consult" in reply.text
    assert "not medical advice" in reply.text and "crisis" in reply.text


async def test_command_menu_is_registered_for_private_chats(bot, tg):
    commands = [c["command"] for c in tg.commands("all_private_chats")]
    assert {"tip", "omega3", "prebiotics", "settings", "help"} <= set(commands)
