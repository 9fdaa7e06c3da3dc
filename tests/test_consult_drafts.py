"""A form in progress survives restarts and replicas: its state is a draft row."""

from __future__ import annotations

from dataclasses import asdict

from tests.helpers.consult import stored_requests
from tipbot.consult import drafts
from tipbot.consult.service import FormAnswers
from tipbot.core.db.models import ConsultDraft


async def test_three_steps_on_one_replica_then_the_rest_on_another(
    make_settings, bot_factory, tg, clock, alice, staff_group
):
    first = await bot_factory(make_settings())
    await alice.send("/start consult")  # the deep link: its source must survive too
    await alice.wait_for("What is your name")
    await alice.send("Alice A.")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("alice@example.com")
    await alice.wait_for("When suits you best")
    await alice.send("Weekday evenings")
    await alice.wait_for("What would you like to talk about")
    await tg.wait_idle()
    await first.stop()  # a deploy: this process is gone

    clock.advance(minutes=10)
    second = await bot_factory(make_settings())
    await alice.send("Something else")
    await alice.wait_for("Anything you'd like the clinic to know")
    await alice.send("Skip")
    await alice.wait_for("May I share these details")
    await alice.send("✅ Yes, share them")
    summary = await alice.wait_for("Send it to the clinic?")
    assert "Alice A." in summary.text and "alice@example.com" in summary.text
    await alice.press(summary, "Send")
    await alice.wait_for("received")
    [request] = await stored_requests(second)
    assert (request.name, request.contact_value) == ("Alice A.", "alice@example.com")
    assert request.preferred_time == "Weekday evenings" and request.source == "consult-link"
    await staff_group.wait_for("Consultation request #1")
    await tg.wait_idle(quiet=0.5)  # the draft goes after the reply (a loaded machine is slow)
    async with second.deps.db.session() as session:
        assert await session.get(ConsultDraft, alice.id) is None  # done: no draft left


async def test_wrong_answers_and_cancel_are_kept_across_a_restart(
    make_settings, bot_factory, tg, alice
):
    first = await bot_factory(make_settings())
    await alice.send("/consult")
    await alice.wait_for("What is your name")
    await alice.send("Alice")
    await alice.wait_for("How should the clinic reach you")
    await alice.send("not-an-address@")
    await alice.wait_for("doesn't look like an e-mail")
    await tg.wait_idle()
    await first.stop()

    await bot_factory(make_settings())
    await alice.send("/help")  # another command mid-form: answered, the form waits
    assert "/consult" in (await alice.wait_for("/consult")).text
    await alice.send("/cancel")
    await alice.wait_for("Cancelled")
    await alice.send("Alice")
    assert "/help" in (await alice.wait_for()).text  # no form any more


async def test_a_stale_write_from_another_replica_is_refused(db, clock):
    now = clock.now()
    answers = FormAnswers(name="Alice")
    async with db.session() as session:
        assert await drafts.save(
            session, 7, step="contact", answers=answers, entry="bot", version=None, now=now
        )
    async with db.session() as session:
        assert await drafts.save(
            session, 7, step="time", answers=answers, entry="bot", version=1, now=now
        )
    async with db.session() as session:  # a replica that read version 1 as well, too late
        assert not await drafts.save(
            session, 7, step="email", answers=answers, entry="bot", version=1, now=now
        )
        draft = await session.get(ConsultDraft, 7)
    assert (draft.step, draft.version, draft.answers) == ("time", 2, asdict(answers))
