"""End to end: assignment (/assign, /mine, /requests), blocking (/block, /unblock) and the
auto-close with its nudge, as staff and the person use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers.consult import fill_spanish_form, settled, stored_requests, submit
from tipbot.consult.outbox_worker import run_outbox
from tipbot.core.db.models import RequestStatus, StaffMember
from tipbot.helpdesk.autoclose import run_autoclose


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob", username="bob_md")
    staff_group.add_member(user, status="member")
    return user


@pytest.fixture
def carol(tg, staff_group):
    user = tg.user("Carol", username="Carol_RN")
    staff_group.add_member(user, status="member")
    return user


@pytest.fixture
def mallory(tg):
    return tg.user("Mallory", username="mallory")


async def test_assign_with_buttons_mentions_the_colleague(bot, tg, alice, bob, carol, staff_group):
    await carol.send("/requests", chat=staff_group)  # Carol has acted in the group
    await staff_group.wait_for("No open consultation requests")
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/assign")
    choose = await staff_group.wait_for("Assign #1 to:")
    assert set(choose.buttons) == {"Bob", "Carol"}
    await bob.press(choose, "Carol")
    mentioned = await staff_group.wait_for("is now with Carol")
    assert "assigned by Bob" in mentioned.text
    assert any(e.get("url") == f"tg://user?id={carol.id}" for e in mentioned.get("entities", []))
    await alice.wait_for("Carol from the clinic will contact you")
    await tg.wait_until(lambda: "claimed by Carol" in card.text)
    [request] = await stored_requests(bot)
    assert (request.assigned_to, request.status) == (carol.id, RequestStatus.CLAIMED)

    await carol.send("/mine", chat=staff_group)
    assert "#1 Alice" in (await staff_group.wait_for("Your open requests")).text
    await bob.send("/mine", chat=staff_group)
    await staff_group.wait_for("You hold no open requests.")
    await bob.send("/requests", chat=staff_group)
    assert "#1 Alice" in (await staff_group.wait_for("Open consultation requests")).text
    assert "Carol" in staff_group.last.text


async def test_assign_by_username(bot, tg, alice, bob, carol, mallory, staff_group):
    await carol.send("/mine", chat=staff_group)
    await staff_group.wait_for("You hold no open requests.")
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/assign @carol_rn")  # any case
    await staff_group.wait_for("is now with Carol")
    await alice.wait_for("Carol from the clinic")

    # Someone who never acted as staff, a stranger, a name without @, no reply.
    await bob.reply(card, "/assign @mallory")
    assert "is not on the staff" in (await staff_group.wait_for()).text
    await mallory.reply(card, "/assign @bob_md", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    await bob.reply(card, "/assign bob")
    assert "/assign @username" in (await staff_group.wait_for()).text
    await bob.send("/assign @carol_rn", chat=staff_group)  # not a reply
    assert "Reply to a request's card" in (await staff_group.wait_for()).text
    [request] = await stored_requests(bot)
    assert request.assigned_to == carol.id


async def test_forged_assign_buttons(bot, tg, alice, bob, mallory, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/assign")
    choose = await staff_group.wait_for("Assign #1 to:")
    query = await mallory.press(choose, "Bob")
    assert "for the clinic staff" in (await tg.wait_for_answer(query)).text
    query = await bob.press_data(choose, f"assign:1:{mallory.id}")  # never acted: unknown
    assert "can no longer be chosen" in (await tg.wait_for_answer(query)).text
    query = await bob.press_data(choose, f"assign:99:{bob.id}")
    assert "no request #99" in (await tg.wait_for_answer(query)).text
    query = await bob.press_data(choose, "assign:1:x")
    assert (await tg.wait_for_answer(query)).show_alert
    [request] = await stored_requests(bot)
    assert request.assigned_to is None and request.status is RequestStatus.OPEN
    async with bot.deps.db.session() as session:
        members = list(await session.scalars(select(StaffMember.first_name)))
    assert members == ["Bob"]  # Mallory is never remembered as staff


async def test_assign_a_closed_request(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.press(card, "Close")
    await alice.wait_for("is closed")
    await bob.reply(card, "/assign @bob_md")
    await staff_group.wait_for("no longer open: nothing to assign")


# ----------------------------------------------------------------------------- blocking


async def test_block_stops_relaying_and_unblock_restores_it(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "/block")
    await staff_group.wait_for("is blocked")
    await settled(bot, tg)
    await alice.send("You must answer me!")
    told = await alice.wait_for("cannot take further messages")
    assert "daily tips continue" in told.text
    await alice.send("Hello??")
    await tg.wait_idle()
    await settled(bot, tg)
    assert sum("cannot take further" in m.text for m in alice.messages) == 1  # told once
    assert not [m for m in staff_group.messages if "answer me" in m.text or "Hello??" in m.text]
    await bob.reply(card, "/block")
    await staff_group.wait_for("already blocked")

    await bob.reply(card, "/unblock")
    await staff_group.wait_for("is unblocked")
    await alice.send("Sorry about that")
    await staff_group.wait_for("Sorry about that")
    await bob.reply(card, "/unblock")
    await staff_group.wait_for("is not blocked")


async def test_block_in_spanish_and_strangers(bot, tg, maria, bob, mallory, staff_group):
    summary = (await fill_spanish_form(maria))["¿La envío a la clínica?"]
    await maria.press(summary, "Enviar")
    card = await staff_group.wait_for("Consultation request #1")
    await mallory.reply(card, "/block", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    await bob.send("/block", chat=staff_group)
    assert "Reply to a request's card" in (await staff_group.wait_for()).text
    await bob.reply(card, "/block")
    await staff_group.wait_for("is blocked")
    await settled(bot, tg)
    await maria.send("Hola")
    assert "no puede recibir más mensajes" in (await maria.wait_for()).text


# ----------------------------------------------------------------------------- auto-close


async def answered(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "Could you send us a time?")
    await alice.wait_for("Could you send us a time?")
    await settled(bot, tg)
    return card


async def test_silence_after_the_clinics_answer_nudges_then_closes(
    bot, tg, clock, alice, bob, staff_group
):
    card = await answered(bot, tg, alice, bob, staff_group)
    deps = bot.deps
    clock.advance(days=6, hours=23)
    assert await run_autoclose(deps) == (0, 0)
    clock.advance(hours=1)
    assert await run_autoclose(deps) == (1, 0)
    assert await run_autoclose(deps) == (0, 0)  # once
    await run_outbox(deps, bot.application.bot)
    nudge = await alice.wait_for("Do you still need help with your request #1?")
    assert nudge.buttons == ["Yes, I still need help", "No, you can close it"]
    clock.advance(days=2)
    assert await run_autoclose(deps) == (0, 1)
    await run_outbox(deps, bot.application.bot)
    closed = await alice.wait_for("is closed")
    assert "How did we do?" in closed.text  # the same close as the button's
    await staff_group.wait_for("closed automatically")
    await tg.wait_until(lambda: "closed by auto-close" in card.text)
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.CLOSED


async def test_an_answer_to_the_nudge_keeps_it_open(bot, tg, clock, alice, bob, staff_group):
    await answered(bot, tg, alice, bob, staff_group)
    clock.advance(days=7)
    await run_autoclose(bot.deps)
    await run_outbox(bot.deps, bot.application.bot)
    nudge = await alice.wait_for("Do you still need help")
    await alice.press(nudge, "Yes")
    await alice.wait_for("will get back to you")
    await staff_group.wait_for("still needs help")
    clock.advance(days=3)
    assert await run_autoclose(bot.deps) == (0, 0)
    assert (await stored_requests(bot))[0].status is RequestStatus.OPEN


async def test_a_message_after_the_nudge_keeps_it_open_and_no_closes(
    bot, tg, clock, alice, bob, mallory, staff_group
):
    await answered(bot, tg, alice, bob, staff_group)
    clock.advance(days=7)
    await run_autoclose(bot.deps)
    await run_outbox(bot.deps, bot.application.bot)
    nudge = await alice.wait_for("Do you still need help")
    await alice.send("Still here, sorry")
    await staff_group.wait_for("Still here, sorry")
    clock.advance(days=3)
    assert await run_autoclose(bot.deps) == (0, 0)
    query = await mallory.press_data(nudge, "nudge:1:no")  # not hers: nothing happens
    assert "no longer open" in (await tg.wait_for_answer(query)).text
    await alice.press(nudge, "No")
    await alice.wait_for("is closed")
    assert (await stored_requests(bot))[0].status is RequestStatus.CLOSED


async def test_no_nudge_while_the_person_wrote_last(bot, tg, clock, alice, staff_group):
    await submit(alice)
    await staff_group.wait_for("Consultation request #1")
    await alice.send("Hello?")
    await staff_group.wait_for("Hello?")
    clock.advance(days=30)
    assert await run_autoclose(bot.deps) == (0, 0)


async def test_autoclose_interval_is_configurable(make_settings, bot_factory, tg, clock, alice):
    bot = await bot_factory(make_settings(consult_autoclose="1d"))
    bob = tg.user("Bob")
    group = tg.chat(bot.deps.settings.staff_chat_id)
    group.add_member(bob, status="member")
    await submit(alice)
    card = await group.wait_for("Consultation request #1")
    await bob.reply(card, "Hi")
    await alice.wait_for("Hi")
    await settled(bot, tg)
    clock.advance(timedelta(days=1))
    assert await run_autoclose(bot.deps) == (1, 0)
