"""End to end: the help desk's staff tools as staff and the person use them: snippets, working
hours, the rating after a close.

Staff act in the staff group (``staff_group``), replying to a request's card; the person is
``alice`` (English) or ``maria`` (Spanish). Jobs are called directly with the ManualClock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.helpers.consult import fill_spanish_form, settled, stored_requests, submit
from tests.helpers.helpdesk import restore_languages  # noqa: F401 (autouse)
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders
from tipbot.core.db.models import ConsultRequest


@pytest.fixture
def bob(tg, staff_group):
    """A clinic staff member."""
    user = tg.user("Bob")
    staff_group.add_member(user, status="member")
    return user


@pytest.fixture
def mallory(tg):
    """Someone who is not staff."""
    return tg.user("Mallory")


async def spanish_request(maria, staff_group):
    summary = (await fill_spanish_form(maria))["¿La envío a la clínica?"]
    await maria.press(summary, "Enviar")
    received = await maria.wait_for("recibida")
    card = await staff_group.wait_for("Consultation request #")
    return received, card


# ----------------------------------------------------------------------------- snippets


async def test_snippet_goes_to_the_person_and_staff_see_it(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/s time")
    sent = await alice.wait_for("Message from the clinic")
    assert "Hello Alice, to arrange your free consultation" in sent.text
    assert "every day, at any time" in sent.text  # {clinic_hours} without configured hours
    shown = await staff_group.wait_for("Snippet time for #1")
    assert "English" in shown.text and "Hello Alice, to arrange" in shown.text
    await staff_group.wait_for("Delivered")
    [request] = await stored_requests(bot)
    assert request.first_response_at is not None  # a snippet is a response

    # Replying to a relayed message works the same way.
    await alice.send("Is Thursday possible?")
    relayed = await staff_group.wait_for("Is Thursday possible?")
    await bob.reply(relayed, "/s call")
    assert "will call you" in (await alice.wait_for("Message from the clinic")).text


async def test_snippet_in_the_persons_language(bot, tg, maria, bob, staff_group):
    _, card = await spanish_request(maria, staff_group)
    await bob.reply(card, "/s emergency")
    sent = await maria.wait_for("Mensaje de la clínica")
    assert "María, ten en cuenta que este chat no es un servicio de urgencias" in sent.text
    shown = await staff_group.wait_for("Snippet emergency")
    assert "Español" in shown.text and "no es un servicio de urgencias" in shown.text


async def test_snippet_fills_the_clinic_hours_in_the_persons_language(
    make_settings, bot_factory, tg, maria, bob, staff_group
):
    await bot_factory(
        make_settings(clinic_hours="Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00")
    )
    _, card = await spanish_request(maria, staff_group)
    await bob.reply(card, "/s time")
    sent = await maria.wait_for("Mensaje de la clínica")
    assert "lun–vie 09:00–13:00, 14:00–18:00; sáb 10:00–12:00" in sent.text


async def test_snippet_mistakes_get_a_clear_answer(bot, tg, alice, bob, mallory, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/s nonsense")
    unknown = await staff_group.wait_for("There is no snippet")
    assert "nonsense" in unknown.text and "call" in unknown.text
    await bob.reply(card, "/s")
    assert "/s NAME" in (await staff_group.wait_for()).text
    await bob.send("/s call", chat=staff_group)  # not a reply: which request?
    assert "Reply to a request's card" in (await staff_group.wait_for()).text
    await bob.reply(card, "/s <b>" + "x" * 200)
    assert "There is no snippet" in (await staff_group.wait_for()).text
    await bob.reply(unknown, "/s call")  # replying to something that is no request
    assert "Reply to a request's card" in (await staff_group.wait_for()).text

    # A stranger in the staff group, and the person in their private chat.
    await mallory.reply(card, "/s call", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    await alice.send("/s call")
    assert "for the clinic staff" in (await alice.wait_for()).text
    await tg.wait_idle()
    assert not [m for m in alice.messages if "Message from the clinic" in m.text]

    # A closed request gets no snippet.
    await bob.press(card, "Close")
    await alice.wait_for("is closed")
    await bob.reply(card, "/s call")
    assert "closed" in (await staff_group.wait_for("#1")).text


async def test_snippets_list_in_the_staff_language(
    make_settings, bot_factory, tg, bob, mallory, staff_group
):
    await bot_factory(make_settings(staff_language="es"))
    await bob.send("/snippets", chat=staff_group)
    listing = await staff_group.wait_for("Respuestas guardadas")
    assert "call" in listing.text and "emergency" in listing.text
    assert "Hola, {first_name}: gracias" in listing.text  # previews in the staff language
    await mallory.send("/snippets", chat=staff_group)
    await staff_group.wait_for("personal de la clínica")


# ----------------------------------------------------------------------------- working hours

HOURS = "Mon-Fri 09:00-17:30"


async def test_a_request_outside_the_hours_says_when_we_open(
    make_settings, bot_factory, tg, clock, alice, maria, staff_group
):
    # Saturday 6 June 2026, 10:00 UTC; the clinic (UTC) opens on Monday.
    clock.set(datetime(2026, 6, 6, 10, 0, tzinfo=UTC))
    await bot_factory(make_settings(clinic_hours=HOURS))
    received = await submit(alice)
    assert "The clinic is closed right now. We open on Monday at 09:00" in received.text
    received, _ = await spanish_request(maria, staff_group)
    assert "La clínica está cerrada en este momento. Abrimos el lunes a las 09:00" in received.text


async def test_a_request_within_the_hours_has_no_notice(make_settings, bot_factory, clock, alice):
    clock.set(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))  # Monday 10:00: open
    await bot_factory(make_settings(clinic_hours=HOURS))
    assert "closed right now" not in (await submit(alice)).text


async def test_before_opening_the_notice_says_today(make_settings, bot_factory, alice):
    await bot_factory(make_settings(clinic_hours=HOURS))  # Monday 06:00 UTC
    assert "We open today at 09:00" in (await submit(alice)).text


async def test_without_hours_there_is_never_a_notice(bot, clock, alice):
    clock.set(datetime(2026, 6, 7, 3, 0, tzinfo=UTC))  # a Sunday night
    assert "closed right now" not in (await submit(alice)).text


async def test_the_notice_names_the_clinics_zone_and_a_holiday(
    make_settings, bot_factory, clock, alice
):
    # Friday 5 June 2026, 18:00 in Madrid; Monday is a holiday there.
    clock.set(datetime(2026, 6, 5, 16, 0, tzinfo=UTC))
    await bot_factory(
        make_settings(
            clinic_hours=HOURS, clinic_holidays="2026-06-08", clinic_timezone="Europe/Madrid"
        )
    )
    received = await submit(alice)
    assert "We open on Tuesday at 09:00 (Europe/Madrid time)" in received.text


async def test_reminders_count_working_hours_only(
    make_settings, bot_factory, tg, clock, alice, staff_group
):
    clock.set(datetime(2026, 6, 5, 16, 30, tzinfo=UTC))  # Friday, an hour before closing
    bot = await bot_factory(make_settings(clinic_hours=HOURS))
    await submit(alice)
    await staff_group.wait_for("Consultation request #1")
    await settled(bot, tg)
    clock.set(datetime(2026, 6, 8, 9, 59, tzinfo=UTC))  # Monday: 1 h Friday + 59 min
    assert await send_reminders(bot.deps) == 0
    clock.advance(minutes=1)
    assert await send_reminders(bot.deps) == 1
    await run_outbox(bot.deps, bot.application.bot)
    assert "waiting for 2 h" in (await staff_group.wait_for("without anyone claiming")).text
    clock.advance(hours=1, minutes=59)
    assert await send_reminders(bot.deps) == 0
    clock.advance(minutes=1)
    assert await send_reminders(bot.deps) == 1


# ----------------------------------------------------------------------------- rating


async def close_and_ask(alice, bob, card):
    await bob.press(card, "Close")
    return await alice.wait_for("How did we do?")


async def test_rating_after_close_is_stored_once(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    asked = await close_and_ask(alice, bob, card)
    assert "is closed" in asked.text and asked.buttons == ["1", "2", "3", "4", "5"]
    await alice.press(asked, "5")
    thanks = await alice.wait_for("Thank you for your rating (⭐⭐⭐⭐⭐)")
    await tg.wait_until(lambda: tg._current(asked).buttons == [])
    [request] = await stored_requests(bot)
    assert request.rating == 5 and request.rating_comment is None

    # The same button pressed again (an old client): told, nothing changes.
    query = await alice.press_data(asked, "rate:1:2")
    assert "already rated" in (await tg.wait_for_answer(query)).text
    assert (await stored_requests(bot))[0].rating == 5

    # A comment is a reply to the thanks; a good rating is not posted to staff.
    await alice.reply(thanks, "Very kind, thanks!")
    await alice.wait_for("passed your comment")
    [request] = await stored_requests(bot)
    assert request.rating_comment == "Very kind, thanks!"
    await settled(bot, tg)
    assert not [m for m in staff_group.messages if "rated our help" in m.text]
    # A second reply is no comment any more: the usual answer.
    await alice.reply(thanks, "Hello again")
    assert "/help" in (await alice.wait_for()).text


async def test_a_low_rating_is_posted_to_the_request(bot, tg, maria, bob, staff_group):
    _, card = await spanish_request(maria, staff_group)
    asked = await close_and_ask_es(maria, bob, card)
    await maria.press(asked, "2")
    thanks = await maria.wait_for("Gracias por tu valoración")
    low = await staff_group.wait_for("rated our help 2/5")
    assert low.get("reply_to_message", {}).get("message_id") == card.message_id
    await maria.reply(thanks, "Nadie me llamó <b>")
    await maria.wait_for("hemos pasado tu comentario")
    comment = await staff_group.wait_for("commented on their rating")
    assert "Nadie me llamó <b>" in comment.text


async def close_and_ask_es(maria, bob, card):
    await bob.press(card, "Close")
    return await maria.wait_for("¿Qué tal lo hicimos?")


async def test_forged_and_foreign_rating_buttons_change_nothing(
    bot, tg, alice, bob, mallory, staff_group
):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    # Before the close: no rating.
    query = await alice.press_data(card, "rate:1:5")
    assert "no longer valid" in (await tg.wait_for_answer(query)).text
    asked = await close_and_ask(alice, bob, card)
    for data in ("rate:1:6", "rate:1:0", "rate:x:5", "rate:99999999999999999999:5", "rate:2:5"):
        query = await alice.press_data(asked, data)
        assert (await tg.wait_for_answer(query)).show_alert
    query = await mallory.press_data(asked, "rate:1:1")  # someone else's request
    assert "no longer valid" in (await tg.wait_for_answer(query)).text
    assert (await stored_requests(bot))[0].rating is None


async def test_a_cancelled_request_is_not_rated(bot, tg, alice, staff_group):
    await submit(alice)
    await staff_group.wait_for("Consultation request #1")
    await alice.send("/consult")
    shown = await alice.wait_for("already have an open request")
    await alice.press(shown, "Cancel the request")
    await tg.wait_until(lambda: "is cancelled" in shown.text)
    await settled(bot, tg)
    assert not [m for m in alice.messages if "How did we do" in m.text]


async def test_forget_removes_the_rating(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    asked = await close_and_ask(alice, bob, card)
    await alice.press(asked, "4")
    thanks = await alice.wait_for("Thank you for your rating")
    await alice.reply(thanks, "Fine")
    await alice.wait_for("passed your comment")
    await alice.send("/forget")
    confirm = await alice.wait_for()
    await alice.press(confirm, "Yes")
    await tg.wait_until(lambda: "deleted all your data" in alice.last.text)
    async with bot.deps.db.session() as session:
        left = list(await session.scalars(select(ConsultRequest.rating)))
    assert left == []


# ----------------------------------------------------------------------------- history


async def test_the_card_shows_the_persons_history(bot, tg, alice, bob, staff_group):
    await alice.send("/start")
    await alice.wait_for()
    first = await submit(alice, email="first@example.com", note="Private first note")
    assert "#1" in first.text
    card = await staff_group.wait_for("Consultation request #1")
    assert "Daily tips since" in card.text and "(active)" in card.text
    assert "No earlier requests." in card.text
    asked = await close_and_ask(alice, bob, card)
    await alice.press(asked, "4")
    await alice.wait_for("Thank you for your rating")

    await submit(alice, email="second@example.com")
    second = await staff_group.wait_for("Consultation request #2")
    assert "Earlier requests:" in second.text
    assert "#1" in second.text and "closed by Bob, rated 4/5" in second.text
    # Never the earlier request's contact details or note.
    assert "first@example.com" not in second.text and "Private first note" not in second.text


async def test_history_in_the_staff_language(make_settings, bot_factory, tg, alice, staff_group):
    await bot_factory(make_settings(staff_language="es"))
    await submit(alice)
    card = await staff_group.wait_for("#1")
    assert "Historial" in card.text and "Sin solicitudes anteriores." in card.text
