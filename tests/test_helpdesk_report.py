"""/report and the export's help-desk columns: response times in working hours, per staff
member and for the team, from requests staff actually handled."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.consult import settled, stored_requests, submit
from tests.helpers.helpdesk import restore_languages  # noqa: F401 (autouse)
from tipbot.consult.export import EXPORT_COLUMNS, write_csv


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, status="member")
    return user


@pytest.fixture
def carol(tg, staff_group):
    user = tg.user("Carol")
    staff_group.add_member(user, status="member")
    return user


async def handle(tg, bot, clock, person, staff, staff_group, number, *, answer_after, rate=None):
    """The person asks, ``staff`` claims and answers after ``answer_after``, then closes."""
    await submit(person)
    card = await staff_group.wait_for(f"Consultation request #{number}")
    await settled(bot, tg)
    clock.advance(answer_after)
    await staff.press(card, "Claim")
    await person.wait_for("will contact you")
    await staff.reply(card, "Hello, when suits you?")
    await person.wait_for("when suits you")
    clock.advance(hours=1)
    await staff.press(card, "Close")
    asked = await person.wait_for("How did we do?")
    if rate:
        await person.press(asked, str(rate))
        await person.wait_for("Thank you for your rating")
    await settled(bot, tg)


async def test_report_per_staff_member_and_team(
    make_settings, bot_factory, tg, clock, alice, bob, carol, staff_group
):
    bot = await bot_factory(make_settings(clinic_hours="Mon-Fri 08:00-18:00"))
    dan = tg.user("Dan")
    # Monday 06:00 UTC: closed until 08:00, so Bob's 3 wall-clock hours are 1 working hour.
    three_hours = timedelta(hours=3)
    await handle(tg, bot, clock, alice, bob, staff_group, 1, answer_after=three_hours, rate=5)
    await handle(tg, bot, clock, dan, carol, staff_group, 2, answer_after=three_hours, rate=2)
    await staff_group.wait_for("rated our help 2/5")
    await bob.send("/report", chat=staff_group)
    report = await staff_group.wait_for("Support report")
    team, *people = report.text.split("\n\n")[1:]
    assert team.startswith("Team: 2 requests, 2 claimed, 2 closed")
    # Bob answered in 1 working hour, Carol (asked at 10:00) in 3: the median is 2 h.
    assert "First answer (median): 2 h" in team and "Answered within 2 h: 50%" in team
    assert "rating: 3.5/5 (2)" in team
    bob_line = next(p for p in people if p.startswith("Bob"))
    assert "First answer (median): 1 h" in bob_line  # working hours only
    assert "resolved in (median): 2 h" in bob_line and "rating: 5.0/5 (1)" in bob_line
    carol_line = next(p for p in people if p.startswith("Carol"))
    assert "rating: 2.0/5 (1)" in carol_line

    # A month later the last 7 days are empty; /report 60 still has them.
    clock.advance(days=30)
    await bob.send("/report", chat=staff_group)
    assert "Team: 0 requests" in (await staff_group.wait_for("Support report")).text
    await bob.send("/report 60", chat=staff_group)
    assert "Team: 2 requests" in (await staff_group.wait_for("last 60 days")).text

    # The export's new columns, in working hours.
    out = io.StringIO()
    write_csv(await stored_requests(bot), out, bot.deps.settings.business_hours)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {"rating", "first_response_minutes", "resolution_minutes"} <= set(EXPORT_COLUMNS)
    assert rows[0]["first_response_minutes"] == "60" and rows[0]["rating"] == "5"
    assert rows[1]["rating"] == "2" and rows[1]["resolution_minutes"] != ""


async def test_report_bad_input_and_strangers(bot, tg, bob, staff_group):
    mallory = tg.user("Mallory")
    for bad in ("/report 0", "/report 400", "/report week", "/report 7 30"):
        await bob.send(bad, chat=staff_group)
        assert "Usage: /report" in (await staff_group.wait_for()).text
    await mallory.send("/report", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    await bob.send("/report", chat=staff_group)
    empty = await staff_group.wait_for("Support report")
    assert "Team: 0 requests, 0 claimed, 0 closed" in empty.text and "rating: —" in empty.text


async def test_report_in_the_staff_language(make_settings, bot_factory, tg, bob, staff_group):
    await bot_factory(make_settings(staff_language="es"))
    await bob.send("/report 30", chat=staff_group)
    assert "Equipo: 0 solicitudes" in (await staff_group.wait_for("Informe de atención")).text


def test_no_times_yet_leave_the_cells_empty():
    from tipbot.core.db.models import ConsultRequest, RequestStatus

    request = ConsultRequest(
        id=1,
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
        status=RequestStatus.OPEN,
        name="A",
        contact_kind="telegram",
        preferred_time="x",
    )
    out = io.StringIO()
    write_csv([request], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["first_response_minutes"] == row["resolution_minutes"] == row["rating"] == ""
