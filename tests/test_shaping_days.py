"""Issue 24, how often and which days: /days, the buttons in /settings, the sweep following
the days (DST included), and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tipbot.core.db.models import Delivery, Subscriber
from tipbot.core.schedule import next_occurrence
from tipbot.subscriber.weekdays import parse_days


async def _stored(bot, user) -> Subscriber:
    async with bot.deps.db.session() as session:
        return await session.get(Subscriber, user.id)


async def _subscribed(user, welcome="Welcome") -> None:
    await user.send("/start")
    await user.wait_for(welcome)


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("mon,wed,fri", 0b0010101),
        ("Mon, Wed, Fri", 0b0010101),
        ("lun,mié,vie", 0b0010101),
        ("lunes miercoles viernes", 0b0010101),
        ("Monday and Thursday", 0b0001001),
        ("sábado y domingo", 0b1100000),
        ("mon-fri", 0b0011111),
        ("sat-mon", 0b1100001),
        ("weekdays", 0b0011111),
        ("entre semana", 0b0011111),
        ("every day", 0b1111111),
        ("todos los días", 0b1111111),
        ("sun", 0b1000000),
    ],
)
def test_day_names_in_english_and_spanish(text, mask):
    assert parse_days(text) == mask


@pytest.mark.parametrize("bad", ["someday", "mon,funday", "mon-", "8", "-", "x" * 500])
def test_garbage_is_not_days(bad):
    assert parse_days(bad) is None


async def test_days_command_sets_days_and_next_tip(bot, clock, alice):
    # Monday 2026-06-01 06:00 UTC; the tip at 09:00 UTC.
    await _subscribed(alice)
    await alice.send("/days tue,thu")
    reply = await alice.wait_for("now comes")
    assert "Tue, Thu" in reply.text and "09:00" in reply.text
    stored = await _stored(bot, alice)
    assert stored.send_days == 0b0001010
    assert stored.next_send_at == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)  # Tuesday
    await alice.send("/settings")
    assert "Days: Tue, Thu" in (await alice.wait_for("Your settings")).text
    await alice.send("/mydata")
    assert "Days: Tue, Thu" in (await alice.wait_for("What I store")).text


@pytest.mark.parametrize("bad", ["someday", "mon,funday", "<b>x</b>"])
async def test_days_garbage_gets_a_friendly_hint_and_changes_nothing(bot, alice, bad):
    await _subscribed(alice)
    before = await _stored(bot, alice)
    await alice.send(f"/days {bad}")
    reply = await alice.wait_for("didn't understand")
    assert "/days mon,wed,fri" in reply.text
    assert bad in reply.text  # shown as typed (escaped), not as markup
    after = await _stored(bot, alice)
    assert (after.send_days, after.next_send_at) == (before.send_days, before.next_send_at)


async def test_days_needs_a_subscription(bot, alice):
    await alice.send("/days mon")
    assert "/start" in (await alice.wait_for()).text


async def test_bare_days_and_settings_buttons(bot, tg, alice):
    await _subscribed(alice)
    await alice.send("/days")
    prompt = await alice.wait_for("On which days")
    assert prompt.buttons[:4] == ["Every day", "Weekdays", "Mon/Wed/Fri", "Once a week"]
    assert "✅ Mon" in prompt.buttons and "✅ Sun" in prompt.buttons
    await alice.press(prompt, "✅ Sun")
    await tg.wait_for_call("editMessageText")
    assert "▫️ Sun" in prompt.buttons
    assert (await _stored(bot, alice)).send_days == 0b0111111
    await alice.press(prompt, "Mon/Wed/Fri")
    await tg.wait_for_call("editMessageText")
    assert "Mon, Wed, Fri" in prompt.text
    assert (await _stored(bot, alice)).send_days == 0b0010101
    # From /settings: the 📅 Days button opens the same prompt.
    await alice.send("/settings")
    settings = await alice.wait_for("Your settings")
    await alice.press(settings, "📅 Days")
    again = await alice.wait_for("On which days")
    await alice.press(again, "Once a week")
    await tg.wait_for_call("editMessageText")
    assert (await _stored(bot, alice)).send_days == 0b0000001


async def test_the_last_day_stays_on(bot, tg, alice):
    await _subscribed(alice)
    await alice.send("/days wed")
    await alice.wait_for("now comes")
    await alice.send("/days")
    prompt = await alice.wait_for("On which days")
    answer = await tg.wait_for_answer(await alice.press(prompt, "✅ Wed"))
    assert "At least one day" in answer.text
    assert (await _stored(bot, alice)).send_days == 0b0000100


@pytest.mark.parametrize(
    "data", ["sub:day:7", "sub:day:-1", "sub:day:", "sub:days:often", "sub:days"]
)
async def test_forged_day_buttons_are_refused(bot, tg, alice, data):
    await _subscribed(alice)
    await alice.send("/days")
    prompt = await alice.wait_for("On which days")
    answer = await tg.wait_for_answer(await alice.press_data(prompt, data))
    assert answer.text == "This button is no longer valid."
    assert (await _stored(bot, alice)).send_days == 0b1111111


async def test_spanish_days(bot, tg, maria):
    await _subscribed(maria, "Bienvenido")
    await maria.send("/days lun,mié,vie")
    reply = await maria.wait_for("Ahora tu consejo")
    assert "lun, mié, vie" in reply.text
    await maria.send("/days nunca")
    assert "No entendí" in (await maria.wait_for("No entendí")).text
    await maria.send("/days")
    prompt = await maria.wait_for("Qué días")
    assert prompt.buttons[:4] == [
        "Todos los días",
        "Entre semana",
        "Lun/Mié/Vie",
        "Una vez por semana",
    ]


async def test_the_sweep_sends_only_on_chosen_days_one_a_day(bot, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))  # a Monday
    await add_subscriber(bot.deps, alice, timezone="UTC", send_time=time(8, 0), send_days=0b0010101)
    sent_on = []
    for hour in range(0, 24 * 14, 4):  # two weeks, a sweep every 4 hours (twice at 8:00)
        clock.set(datetime(2026, 6, 1, tzinfo=UTC) + timedelta(hours=hour))
        before = len(tips_of(alice))
        await sweep(bot)
        await sweep(bot)
        if len(tips_of(alice)) > before:
            assert len(tips_of(alice)) == before + 1
            sent_on.append(clock.now().date())
    assert [day.strftime("%a") for day in sent_on] == ["Mon", "Wed", "Fri"] * 2


async def test_chosen_days_across_a_dst_change(bot, clock, alice):
    """Berlin, 07:30 on Sundays and Mondays: the tip on the Sunday that clocks go forward
    comes at 07:30 CEST (05:30 UTC), the Sunday before at 07:30 CET (06:30 UTC)."""
    clock.set(datetime(2026, 3, 21, 12, 0, tzinfo=UTC))  # Saturday
    due = await add_subscriber(
        bot.deps, alice, timezone="Europe/Berlin", send_time=time(7, 30), send_days=0b1000001
    )
    assert due == datetime(2026, 3, 22, 6, 30, tzinfo=UTC)  # Sunday, CET
    instants = []
    for _ in range(4):
        async with bot.deps.db.session() as session:
            due = (await session.get(Subscriber, alice.id)).next_send_at
        clock.set(due)
        await sweep(bot)
        instants.append(due)
    assert instants == [
        datetime(2026, 3, 22, 6, 30, tzinfo=UTC),  # Sun CET
        datetime(2026, 3, 23, 6, 30, tzinfo=UTC),  # Mon CET
        datetime(2026, 3, 29, 5, 30, tzinfo=UTC),  # Sun: summer time began at 02:00
        datetime(2026, 3, 30, 5, 30, tzinfo=UTC),  # Mon CEST
    ]
    assert len(tips_of(alice)) == 4
    async with bot.deps.db.session() as session:
        days = list(await session.scalars(select(Delivery.local_date).order_by(Delivery.id)))
    assert days == [date(2026, 3, 22), date(2026, 3, 23), date(2026, 3, 29), date(2026, 3, 30)]


def test_next_occurrence_with_days_skips_to_the_next_chosen_day():
    friday = datetime(2026, 6, 5, 10, 0, tzinfo=UTC)
    assert next_occurrence(time(9, 0), "UTC", friday, 0b0000001) == datetime(
        2026, 6, 8, 9, 0, tzinfo=UTC
    )
    monday_early = datetime(2026, 6, 8, 8, 0, tzinfo=UTC)
    assert next_occurrence(time(9, 0), "UTC", monday_early, 0b0000001) == datetime(
        2026, 6, 8, 9, 0, tzinfo=UTC
    )
    assert next_occurrence(time(9, 0), "UTC", friday, 0) == datetime(2026, 6, 6, 9, 0, tzinfo=UTC)
