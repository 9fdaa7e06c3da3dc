"""Daily delivery end to end: the real sweep, the real bot, the fake Bot API, a manual clock.

Subscribers are arranged through the service layer (``subscribe``) with their time and
timezone set directly, then the sweep runs and we look at what the person received.
"""

from __future__ import annotations

import asyncio
import time as wall
import warnings
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from fakegram import Errors
from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tests.helpers.waiting import eventually
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber, SubscriptionStatus, TipView
from tipbot.delivery import prune_all
from tipbot.delivery import sweep as sweep_module
from tipbot.subscriber.service import compute_next_send


async def subscriber_of(bot, user) -> Subscriber:
    async with bot.deps.db.session() as session:
        return await session.get(Subscriber, user.id)


async def deliveries_of(bot, user) -> list[Delivery]:
    async with bot.deps.db.session() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.subscriber_id == user.id).order_by(Delivery.local_date)
        )
        return list(rows)


# ------------------------------------------------------------------ the daily rhythm


async def test_kolkata_0800_gets_one_tip_at_0230_utc_however_many_sweeps(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice, timezone="Asia/Kolkata", send_time=time(8, 0))
    assert due == datetime(2026, 6, 1, 2, 30, tzinfo=UTC)

    clock.set(datetime(2026, 6, 1, 2, 29, tzinfo=UTC))
    await sweep(bot)
    assert tips_of(alice) == []

    clock.set(due)
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    tip = tips_of(alice)[0]
    assert "Source:" in tip.text
    assert tip.buttons == [
        "👍",
        "👎",
        "✅ I tried it",
        "⭐ Save",
        "⏰ Later",
        "➕ Another tip",
        "💬 Free consultation",
    ]

    for _ in range(5):
        clock.advance(minutes=37)
        await sweep(bot)
    assert len(tips_of(alice)) == 1

    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.local_date == date(2026, 6, 1)
    assert delivery.sent_at == due
    assert (await subscriber_of(bot, alice)).next_send_at == due + timedelta(days=1)

    clock.set(due + timedelta(days=1))
    await sweep(bot)
    assert len(tips_of(alice)) == 2
    async with bot.deps.db.session() as session:
        assert (await session.get(TipView, alice.id)).daily == 2


async def test_sweep_reports_its_time_for_health_checks(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due + timedelta(minutes=2))
    report = await sweep(bot)
    assert bot.deps.state.last_sweep_at == clock.now()
    assert report.sent == 1 or len(tips_of(alice)) == 1  # the start-up sweep may have sent it


async def test_berlin_0230_on_spring_forward_day_comes_at_0330_local(bot, clock, alice):
    # 2026-03-29: clocks jump from 02:00 to 03:00 CET->CEST; 02:30 does not exist.
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    await add_subscriber(bot.deps, alice, timezone="Europe/Berlin", send_time=time(2, 30))
    clock.set(datetime(2026, 3, 29, 1, 29, tzinfo=UTC))
    await sweep(bot)
    assert tips_of(alice) == []
    clock.set(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.local_date == date(2026, 3, 29)
    assert (await subscriber_of(bot, alice)).next_send_at == datetime(
        2026, 3, 30, 0, 30, tzinfo=UTC
    )


async def test_berlin_0230_on_fall_back_day_comes_once(bot, clock, alice):
    # 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens twice (00:30 and 01:30 UTC).
    clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    await add_subscriber(bot.deps, alice, timezone="Europe/Berlin", send_time=time(2, 30))
    clock.set(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    for minute in range(0, 121, 15):
        clock.set(datetime(2026, 10, 25, 0, 45, tzinfo=UTC) + timedelta(minutes=minute))
        await sweep(bot)
    assert len(tips_of(alice)) == 1
    assert (await subscriber_of(bot, alice)).next_send_at == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC
    )


async def test_no_tip_repeats_until_every_tip_of_the_topic_was_seen(bot, clock, alice, library):
    count = len(library.tips_by_topic["omega3"])
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice, topics=["omega3"])
    for day in range(count + 3):
        clock.set(due + timedelta(days=day))
        await sweep(bot)
    seen = [d.tip_id for d in await deliveries_of(bot, alice)]
    assert len(tips_of(alice)) == count + 3
    assert sorted(seen[:count]) == sorted(tip.id for tip in library.tips_by_topic["omega3"])
    assert len(set(seen[count:])) == 3  # the second round starts again without repeats


