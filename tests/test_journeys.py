"""Whole journeys through every area at once, only through what a person types and presses.

Each area has its own detailed tests; these check that the pieces fit: the settings a person
chooses with commands drive the daily sweep, and a daily tip's buttons lead to the
consultation form and the staff group.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers.consult import answer_form
from tipbot.delivery import run_sweep


def daily_tips(user) -> list:
    return [m for m in user.messages if "👍" in m.buttons]


async def sweep(bot) -> None:
    await run_sweep(bot.deps, bot.application.bot, send_backoff=0.01)


async def test_settings_chosen_by_command_drive_the_daily_tip(bot, clock, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send("/timezone asia/kolkata")
    assert "Asia/Kolkata" in (await alice.wait_for()).text
    await alice.send("/time 8am")
    assert "08:00" in (await alice.wait_for()).text

    clock.set(datetime(2026, 6, 2, 2, 29, tzinfo=UTC))  # 07:59 in Kolkata: not yet
    await sweep(bot)
    assert daily_tips(alice) == []
    clock.set(datetime(2026, 6, 2, 2, 30, tzinfo=UTC))  # 08:00 in Kolkata
    await sweep(bot)
    await sweep(bot)
    tip = await alice.wait_for(lambda m: "👍" in m.buttons)
    assert "Source:" in tip.text
    assert len(daily_tips(alice)) == 1


async def test_pause_three_days_then_tips_resume_by_themselves(bot, clock, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")  # daily at 09:00 UTC; now is 06:00 on 1 June
    await alice.send("/pause 3")
    assert "3 days" in (await alice.wait_for()).text

    for day in range(1, 4):  # 1, 2 and 3 June: paused
        clock.set(datetime(2026, 6, day, 9, 0, tzinfo=UTC))
        await sweep(bot)
    assert daily_tips(alice) == []

    clock.set(datetime(2026, 6, 4, 9, 0, tzinfo=UTC))
    await sweep(bot)
    await alice.wait_for(lambda m: "👍" in m.buttons)
    await alice.send("/settings")
    assert "subscribed" in (await alice.wait_for()).text


async def test_a_daily_tips_consultation_button_reaches_the_staff(
    bot, clock, tg, alice, staff_group
):
    doctor = tg.user("Rivera")
    staff_group.add_member(doctor, status="member")
    await alice.send("/start")
    await alice.wait_for("Welcome")
    clock.advance(timedelta(hours=3))  # 09:00 UTC: the first daily tip
    await sweep(bot)
    tip = await alice.wait_for(lambda m: "👍" in m.buttons)

    await alice.press(tip, "Free consultation")
    summary = await answer_form(alice)
    await alice.press(summary, "Send")
    await alice.wait_for("received")

    card = await staff_group.wait_for("Consultation request #1")
    assert "alice@example.com" in card.text
    await doctor.press(card, "Claim")
    assert "Rivera from the clinic" in (await alice.wait_for("Rivera")).text
