"""Issue 24, the weekly recap: with the week's last daily tip (Sunday for a daily tip), at
most once a week, the week's tips, how many were tried, a streak (a pause keeps it), a liked
tip to revisit and a topic not switched on; off with a button or /recap off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tipbot.core.db.models import Subscriber
from tipbot.subscriber.recap import streak_of


def _recaps(user) -> list:
    return [m for m in user.messages if m.text.startswith(("🗓 Your week", "🗓 Tu semana"))]


async def _day(bot, clock, day: date, hour: int = 8) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC))
    await sweep(bot)
    await sweep(bot)


MONDAY = date(2026, 6, 1)


async def test_sunday_recap_with_the_tip_once(bot, tg, clock, alice, library):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    await add_subscriber(
        bot.deps, alice, timezone="UTC", send_time=time(8, 0), topics=["omega3", "stress"]
    )
    for offset in range(6):  # Monday .. Saturday: no recap
        await _day(bot, clock, MONDAY + timedelta(days=offset))
        if offset == 1:
            tip = tips_of(alice)[-1]
            await tg.wait_for_answer(await alice.press(tip, "✅ I tried it"))
        if offset == 2:
            liked = tips_of(alice)[-1]
            await tg.wait_for_answer(await alice.press(liked, "👍"))
    assert _recaps(alice) == []
    await _day(bot, clock, MONDAY + timedelta(days=6))  # Sunday
    (recap,) = _recaps(alice)
    assert alice.messages.index(recap) == alice.messages.index(tips_of(alice)[-1]) + 1
    assert "Tips: 7, tried: 1" in recap.text
    assert "Weeks in a row with a tried tip: 1" in recap.text
    assert recap.text.count("✅") == 1
    assert "Not switched on yet: Prebiotics" in recap.text  # the first topic not chosen
    assert recap.buttons == ["🔕 No weekly recap"]
    # A second sweep that Sunday (or a later hour): no second recap.
    await _day(bot, clock, MONDAY + timedelta(days=6), hour=20)
    assert len(_recaps(alice)) == 1
    # Next week: "liked" is worth another look (not this week's tip).
    for offset in range(7, 14):
        await _day(bot, clock, MONDAY + timedelta(days=offset))
    assert len(_recaps(alice)) == 2
    second = _recaps(alice)[-1]
    assert "One you liked" in second.text
    assert "Weeks in a row with a tried tip: 0" in second.text  # nothing tried this week
    # Off with the button.
    await tg.wait_for_answer(await alice.press(second, "🔕 No weekly recap"))
    await tg.wait_for_call("editMessageReplyMarkup")
    for offset in range(14, 21):
        await _day(bot, clock, MONDAY + timedelta(days=offset))
    assert len(_recaps(alice)) == 2
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).recap_on is False


async def test_weekdays_get_it_on_friday_and_recap_command(bot, tg, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    await add_subscriber(bot.deps, alice, timezone="UTC", send_time=time(8, 0), send_days=31)
    for offset in range(7):
        await _day(bot, clock, MONDAY + timedelta(days=offset))
    (recap,) = _recaps(alice)
    assert "Tips: 5" in recap.text
    await alice.send("/recap off")
    assert "No more weekly recap" in (await alice.wait_for("No more")).text
    await alice.send("/recap maybe")
    assert "/recap on" in (await alice.wait_for("Send /recap")).text
    await alice.send("/mydata")
    assert "Weekly recap: off" in (await alice.wait_for("What I store")).text
    await alice.send("/recap on")
    await alice.wait_for("comes with your week's last tip")
    for offset in range(7, 14):
        await _day(bot, clock, MONDAY + timedelta(days=offset))
    assert len(_recaps(alice)) == 2


async def test_spanish_recap(bot, tg, clock, maria):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    await add_subscriber(
        bot.deps, maria, timezone="Europe/Madrid", send_time=time(9, 0), language="es"
    )
    for offset in range(7):
        await _day(bot, clock, MONDAY + timedelta(days=offset), hour=7)
    (recap,) = _recaps(maria)
    assert "Tu semana" in recap.text and "Consejos: 7, probados: 0" in recap.text
    assert recap.buttons == ["🔕 Sin resumen semanal"]
    await maria.send("/recap off")
    assert "Ya no habrá" in (await maria.wait_for("Ya no")).text


async def test_forged_recap_button(bot, tg, clock, alice):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    await add_subscriber(bot.deps, alice, timezone="UTC", send_time=time(8, 0))
    await _day(bot, clock, MONDAY)
    tip = tips_of(alice)[-1]
    answer = await tg.wait_for_answer(await alice.press_data(tip, "recap:maybe"))
    assert answer.text == "This button is no longer valid."


def test_a_pause_keeps_the_streak_and_a_week_without_a_try_ends_it():
    today = date(2026, 6, 28)  # Sunday of the 4th week
    since = date(2026, 6, 1)
    tried = {date(2026, 6, 3), date(2026, 6, 24)}  # weeks 1 and 4
    tips_all = {date(2026, 6, 1) + timedelta(days=n) for n in range(28)}
    paused_week3 = {day for day in tips_all if not date(2026, 6, 15) <= day <= date(2026, 6, 21)}
    # Week 2 had tips and nothing tried: the streak is this week's only.
    assert streak_of(tried, tips_all, today, since) == 1
    # Weeks 2 and 3 paused (no tips): weeks 1 and 4 make a streak of 2.
    paused = {day for day in tips_all if not date(2026, 6, 8) <= day <= date(2026, 6, 21)}
    assert streak_of(tried, paused, today, since) == 2
    assert streak_of(tried | {date(2026, 6, 10)}, paused_week3, today, since) == 3
    assert streak_of(set(), tips_all, today, since) == 0
