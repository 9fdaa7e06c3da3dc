"""End to end: the staff group becomes a supergroup (Telegram's ``ChatMigrated``).

The fake Bot API upgrades a basic group as Telegram does: a new supergroup id, calls naming
the old id answer 400 with ``parameters.migrate_to_chat_id``, and two service messages.
Every card, relay, reminder and staff reply must arrive in the new group exactly once.
"""

from __future__ import annotations

import logging
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.helpers.consult import settled, submit
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders
from tipbot.core.db.models import BotSetting, ConsultRequest, OutboxMessage, OutboxStatus


@pytest.fixture
def old_group(tg):
    return tg.group("Clinic staff", supergroup=False)


@pytest.fixture
def bob(tg, old_group):
    user = tg.user("Bob")
    old_group.add_member(user, status="administrator")
    return user


@pytest.fixture
def settings(make_settings, old_group):
    return make_settings(staff_chat_id=old_group.id)


async def drain(bot, tg, clock) -> None:
    """Run the outbox until nothing is pending (waits for the card move the clock on)."""
    await settled(bot, tg)
    for _ in range(20):
        async with bot.deps.db.session() as session:
            pending = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        if not pending:
            await tg.wait_idle()
            return
        clock.advance(seconds=6)
        await run_outbox(bot.deps, bot.application.bot)
    raise AssertionError("the outbox did not drain")


def texts_in(group) -> Counter[str]:
    return Counter(message.text.splitlines()[0] for message in group.messages)


async def test_sends_that_meet_chat_migrated_follow_the_group(
    bot, tg, clock, alice, bob, old_group, caplog
):
    carol, dan = tg.user("Carol"), tg.user("Dan")
    await submit(alice)
    await submit(carol)
    card = await old_group.wait_for("Consultation request #2")
    await drain(bot, tg, clock)
    first_card = next(m for m in old_group.messages if "request #1" in m.text)
    await bob.press(first_card, "Claim")
    await alice.wait_for("will contact you")
    await drain(bot, tg, clock)

    # The bot misses the service messages: it learns from the first send to the old id.
    new_group = await old_group.migrate(by=bob, service_messages=False)
    await alice.send("Is Tuesday possible?")
    await alice.wait_for("passed your message")
    with caplog.at_level(logging.WARNING, logger="tipbot"):
        await drain(bot, tg, clock)
    migrated = [c for c in tg.calls if c.error and c.error.migrate_to_chat_id == new_group.id]
    assert migrated  # the fake answered ChatMigrated for the old id
    assert bot.deps.staff.chat_id == new_group.id
    assert sum("became supergroup" in r.getMessage() for r in caplog.records) == 1

    await submit(dan)  # a new request goes straight to the new group
    clock.advance(hours=3)
    assert await send_reminders(bot.deps) == 2  # #2 and #3 are unclaimed
    await drain(bot, tg, clock)

    seen = texts_in(new_group)
    for number in (1, 2, 3):
        assert seen[f"🩺 Consultation request #{number}"] == 1
    assert sum("Is Tuesday possible?" in m.text for m in new_group.messages) == 1
    assert sum(m.text.startswith("⏰ Request #2") for m in new_group.messages) == 1
    assert sum(m.text.startswith("⏰ Request #3") for m in new_group.messages) == 1
    assert card.text.startswith("🩺 Consultation request #2")  # the old card stays as it was

    # Staff work in the new group: claim, reply (getChatMember asks the new group).
    new_card = next(m for m in new_group.messages if "request #1" in m.text)
    assert "claimed by Bob" in new_card.text
    await bob.reply(new_card, "Tuesday at 6 pm then.")
    await alice.wait_for("Tuesday at 6 pm")
    await drain(bot, tg, clock)
    assert sum(m.text.startswith("✅ Delivered") for m in new_group.messages) == 1
    assert tg.calls_to("getChatMember", chat_id=new_group.id)
    assert tg.commands({"type": "chat", "chat_id": new_group.id})
    async with bot.deps.db.session() as session:
        stored = await session.get(BotSetting, f"staff_chat:{old_group.id}")
    assert stored.value == str(new_group.id)

    await bob.send("/stats", chat=new_group)
    stats = await new_group.wait_for("Statistics")
    assert str(new_group.id) in stats.text and "TIPBOT_STAFF_CHAT_ID" in stats.text


async def test_service_message_moves_the_staff_group(bot, tg, clock, alice, bob, old_group):
    await submit(alice)
    await old_group.wait_for("Consultation request #1")
    await drain(bot, tg, clock)
    new_group = await old_group.migrate(by=bob)
    await tg.wait_until(lambda: bot.deps.staff.chat_id == new_group.id)
    await drain(bot, tg, clock)
    assert texts_in(new_group)["🩺 Consultation request #1"] == 1
    failed = [c for c in tg.calls if c.error and c.params.get("chat_id") == old_group.id]
    assert failed == []  # nothing was even tried on the old id
    await bob.send("/requests", chat=new_group)
    listing = await new_group.wait_for("Open consultation requests")
    assert "#1" in listing.text


async def test_a_restarted_bot_uses_the_stored_group(
    bot_factory, make_settings, tg, clock, alice, bob, old_group, caplog
):
    first = await bot_factory(make_settings(staff_chat_id=old_group.id))
    await submit(alice)
    await drain(first, tg, clock)
    new_group = await old_group.migrate(by=bob)
    await tg.wait_until(lambda: first.deps.staff.chat_id == new_group.id)
    await drain(first, tg, clock)
    await first.stop()

    with caplog.at_level(logging.WARNING, logger="tipbot"):
        second = await bot_factory(make_settings(staff_chat_id=old_group.id))
    assert second.deps.staff.chat_id == new_group.id
    assert sum("is outdated" in r.getMessage() for r in caplog.records) == 1
    await alice.send("Still there?")
    await alice.wait_for("passed your message")  # relayed: the outbox row is committed
    await drain(second, tg, clock)
    assert sum("Still there?" in m.text for m in new_group.messages) == 1
    assert texts_in(new_group)["🩺 Consultation request #1"] == 1


async def test_fake_answers_like_telegram_after_an_upgrade(tg, old_group):
    new_group = await old_group.migrate()
    async with aiohttp.ClientSession() as session:
        url = f"{tg.base_url}{tg.token}/sendMessage"
        async with session.post(url, json={"chat_id": old_group.id, "text": "hi"}) as answer:
            assert answer.status == 400
            assert await answer.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": new_group.id},
            }
    service = [update["message"] for update in tg.pending_updates]
    assert service[0]["chat"]["id"] == old_group.id
    assert service[0]["migrate_to_chat_id"] == new_group.id
    assert service[1]["chat"] == {"id": new_group.id, "type": "supergroup", "title": "Clinic staff"}
    assert service[1]["migrate_from_chat_id"] == old_group.id


async def test_a_group_that_is_no_longer_the_staff_group_is_not_followed(
    bot, tg, clock, alice, old_group
):
    """A card left in a group the operator has since replaced: its upgrade is not ours."""
    await submit(alice)
    await drain(bot, tg, clock)
    elsewhere = tg.group("Former staff group", supergroup=False)
    async with bot.deps.db.session() as session:
        request = await session.get(ConsultRequest, 1)
        request.staff_chat_id = elsewhere.id
    await elsewhere.migrate(service_messages=False)
    await alice.send("Hello?")
    await alice.wait_for("passed your message")
    await drain(bot, tg, clock)
    assert bot.deps.staff.chat_id == old_group.id
    async with bot.deps.db.session() as session:
        row = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert (row.status, row.last_error) == (OutboxStatus.DEAD, "chat_migrated")
