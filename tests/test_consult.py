"""End to end: a person asks for a consultation; the clinic's staff take it from there.

The person and each staff member are separate Telegram users; the staff group is the
``staff_group`` fixture. Time-dependent parts (backoff, reminders) move the ManualClock
and call the job functions directly.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fakegram import Errors
from tests.helpers.consult import cards, fill_form, settled, stored_requests, submit
from tipbot.consult.form_runner import expire_drafts
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders
from tipbot.core.db.models import (
    ConsultRequest,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
    StaffThreadMessage,
    Subscriber,
)


@pytest.fixture
def bob(tg, staff_group):
    """A clinic staff member (a member of the staff group)."""
    user = tg.user("Bob")
    staff_group.add_member(user, status="member")
    return user


@pytest.fixture
def mallory(tg):
    """Someone who is not staff."""
    return tg.user("Mallory")


async def test_happy_path_from_form_to_closed(bot, tg, alice, bob, staff_group):
    summary = await fill_form(alice)
    assert "alice@example.com" in summary.text and "Weekday evenings" in summary.text
    assert alice.reply_keyboard is None  # the form's reply keyboards are gone
    await alice.press(summary, "Send")
    received = await alice.wait_for("received")
    assert "#1" in received.text and "not a diagnosis" in received.text
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.OPEN and request.contact_value == "alice@example.com"

    card = await staff_group.wait_for("Consultation request #1")
    assert "Alice" in card.text and "alice@example.com" in card.text and "open" in card.text
    assert card.buttons == ["🙋 Claim", "✅ Close"]

    await bob.press(card, "Claim")
    claimed = await alice.wait_for("from the clinic will contact you")
    assert "Bob" in claimed.text
    await tg.wait_until(lambda: "claimed by Bob" in card.text)
    assert card.buttons == ["↩️ Unclaim", "✅ Close"]

    await bob.reply(card, "Hello Alice, would Tuesday at 6 pm suit you?")
    message = await alice.wait_for("Message from the clinic")
    assert "Tuesday at 6 pm" in message.text
    await staff_group.wait_for("Delivered")

    await alice.send("Tuesday works, thank you!")
    await alice.wait_for("passed your message to the clinic")
    relayed = await staff_group.wait_for("Tuesday works")
    assert "#1 Alice" in relayed.text
    assert relayed.get("reply_to_message", {}).get("message_id") == card.message_id

    await bob.reply(relayed, "Great, see you then.")
    await alice.wait_for("see you then")

    await alice.send("One more thing")  # told only once: no second notice
    await staff_group.wait_for("One more thing")
    assert sum("passed your message" in m.text for m in alice.messages) == 1

    await bob.press(card, "Close")
    await alice.wait_for("is closed")
    await tg.wait_until(lambda: "closed by Bob" in card.text)
    assert card.buttons == []
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.CLOSED and request.claimed_by == bob.id

    # After closing, the person's messages are no longer relayed.
    await alice.send("hello?")
    assert "/help" in (await alice.wait_for()).text


async def test_unclaim_returns_the_request_to_the_team(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.press(card, "Claim")
    await alice.wait_for("will contact you")
    await bob.press(card, "Unclaim")
    await alice.wait_for("back with the whole team")
    await tg.wait_until(lambda: "unclaimed" in card.text)
    assert card.buttons == ["🙋 Claim", "✅ Close"]


async def test_contact_by_phone_accepts_only_the_persons_own(bot, tg, alice, mallory):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice A.")
    ask = await alice.wait_for("How should the clinic reach you")
    assert "📱 Share my phone number" in ask.buttons
    await alice.share_contact(user_id=mallory.id)
    refusal = await alice.wait_for("only accept your own phone number")
    assert refusal
    await alice.wait_for("How should the clinic reach you")
    await alice.share_contact()
    await alice.wait_for("When suits you best")
    await alice.send("Weekends")
    await alice.wait_for("What would you like to talk about")
    await alice.send("Something else")
    await alice.wait_for("Anything you'd like")
    await alice.send("Skip")
    await alice.wait_for("May I share")
    await alice.send("✅ Yes, share them")
    summary = await alice.wait_for("Send it to the clinic?")
    assert alice.phone_number in summary.text and mallory.phone_number not in summary.text
    await alice.press(summary, "Send")
    await alice.wait_for("received")
    [request] = await stored_requests(bot)
    assert (request.contact_kind, request.contact_value) == ("phone", alice.phone_number)
    assert request.topic is None and request.note is None


async def test_invalid_email_is_asked_again(bot, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("✉️ E-mail")
    await alice.wait_for("type your e-mail")
    await alice.send("alice@example")
    await alice.wait_for("doesn't look like an e-mail")
    await alice.wait_for("type your e-mail")
    await alice.send("alice@example.org")
    await alice.wait_for("When suits you best")


async def test_telegram_contact_option(bot, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    name_question = alice.last
    assert name_question.buttons == ["Alice"]  # the Telegram first name, one tap away
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("💬 Message me here in Telegram")
    await alice.wait_for("When suits you best")


async def test_empty_and_overlong_answers_get_the_question_again(bot, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("   ")
    await alice.wait_for("Please write an answer")
    await alice.wait_for("What is your name")
    await alice.send("A" * 129)
    await alice.wait_for("under 128 characters")
    await alice.wait_for("What is your name")
    await alice.share_location(52.5, 13.4)  # not an answer at all
    await alice.wait_for("Please write an answer")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("💬 Message me here in Telegram")
    await alice.wait_for("When suits you best")
    await alice.send("x" * 200)
    await alice.wait_for("under 128 characters")
    await alice.send("Weekends")
    await alice.wait_for("What would you like to talk about")
    await alice.send("Astrology")
    await alice.wait_for("choose one of the buttons")
    await alice.send("Something else")
    await alice.wait_for("Anything you'd like")
    await alice.send("n" * 1001)
    await alice.wait_for("under 1000 characters")
    await alice.wait_for("Anything you'd like")
    await alice.send("n" * 1000)
    await alice.wait_for("May I share")


async def test_cancel_mid_form_stores_nothing(bot, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    assert alice.reply_keyboard is not None
    await alice.send("/cancel")
    await alice.wait_for("Cancelled")
    assert alice.reply_keyboard is None
    assert await stored_requests(bot) == []
    await alice.send("alice@example.com")  # no longer in the form
    assert "/help" in (await alice.wait_for()).text


async def test_cancel_button_on_the_summary(bot, alice):
    summary = await fill_form(alice)
    await alice.press(summary, "Cancel")
    await alice.wait_for("Cancelled")
    assert await stored_requests(bot) == []


async def test_edit_starts_over_and_keeps_the_form(bot, alice):
    summary = await fill_form(alice)
    await alice.press(summary, "Edit")
    await alice.wait_for("What is your name")
    await alice.send("Alice Liddell")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("💬 Message me here in Telegram")
    await alice.wait_for("When suits you best")
    await alice.send("Weekends")
    await alice.wait_for("What would you like")
    await alice.send("Something else")
    await alice.wait_for("Anything")
    await alice.send("Skip")
    await alice.wait_for("May I share")
    await alice.send("✅ Yes, share them")
    summary = await alice.wait_for("Send it to the clinic?")
    assert "Alice Liddell" in summary.text and "message in Telegram" in summary.text
    await alice.press(summary, "Send")
    await alice.wait_for("received")
    [request] = await stored_requests(bot)
    assert request.name == "Alice Liddell" and request.contact_kind == "telegram"


async def test_no_consent_sends_nothing(bot, alice):
    await fill_form_until_consent(alice)
    await alice.send("❌ No")
    await alice.wait_for("without your consent")
    assert await stored_requests(bot) == []


async def fill_form_until_consent(user):
    await user.send("/consult")
    await user.wait_for("What is your name")
    await user.send("Alice")
    await user.wait_for("How should")
    await user.send("💬 Message me here in Telegram")
    await user.wait_for("When suits")
    await user.send("Weekends")
    await user.wait_for("What would you like")
    await user.send("Something else")
    await user.wait_for("Anything")
    await user.send("Skip")
    await user.wait_for("May I share")


async def test_form_times_out_after_30_minutes_of_silence(bot, tg, clock, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    await tg.wait_idle()
    clock.advance(minutes=29)  # 30 minutes after the last answer, not after the start
    assert await expire_drafts(bot.deps, bot.application.bot) == 0
    clock.advance(minutes=1)
    assert await expire_drafts(bot.deps, bot.application.bot) == 1
    await alice.wait_for("closed after 30 minutes")
    assert alice.reply_keyboard is None
    assert await expire_drafts(bot.deps, bot.application.bot) == 0  # told once
    await alice.send("Alice")  # the form is over: plain text gets the usual answer
    assert "/help" in (await alice.wait_for()).text


async def test_an_answer_after_the_timeout_is_told_the_form_closed(bot, tg, clock, alice):
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await tg.wait_idle()
    clock.advance(minutes=31)  # the expiry job has not run yet
    await alice.send("Alice")
    await alice.wait_for("closed after 30 minutes")
    await alice.send("Alice")
    assert "/help" in (await alice.wait_for()).text


async def test_summary_buttons_of_a_lost_form_explain_themselves(bot, tg, alice):
    summary = await fill_form(alice)
    await alice.send("/cancel")
    await alice.wait_for("Cancelled")
    query = await alice.press_data(summary, "cform:confirm")
    answer = await tg.wait_for_answer(query)
    assert answer.show_alert and "no longer open" in answer.text
    assert await stored_requests(bot) == []


async def test_second_consult_shows_the_open_request(bot, tg, alice, staff_group):
    await submit(alice)
    await staff_group.wait_for("Consultation request #1")
    await alice.send("/consult")
    shown = await alice.wait_for("already have an open request")
    assert "#1" in shown.text
    assert shown.buttons == ["✍️ Add a note", "✖️ Cancel the request"]
    await alice.press(shown, "Add a note")
    await alice.wait_for("Just write your note")
    await alice.press(shown, "Cancel the request")
    await tg.wait_until(lambda: "is cancelled" in shown.text)
    await staff_group.wait_for("the person cancelled the request")
    card = cards(staff_group)[0]
    await tg.wait_until(lambda: "cancelled by the person" in card.text)
    assert card.buttons == []
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.CANCELLED


async def test_tip_button_and_deep_link_open_the_form(bot, tg, alice):
    await alice.send("/help")
    some_message = await alice.wait_for()
    await alice.press_data(some_message, "consult:start")  # the button under every tip
    await alice.wait_for("What is your name")
    await alice.send("/cancel")
    await alice.wait_for("Cancelled")

    await alice.send("/start consult")
    intro = await alice.wait_for("Free consultation")
    assert "What is your name" in intro.text
    async with bot.deps.db.session() as session:
        assert await session.get(Subscriber, alice.id) is None  # asking is not subscribing


async def test_deep_link_request_records_its_source(bot, alice, staff_group):
    await alice.send("/start consult")
    await alice.wait_for("What is your name")
    await alice.send("/cancel")
    await alice.wait_for("Cancelled")
    # /start consult again and go through the whole form
    await alice.send("/start consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should")
    await alice.send("💬 Message me here in Telegram")
    await alice.wait_for("When suits")
    await alice.send("Weekends")
    await alice.wait_for("What would you like")
    await alice.send("Something else")
    await alice.wait_for("Anything")
    await alice.send("Skip")
    await alice.wait_for("May I share")
    await alice.send("✅ Yes, share them")
    summary = await alice.wait_for("Send it")
    await alice.press(summary, "Send")
    await alice.wait_for("received")
    [request] = await stored_requests(bot)
    assert request.source == "consult-link"
    card = await staff_group.wait_for("Consultation request #1")
    assert "Source: consult-link" in card.text


async def test_non_staff_and_forged_buttons_change_nothing(
    bot, tg, alice, bob, mallory, staff_group
):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    before = card.text

    query = await mallory.press(card, "Claim")
    answer = await tg.wait_for_answer(query)
    assert answer.show_alert and "for the clinic staff" in answer.text

    # The person forging a staff button, and staff forging a button for a missing request.
    query = await alice.press_data(card, "staff:close:1")
    assert "for the clinic staff" in (await tg.wait_for_answer(query)).text
    query = await bob.press_data(card, "staff:claim:999")
    assert "no request #999" in (await tg.wait_for_answer(query)).text
    query = await bob.press_data(card, "staff:promote:1")
    assert (await tg.wait_for_answer(query)).show_alert

    # Someone else forging "cancel" for Alice's request.
    query = await mallory.press_data(card, "consult:cancel:1")
    assert "no longer open" in (await tg.wait_for_answer(query)).text

    await tg.wait_idle()
    assert card.text == before and not card.edited
    [request] = await stored_requests(bot)
    assert request.status is RequestStatus.OPEN and request.claimed_by is None
    assert [m.text for m in alice.messages if "clinic will contact" in m.text] == []

    # A second claim of a claimed request is refused with who holds it.
    carol = tg.user("Carol")
    staff_group.add_member(carol, status="administrator")
    await bob.press(card, "Claim")
    await alice.wait_for("Bob from the clinic")
    query = await carol.press(card, "Close")  # close is fine for any staff…
    await tg.wait_for_answer(query)
    query = await carol.press_data(card, "staff:claim:1")  # …claiming a closed one is not
    answer = await tg.wait_for_answer(query)
    assert answer.show_alert and "#1" in answer.text


async def test_staff_allow_list_counts_as_staff(make_settings, bot_factory, tg, alice, staff_group):
    dana = tg.user("Dana")  # not in the group, but on TIPBOT_STAFF_USER_IDS
    bot = await bot_factory(make_settings(staff_user_ids=frozenset({dana.id})))
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await dana.press(card, "Claim")
    await alice.wait_for("Dana from the clinic")
    assert (await stored_requests(bot))[0].claimed_by == dana.id


async def test_staff_commands(bot, tg, alice, bob, mallory, staff_group):
    await bob.send("/requests", chat=staff_group)
    assert "No open consultation requests" in (await staff_group.wait_for()).text
    await submit(alice)
    await staff_group.wait_for("Consultation request #1")

    await bob.send("/requests", chat=staff_group)
    listing = await staff_group.wait_for("Open consultation requests")
    assert "#1 Alice" in listing.text and "unclaimed" in listing.text

    await bob.send("/request 1", chat=staff_group)
    again = await staff_group.wait_for("Consultation request #1")
    assert again.buttons == ["🙋 Claim", "✅ Close"]
    await bob.reply(again, "Hi from the re-posted card")  # the new card is wired too
    await alice.wait_for("Hi from the re-posted card")
    await staff_group.wait_for("Delivered")

    await bob.send("/request", chat=staff_group)
    assert "Usage" in (await staff_group.wait_for()).text
    await bob.send("/request 42", chat=staff_group)
    assert "no request #42" in (await staff_group.wait_for()).text

    # A stranger writing in the staff group is refused; other groups are ignored.
    await mallory.send("/requests", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    other = tg.group("Running club")
    await bob.send("/requests", chat=other)
    await tg.wait_idle()
    assert other.messages == []


async def test_staff_reply_to_a_person_who_blocked_the_bot(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await alice.block_bot()
    await bob.reply(card, "Are you there?")
    result = await staff_group.wait_for("Not delivered")
    assert "blocked the bot" in result.text


async def test_staff_reply_refused_by_telegram_or_too_long(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await bob.reply(card, "x" * 4001)
    assert "too long" in (await staff_group.wait_for()).text
    tg.fail("sendMessage", chat_id=alice.id, error=Errors.bad_request("can't parse entities"))
    await bob.reply(card, "Hello")
    await staff_group.wait_for("Not delivered (#1): Telegram refused")
    await settled(bot, tg)
    async with bot.deps.db.session() as session:
        dead = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
        )
    assert dead.chat_id == alice.id and dead.last_error == "BadRequest"


async def test_staff_talk_and_replies_to_closed_requests(bot, tg, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    note = await bob.send("Who's free this afternoon?", chat=staff_group)
    await bob.reply(note, "Me")  # not a reply to a card: nothing happens
    await bob.press(card, "Close")
    await alice.wait_for("is closed")
    await bob.reply(card, "One more thing")
    answer = await staff_group.wait_for("was not sent")
    assert "closed" in answer.text
    assert not any("One more thing" in m.text for m in alice.messages)


async def test_staff_group_failing_five_times_gives_exactly_one_card(
    bot, tg, clock, alice, staff_group
):
    tg.fail("sendMessage", chat_id=staff_group.id, error=Errors.server_error(), times=5)
    await submit(alice)  # answered "received": the request is committed, the card waits
    deps, telegram_bot = bot.deps, bot.application.bot
    for _ in range(20):
        if cards(staff_group):
            break
        clock.advance(minutes=15)  # beyond any backoff
        await run_outbox(deps, telegram_bot)
    await tg.wait_idle()
    posted = [c for c in tg.calls_to("sendMessage", chat_id=staff_group.id) if c.ok]
    failed = [c for c in tg.calls_to("sendMessage", chat_id=staff_group.id) if not c.ok]
    assert len(posted) == 1 and len(failed) == 5
    assert len(cards(staff_group)) == 1
    clock.advance(hours=1)
    await run_outbox(deps, telegram_bot)
    assert len(cards(staff_group)) == 1
    [request] = await stored_requests(bot)
    assert request.staff_message_id == cards(staff_group)[0].message_id


async def test_backoff_follows_the_clock(bot, tg, clock, alice, staff_group):
    tg.fail("sendMessage", chat_id=staff_group.id, error=Errors.server_error(), times=None)
    await submit(alice)
    deps = bot.deps
    await tg.wait_until(lambda: tg.calls_to("sendMessage", chat_id=staff_group.id))
    await settled(bot, tg)
    async with deps.db.session() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert await run_outbox(deps, bot.application.bot) == 0  # not due yet: no call
    assert len(tg.calls_to("sendMessage", chat_id=staff_group.id)) == 1


async def test_card_is_posted_once_after_a_restart(
    make_settings, bot_factory, tg, clock, alice, staff_group
):
    """Committed, then the bot stops before the outbox ran: the next bot posts it, once."""
    first = await bot_factory(make_settings())
    tg.fail("sendMessage", chat_id=staff_group.id, error=Errors.server_error(), times=None)
    await submit(alice)
    await tg.wait_until(lambda: tg.calls_to("sendMessage", chat_id=staff_group.id))
    await settled(first, tg)
    # Crash while holding the lease: the row stays claimed by the dead replica.
    async with first.deps.db.session() as session:
        row = await session.scalar(select(OutboxMessage))
        row.locked_until = clock.now() + timedelta(minutes=2)
        row.next_attempt_at = clock.now()
    await first.stop()
    tg.clear_failures()

    second = await bot_factory(make_settings())
    await run_outbox(second.deps, second.application.bot)
    assert cards(staff_group) == []  # the lease is still held
    clock.advance(minutes=3)
    await run_outbox(second.deps, second.application.bot)
    await run_outbox(second.deps, second.application.bot)
    await tg.wait_idle()
    assert len(cards(staff_group)) == 1


async def test_without_a_staff_group_requests_wait(
    make_settings, bot_factory, tg, clock, alice, staff_group
):
    first = await bot_factory(make_settings(staff_chat_id=None))
    await submit(alice)  # /consult still works
    await run_outbox(first.deps, first.application.bot)
    await tg.wait_idle()
    assert cards(staff_group) == []
    await first.stop()

    second = await bot_factory(make_settings())
    await run_outbox(second.deps, second.application.bot)
    await tg.wait_idle()
    assert len(cards(staff_group)) == 1


async def test_reminders_for_unclaimed_requests(bot, tg, clock, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await settled(bot, tg)
    deps, telegram_bot = bot.deps, bot.application.bot

    clock.advance(minutes=119)
    assert await send_reminders(deps) == 0
    clock.advance(minutes=1)
    assert await send_reminders(deps) == 1
    assert await send_reminders(deps) == 0  # not again within the interval
    await run_outbox(deps, telegram_bot)
    reminder = await staff_group.wait_for("waiting for 2 h")
    assert reminder.get("reply_to_message", {}).get("message_id") == card.message_id

    for _ in range(5):
        clock.advance(hours=2)
        await send_reminders(deps)
    await run_outbox(deps, telegram_bot)
    await tg.wait_idle()
    reminders = [m for m in staff_group.messages if "without anyone claiming" in m.text]
    assert len(reminders) == 3  # at most three


async def test_no_reminders_once_claimed(make_settings, bot_factory, tg, clock, alice, bob):
    bot = await bot_factory(make_settings(consult_reminder="30m"))
    await submit(alice)
    card = await tg.chat(bot.deps.settings.staff_chat_id).wait_for("Consultation request")
    await bob.press(card, "Claim")
    await alice.wait_for("will contact you")
    clock.advance(hours=5)
    assert await send_reminders(bot.deps) == 0


async def test_reminder_interval_is_configurable(make_settings, bot_factory, tg, clock, alice):
    bot = await bot_factory(make_settings(consult_reminder="30m"))
    await submit(alice)
    staff = tg.chat(bot.deps.settings.staff_chat_id)
    await staff.wait_for("Consultation request")
    await settled(bot, tg)
    clock.advance(minutes=30)
    assert await send_reminders(bot.deps) == 1
    await run_outbox(bot.deps, bot.application.bot)
    assert "waiting for 30 min" in (await staff.wait_for("without anyone claiming")).text


async def test_forget_deletes_requests_and_edits_cards(bot, tg, clock, alice, bob, staff_group):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await alice.send("a private detail")
    await staff_group.wait_for("a private detail")
    await settled(bot, tg)
    await alice.send("/forget")
    confirm = await alice.wait_for()
    await alice.press(confirm, "Yes")
    await tg.wait_until(lambda: "deleted all your data" in alice.last.text)
    await tg.wait_until(lambda: "removed at the person's request" in card.text)
    assert "Alice" not in card.text and card.buttons == []
    async with bot.deps.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ConsultRequest)) == 0
        assert await session.scalar(select(func.count()).select_from(StaffThreadMessage)) == 0
        rows = list(await session.scalars(select(OutboxMessage)))
    assert all("private detail" not in str(row.payload) for row in rows)
    await bob.reply(card, "Hello?")  # the card no longer leads anywhere
    await tg.wait_idle()
    assert not any("Hello?" in m.text for m in alice.messages)


async def test_consent_step_links_the_clinics_privacy_policy(bot_factory, make_settings, alice):
    await bot_factory(make_settings(privacy_policy_url="https://clinic.example/privacy?a=1&b=2"))
    await fill_form(alice)
    consent = next(m for m in alice.messages if "May I share these details" in m.text)
    assert "The clinic's privacy policy" in consent.text
    links = [e["url"] for e in consent.entities if e["type"] == "text_link"]
    assert links == ["https://clinic.example/privacy?a=1&b=2"]


async def test_consent_step_without_a_privacy_policy_setting(bot, alice):
    await fill_form(alice)
    consent = next(m for m in alice.messages if "May I share" in m.text)
    assert "privacy policy" not in consent.text
