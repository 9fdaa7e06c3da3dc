"""End to end: pausing, resuming, stopping, and seeing or deleting one's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tipbot.core.db.models import (
    Base,
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    OutboxMessage,
    Subscriber,
    SubscriptionStatus,
)
from tipbot.subscriber.service import resume_if_pause_over


async def _stored(bot, user) -> Subscriber | None:
    async with bot.deps.db.session() as session:
        return await session.get(Subscriber, user.id)


async def _subscribed(alice) -> None:
    await alice.send("/start")
    await alice.wait_for("Welcome")


async def test_pause_for_days_then_automatic_resume(bot, clock, alice):
    await _subscribed(alice)
    await alice.send("/pause 3")
    reply = await alice.wait_for("Paused for 3 days")
    assert "Thu, Jun 4" in reply.text
    subscriber = await _stored(bot, alice)
    assert subscriber.status is SubscriptionStatus.PAUSED
    assert subscriber.paused_until == clock.now() + timedelta(days=3)
    assert subscriber.next_send_at == datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    await alice.send("/settings")
    assert "paused until Jun 4, 2026" in (await alice.wait_for("Your settings")).text

    clock.advance(days=3)
    async with bot.deps.db.session() as session:  # what the daily sweep does
        subscriber = await session.get(Subscriber, alice.id)
        assert resume_if_pause_over(subscriber, clock.now())
    assert (await _stored(bot, alice)).status is SubscriptionStatus.ACTIVE
    await alice.send("/settings")
    assert "✅ subscribed" in (await alice.wait_for("Your settings")).text


async def test_settings_show_a_pause_that_ended_as_resumed(bot, clock, alice):
    await _subscribed(alice)
    await alice.send("/pause 1")
    await alice.wait_for("Paused")
    clock.advance(days=2)
    await alice.send("/settings")
    reply = await alice.wait_for("Your settings")
    assert "✅ subscribed" in reply.text
    assert (await _stored(bot, alice)).status is SubscriptionStatus.ACTIVE


async def test_open_pause_until_resume(bot, alice):
    await _subscribed(alice)
    await alice.send("/pause")
    await alice.wait_for("until you send /resume")
    subscriber = await _stored(bot, alice)
    assert subscriber.status is SubscriptionStatus.PAUSED
    assert (subscriber.paused_until, subscriber.next_send_at) == (None, None)
    await alice.send("/resume")
    assert "09:00" in (await alice.wait_for("Welcome back")).text
    subscriber = await _stored(bot, alice)
    assert subscriber.status is SubscriptionStatus.ACTIVE and subscriber.next_send_at
    await alice.send("/resume")
    assert "not paused" in (await alice.wait_for()).text


@pytest.mark.parametrize("bad", ["0", "366", "-1", "soon", "3 weeks"])
async def test_bad_pause_lengths_are_explained(bot, alice, bad):
    await _subscribed(alice)
    await alice.send(f"/pause {bad}")
    assert "1 to 365" in (await alice.wait_for()).text
    assert (await _stored(bot, alice)).status is SubscriptionStatus.ACTIVE


async def test_stop_needs_confirmation_and_start_resubscribes(bot, tg, alice):
    await _subscribed(alice)
    await alice.send("/stop")
    confirm = await alice.wait_for("unsubscribe")
    await alice.press(confirm, "No, keep it")
    await tg.wait_for_call("editMessageText")
    assert (await _stored(bot, alice)).status is SubscriptionStatus.ACTIVE

    await alice.send("/stop")
    confirm = await alice.wait_for("unsubscribe")
    await alice.press(confirm, "Yes, unsubscribe")
    await tg.wait_for_call("editMessageText")
    assert "/start" in confirm.text  # how to come back
    subscriber = await _stored(bot, alice)
    assert subscriber.status is SubscriptionStatus.STOPPED and subscriber.next_send_at is None

    await alice.send("/stop")
    assert "not subscribed" in (await alice.wait_for()).text
    await alice.send("/start")
    await alice.wait_for("Welcome back")
    subscriber = await _stored(bot, alice)
    assert subscriber.status is SubscriptionStatus.ACTIVE and subscriber.next_send_at


async def test_mydata_shows_everything_stored(bot, tg, alice):
    await alice.send("/start flyer")
    await alice.wait_for("Welcome")
    await alice.send("/omega3")
    tip = await alice.wait_for("Source:")
    await alice.press(tip, "👍")
    await tg.wait_for_call("editMessageReplyMarkup")
    async with bot.deps.db.session() as session:
        session.add(
            ConsultRequest(
                user_id=alice.id,
                name="Alice",
                contact_kind="telegram",
                preferred_time="mornings",
                consent_at=datetime(2026, 5, 30, tzinfo=UTC),
                created_at=datetime(2026, 5, 30, tzinfo=UTC),
            )
        )
    await alice.send("/mydata")
    reply = await alice.wait_for("What I store")
    for expected in (
        str(alice.id),
        "subscribed",
        "Jun 1, 2026",
        "Language: English (your Telegram app said: en)",
        "flyer",
        "09:00",
        "UTC",
        "Omega-3",
        "0 daily, 1 on request",
        "1 👍, 0 👎",
        "(open, May 30, 2026)",
        "/forget",
    ):
        assert expected in reply.text, expected


async def test_mydata_and_forget_with_nothing_stored(bot, alice):
    await alice.send("/mydata")
    assert "nothing" in (await alice.wait_for()).text
    await alice.send("/forget")
    assert "nothing" in (await alice.wait_for()).text


async def test_forget_leaves_no_row_behind(bot, tg, alice):
    bob = tg.user("Bob")
    for person in (alice, bob):
        await person.send("/start")
        await person.wait_for("Welcome")
        await person.send("/stress")
        tip = await person.wait_for("Source:")
        await person.press(tip, "👎")
        await tg.wait_for_call("editMessageReplyMarkup")
    async with bot.deps.db.session() as session:
        session.add(
            Delivery(
                subscriber_id=alice.id,
                local_date=datetime(2026, 5, 31).date(),
                status=DeliveryStatus.SENT,
                due_at=datetime(2026, 5, 31, 9, tzinfo=UTC),
            )
        )
        session.add(
            ConsultRequest(
                user_id=alice.id,
                name="Alice",
                contact_kind="phone",
                contact_value="+1555",
                preferred_time="any",
                consent_at=datetime(2026, 5, 31, tzinfo=UTC),
            )
        )

        session.add(OutboxMessage(kind="relay", chat_id=alice.id, payload={"text": "Hi"}))

    await alice.send("/forget")
    confirm = await alice.wait_for("Delete everything")
    await alice.press(confirm, "No, keep it")
    await tg.wait_for_call("editMessageText")
    assert await _stored(bot, alice) is not None

    await alice.send("/forget")
    confirm = await alice.wait_for("Delete everything")
    await alice.press(confirm, "Yes, delete everything")
    await tg.wait_for_call("editMessageText")
    assert "deleted all your data" in confirm.text

    async with bot.deps.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for column in ("subscriber_id", "user_id"):
                if column in table.c:
                    count = await session.scalar(
                        select(func.count()).select_from(table).where(table.c[column] == alice.id)
                    )
                    assert count == 0, f"{table.name} still has rows of the person"
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert (await session.get(Subscriber, bob.id)) is not None  # others untouched
        total = await session.scalar(
            select(func.count()).select_from(Base.metadata.tables["tip_votes"])
        )
        assert total == 1