async def test_paused_subscriber_resumes_when_the_pause_is_over(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    until = datetime(2026, 6, 3, 0, 0, tzinfo=UTC)
    due = await add_subscriber(
        bot.deps, alice, status=SubscriptionStatus.PAUSED, paused_until=until
    )
    assert due == datetime(2026, 6, 3, 2, 30, tzinfo=UTC)
    clock.set(datetime(2026, 6, 2, 2, 30, tzinfo=UTC))
    await sweep(bot)
    assert tips_of(alice) == []
    clock.set(due)
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    subscriber = await subscriber_of(bot, alice)
    assert subscriber.status is SubscriptionStatus.ACTIVE
    assert subscriber.paused_until is None


async def test_open_ended_pause_and_stop_are_never_swept(bot, clock, alice, tg):
    bob = tg.user("Bob")
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    assert await add_subscriber(bot.deps, alice, status=SubscriptionStatus.PAUSED) is None
    assert await add_subscriber(bot.deps, bob, status=SubscriptionStatus.STOPPED) is None
    clock.advance(days=3)
    await sweep(bot)
    assert tips_of(alice) == [] and tips_of(bob) == []


# ------------------------------------------------------------------ downtime


async def test_two_hours_of_downtime_still_brings_the_tip_late(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due + timedelta(hours=2))
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.status is DeliveryStatus.SENT and delivery.due_at == due


async def test_thirty_hours_of_downtime_skip_without_a_burst(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due + timedelta(hours=30))
    await sweep(bot)
    await sweep(bot)
    assert tips_of(alice) == []
    (skipped,) = await deliveries_of(bot, alice)
    assert skipped.status is DeliveryStatus.SKIPPED and skipped.local_date == date(2026, 6, 1)
    assert (await subscriber_of(bot, alice)).next_send_at == due + timedelta(days=2)
    clock.set(due + timedelta(days=2))
    await sweep(bot)
    assert len(tips_of(alice)) == 1


async def test_downtime_over_a_day_sends_only_todays_tip_within_grace(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due + timedelta(hours=25))  # yesterday's is stale, today's is 1 hour late
    await sweep(bot)
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    statuses = [(d.local_date, d.status) for d in await deliveries_of(bot, alice)]
    assert statuses == [
        (date(2026, 6, 1), DeliveryStatus.SKIPPED),
        (date(2026, 6, 2), DeliveryStatus.SENT),
    ]


# ------------------------------------------------------------------ Telegram's answers


async def test_429_waits_retry_after_and_then_delivers(bot, clock, tg, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    tg.fail("sendMessage", error=Errors.too_many_requests(retry_after=1), chat_id=alice.id)
    started = wall.monotonic()
    await sweep(bot)
    assert wall.monotonic() - started >= 1.0
    assert len(tips_of(alice)) == 1
    calls = tg.calls_to("sendMessage", chat_id=alice.id)
    assert [call.ok for call in calls] == [False, True]
    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.status is DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("error", "reason"),
    [(Errors.blocked(), "blocked"), (Errors.chat_not_found(), "chat_not_found")],
)
async def test_gone_person_is_marked_blocked_and_not_tried_again(
    bot, clock, tg, alice, error, reason
):
    bob = tg.user("Bob")
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    await add_subscriber(bot.deps, bob)
    clock.set(due)
    tg.fail("sendMessage", error=error, chat_id=alice.id, times=None)
    await sweep(bot)
    assert tips_of(alice) == []
    assert len(tips_of(bob)) == 1  # one failing subscriber never stops the sweep
    subscriber = await subscriber_of(bot, alice)
    assert subscriber.status is SubscriptionStatus.BLOCKED
    assert subscriber.next_send_at is None
    (delivery,) = await deliveries_of(bot, alice)
    assert (delivery.status, delivery.error) == (DeliveryStatus.FAILED, reason)

    clock.advance(days=1)
    await sweep(bot)
    assert len(tg.calls_to("sendMessage", chat_id=alice.id)) == 1
    assert len(tips_of(bob)) == 2


async def test_blocked_person_who_starts_again_gets_tips_again(bot, clock, tg, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    tg.fail("sendMessage", error=Errors.blocked(), chat_id=alice.id)
    await sweep(bot)
    assert (await subscriber_of(bot, alice)).status is SubscriptionStatus.BLOCKED
    await alice.send("/start")
    await alice.wait_for("Welcome back")
    clock.advance(days=1)
    await sweep(bot)
    assert len(tips_of(alice)) == 1


async def test_server_errors_three_times_then_success_within_one_sweep(bot, clock, tg, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    tg.fail("sendMessage", error=Errors.server_error(), chat_id=alice.id, times=3)
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    assert [c.ok for c in tg.calls_to("sendMessage", chat_id=alice.id)] == [
        False,
        False,
        False,
        True,
    ]
    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.status is DeliveryStatus.SENT


async def test_lasting_server_errors_are_retried_by_later_sweeps_on_the_same_row(
    bot, clock, tg, alice
):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    rule = tg.fail("sendMessage", error=Errors.server_error(), chat_id=alice.id, times=None)
    await sweep(bot)
    (delivery,) = await deliveries_of(bot, alice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 1)

    clock.set(due + timedelta(minutes=4))  # too soon for the next try
    await sweep(bot)
    assert len(tg.calls_to("sendMessage", chat_id=alice.id)) == 4
    clock.set(due + timedelta(minutes=5))
    await sweep(bot)
    (delivery,) = await deliveries_of(bot, alice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 2)

    tg._faults.remove(rule)
    clock.set(due + timedelta(minutes=20))
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    (delivery,) = await deliveries_of(bot, alice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    clock.advance(hours=1)
    await sweep(bot)
    assert len(tips_of(alice)) == 1


async def test_retries_stop_at_the_end_of_the_grace_window(bot, clock, tg, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    tg.fail("sendMessage", error=Errors.server_error(), chat_id=alice.id, times=None)
    await sweep(bot)
    tg.clear_failures()
    clock.set(due + bot.deps.settings.delivery_grace)
    await sweep(bot)
    assert tips_of(alice) == []
    (delivery,) = await deliveries_of(bot, alice)
    assert delivery.status is DeliveryStatus.FAILED
    clock.set(due + timedelta(days=1))
    await sweep(bot)
    assert len(tips_of(alice)) == 1


@pytest.mark.parametrize(
    ("error", "recorded"),
    [
        (Errors.bad_request("message is too long"), "BadRequest"),
        (Errors.unauthorized(), "InvalidToken"),  # a revoked token, seen on one send
    ],
)
async def test_other_errors_are_recorded_and_the_sweep_moves_on(
    bot, clock, tg, alice, error, recorded
):
    bob = tg.user("Bob")
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    await add_subscriber(bot.deps, bob)
    clock.set(due)
    tg.fail("sendMessage", error=error, chat_id=alice.id)
    await sweep(bot)
    assert tips_of(alice) == [] and len(tips_of(bob)) == 1
    (delivery,) = await deliveries_of(bot, alice)
    assert (delivery.status, delivery.error) == (DeliveryStatus.FAILED, recorded)
    assert (await subscriber_of(bot, alice)).status is SubscriptionStatus.ACTIVE


async def test_daily_tip_goes_out_with_the_fields_of_a_reply(bot, clock, tg, alice):
    """Bulk sends skip PTB's ``send_message`` (``Prepared``): what Telegram receives must
    still be what a reply sends, the bot's defaults included, with no warning logged."""
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    with warnings.catch_warnings(record=True) as seen:  # the filters as the bot set them
        await sweep(bot)
    assert [w for w in seen if "do_api_request" in str(w.message)] == []
    (call,) = tg.calls_to("sendMessage", chat_id=alice.id)
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert "allow_paid_broadcast" not in call.params  # the default 30/s is free
    (tip,) = tips_of(alice)
    assert tip.buttons == [
        "👍",
        "👎",
        "✅ I tried it",
        "⭐ Save",
        "⏰ Later",
        "➕ Another tip",
        "💬 Free consultation",
    ]


async def test_paid_broadcast_above_30_per_second(bot_factory, make_settings, clock, tg, alice):
    bot = await bot_factory(make_settings(max_messages_per_second=100))
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    await sweep(bot)
    (call,) = tg.calls_to("sendMessage", chat_id=alice.id)
    assert call.params.get("allow_paid_broadcast") is True


# ------------------------------------------------------------------ blocking the bot


async def test_blocking_and_unblocking_the_bot_pauses_and_resumes_delivery(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)

    async def status_is(expected):
        return (await subscriber_of(bot, alice)).status is expected

    await alice.block_bot()
    await eventually(lambda: status_is(SubscriptionStatus.BLOCKED))
    assert (await subscriber_of(bot, alice)).next_send_at is None
    clock.set(due)
    await sweep(bot)
    assert tips_of(alice) == []

    await alice.unblock_bot()
    await eventually(lambda: status_is(SubscriptionStatus.ACTIVE))
    assert (await subscriber_of(bot, alice)).next_send_at == due + timedelta(days=1)
    clock.set(due + timedelta(days=1))
    await sweep(bot)
    assert len(tips_of(alice)) == 1


async def test_membership_update_of_a_stranger_changes_nothing(bot, tg):
    stranger = tg.user("Stranger")
    await stranger.block_bot()
    await stranger.unblock_bot()
    await tg.wait_idle()
    async with bot.deps.db.session() as session:
        assert await session.get(Subscriber, stranger.id) is None


# ------------------------------------------------------------------ crashes and replicas


async def test_crash_between_recording_and_sending_never_sends_twice(
    bot_factory, settings, clock, tg, alice
):
    first = await bot_factory(settings)
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(first.deps, alice)
    clock.set(due)
    tg.delay("sendMessage", 1.0, chat_id=alice.id, times=1)
    in_flight = asyncio.create_task(sweep(first))

    async def recorded():
        return bool(await deliveries_of(first, alice))

    await eventually(recorded)
    in_flight.cancel()  # the replica dies with the tip recorded and its request in flight
    await asyncio.gather(in_flight, return_exceptions=True)
    await first.stop()

    second = await bot_factory(settings)
    await sweep(second)
    clock.advance(minutes=30)
    await sweep(second)
    await tg.wait_until(lambda: len(tips_of(alice)) >= 1, timeout=10)
    await asyncio.sleep(0.2)
    assert len(tips_of(alice)) == 1  # the request in flight landed; nothing was repeated
    (delivery,) = await deliveries_of(second, alice)
    assert delivery.status is DeliveryStatus.PENDING  # its outcome was never learned


async def test_crash_after_sending_before_recording_never_sends_twice(
    bot_factory, settings, clock, alice, monkeypatch
):
    first = await bot_factory(settings)
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(first.deps, alice)
    clock.set(due)

    async def crash(*_args, **_kwargs):
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patch:
        patch.setattr(sweep_module, "record_outcomes", crash)
        with pytest.raises(RuntimeError):
            await sweep(first)
    assert len(tips_of(alice)) == 1
    await first.stop()

    second = await bot_factory(settings)
    for _ in range(3):
        await sweep(second)
        clock.advance(minutes=20)
    assert len(tips_of(alice)) == 1
    clock.set(due + timedelta(days=1))
    await sweep(second)
    assert len(tips_of(alice)) == 2


async def test_two_replicas_sweeping_together_send_each_tip_once(bot_factory, settings, clock, tg):
    one = await bot_factory(settings)
    two = await bot_factory(settings)
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    users = [tg.user(f"User{i}") for i in range(120)]
    for user in users:
        await add_subscriber(one.deps, user)
    clock.set(datetime(2026, 6, 1, 2, 30, tzinfo=UTC))
    reports = await asyncio.gather(sweep(one), sweep(two), sweep(one), sweep(two))
    assert sum(r.sent for r in reports) <= len(users)
    assert all(len(tips_of(user)) == 1 for user in users)
    async with one.deps.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Delivery))
    assert count == len(users)


# ------------------------------------------------------------------ retention


async def test_prune_deletes_deliveries_older_than_the_retention(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    for day in range(5):
        clock.set(due + timedelta(days=day))
        await sweep(bot)
    assert len(await deliveries_of(bot, alice)) == 5
    retention = bot.deps.settings.delivery_retention_days
    clock.set(due + timedelta(days=retention + 2, minutes=1))
    assert await prune_all(bot.deps) == 3
    assert [d.local_date for d in await deliveries_of(bot, alice)] == [
        date(2026, 6, 4),
        date(2026, 6, 5),
    ]


async def test_moving_the_time_later_the_same_day_brings_no_second_tip(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, alice)
    clock.set(due)
    await sweep(bot)
    cursors = (await subscriber_of(bot, alice)).tip_cursors
    async with bot.deps.db.session() as session:  # as /time 20:00 would
        subscriber = await session.get(Subscriber, alice.id)
        subscriber.send_time = time(20, 0)
        subscriber.next_send_at = compute_next_send(subscriber, clock.now())
    clock.set(datetime(2026, 6, 1, 14, 30, tzinfo=UTC))  # 20:00 in Kolkata
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    subscriber = await subscriber_of(bot, alice)
    assert subscriber.tip_cursors == cursors  # no tip used up for the day already served
    assert subscriber.next_send_at == datetime(2026, 6, 2, 14, 30, tzinfo=UTC)
