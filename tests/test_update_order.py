"""Updates run concurrently across people and in arrival order per person (issue 12).

The fake Bot API answers every call after ``latency`` seconds, like the real round trip;
``delay`` holds chosen calls longer to make a reordering visible if there were one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from telegram import Chat, Message, Update, User

from tests.helpers.consult import cards, fill_form, settled, submit
from tests.helpers.waiting import eventually
from tipbot.core.db.models import ConsultRequest, Subscriber
from tipbot.core.updates import MeasuredUpdateProcessor, PerChatUpdateProcessor

LATENCY = 0.02


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, "member")
    return user


def replies(user, marker: str) -> list[str]:
    return [m.text for m in user.messages if marker in m.text]


async def test_the_default_runs_64_chats_at_once(bot):
    processor = bot.application.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    assert processor.max_running == 64


async def test_one_at_a_time_is_still_available(make_settings, bot_factory):
    bot = await bot_factory(make_settings(max_concurrent_updates=1))
    processor = bot.application.update_processor
    assert type(processor) is MeasuredUpdateProcessor
    assert processor.max_concurrent_updates == 1


async def test_one_persons_updates_run_in_arrival_order(bot, tg, alice):
    tg.latency = LATENCY
    tg.delay("sendMessage", 0.5, times=1, text=lambda text: "topic-0" in text)
    for number in range(6):
        await alice.send(f"/topic topic-{number}")
    await tg.wait_until(lambda: len(replies(alice, "topic-")) == 6, timeout=10)
    assert [text.split("topic ")[1][:7] for text in replies(alice, "topic-")] == [
        f"topic-{number}" for number in range(6)
    ]
    await tg.wait_idle()
    assert bot.application.update_processor.waiting_chats == 0  # idle chats are forgotten


@pytest.mark.parametrize(("running", "first"), [(64, "Bea"), (1, "Alice")])
async def test_a_slow_person_does_not_hold_up_others(
    make_settings, bot_factory, tg, alice, running, first
):
    await bot_factory(make_settings(max_concurrent_updates=running))
    bea = tg.user("Bea")
    tg.latency = LATENCY
    tg.delay("sendMessage", 1.0, times=1, chat_id=alice.id)
    await alice.send("/topic slow")
    await tg.wait_until(lambda: tg.peak_in_flight >= 1)
    await bea.send("/topic fast")
    await alice.wait_for("slow", timeout=10)
    await bea.wait_for("fast", timeout=10)
    answered = [call.params["chat_id"] for call in tg.calls_to("sendMessage")]
    assert answered[0] == {"Alice": alice.id, "Bea": bea.id}[first]


async def test_running_updates_are_bounded(make_settings, bot_factory, tg):
    await bot_factory(make_settings(max_concurrent_updates=2))
    people = [tg.user(f"Person{i}") for i in range(6)]
    tg.latency = 0.2
    tg.peak_in_flight = 0
    for person in people:
        await person.send("/topic x")
    for person in people:
        await person.wait_for("topic", timeout=10)
    assert tg.peak_in_flight == 2


async def test_forms_of_people_filled_at_the_same_time(bot, tg, alice, staff_group):
    """Both answer each question at once: their updates run side by side."""
    tg.latency = LATENCY
    bea = tg.user("Bea")

    async def both(answers: tuple[str, str], question: str) -> list:
        mark = tg.mark()
        await alice.send(answers[0])
        await bea.send(answers[1])
        return [await user.wait_for(question, since=mark, timeout=10) for user in (alice, bea)]

    await both(("/consult", "/consult"), "What is your name")
    await both(("Alice", "Bea"), "How should the clinic reach you")
    await both(("alice@example.com", "bea@example.com"), "When suits you best")
    topics = await both(("Weekday evenings", "Weekends"), "What would you like to talk about")
    await both((topics[0].buttons[0], topics[1].buttons[1]), "Anything you'd like")
    await both(("Sleep", "Mood"), "May I share these details")
    summaries = await both(("✅ Yes, share them",) * 2, "Send it to the clinic?")
    for user, summary in zip((alice, bea), summaries, strict=True):
        await user.press(summary, "Send")
    await tg.wait_until(lambda: len(cards(staff_group)) == 2 or None, timeout=10)
    await settled(bot, tg)
    async with bot.deps.db.session() as session:
        rows = list(await session.scalars(select(ConsultRequest).order_by(ConsultRequest.name)))
    assert [(r.name, r.user_id, r.contact_value, r.preferred_time, r.note) for r in rows] == [
        ("Alice", alice.id, "alice@example.com", "Weekday evenings", "Sleep"),
        ("Bea", bea.id, "bea@example.com", "Weekends", "Mood"),
    ]


async def test_answers_sent_without_waiting_land_in_their_steps(bot, tg, alice):
    tg.latency = LATENCY
    await alice.send("/consult")
    await alice.send("Alice")
    await alice.send("alice@example.com")
    await alice.send("Weekday evenings")
    await alice.wait_for("What would you like to talk about", timeout=10)
    assert not replies(alice, "doesn't look like")  # each answer reached its own question


async def test_flood_guard_counts_a_burst_exactly(make_settings, bot_factory, tg, alice):
    await bot_factory(make_settings(user_rate_per_minute=5))
    tg.latency = LATENCY
    for number in range(9):
        await alice.send(f"/topic t{number}")
    await tg.wait_idle(timeout=10)
    assert len(replies(alice, "I don't know the topic")) == 5
    assert len(replies(alice, "slow down")) == 1


async def test_no_transaction_waits_for_telegram_during_a_staff_reply(
    bot, tg, alice, bob, staff_group
):
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await settled(bot, tg)
    held = tg.delay("getChatMember", 3.0, times=1)  # the staff check of the reply
    await bob.reply(card, "Hello from the clinic")
    await held_now(held)
    await asyncio.wait_for(write_something(bot), timeout=1.5)
    await alice.wait_for("Hello from the clinic", timeout=10)


async def test_no_transaction_waits_for_telegram_when_not_subscribed(bot, tg, alice):
    await alice.send("/help")
    await alice.wait_for()
    held = tg.delay("answerCallbackQuery", 3.0, times=1)
    await alice.press_data(alice.last, "sub:topic:omega3")
    await held_now(held)
    await asyncio.wait_for(write_something(bot), timeout=1.5)


async def held_now(rule) -> None:
    """Until the fake holds the call ``rule`` delays (the bot is waiting for Telegram)."""
    # The fake announces a call when it ends, not while a delay holds it: hence a poll.
    await eventually(lambda: rule.hits, interval=0.01, what="the delayed call being made")


async def write_something(bot) -> None:
    """A write transaction (on SQLite it needs the database-wide write lock)."""
    async with bot.deps.db.session() as session:
        await session.execute(select(Subscriber).with_for_update())
        session.add(
            Subscriber(user_id=1, timezone="UTC", send_time=bot.deps.settings.default_send_time)
        )


async def test_form_summary_matches_under_latency(bot, tg, alice):
    tg.latency = LATENCY
    summary = await fill_form(alice)
    assert "alice@example.com" in summary.text


# ----------------------------------------------------------------------------- the processor


def message_update(update_id: int, chat_id: int) -> Update:
    chat, user = Chat(chat_id, Chat.PRIVATE), User(chat_id, "Someone", is_bot=False)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_processor_orders_each_chat_and_bounds_the_rest():
    processor = PerChatUpdateProcessor(2)
    events: list[tuple[str, int]] = []
    running = peak = 0

    async def handle(update_id: int, seconds: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        events.append(("start", update_id))
        await asyncio.sleep(seconds)
        events.append(("end", update_id))
        running -= 1

    plan = [(1, 7, 0.05), (2, 7, 0.0), (3, 8, 0.01), (4, 9, 0.01), (5, 7, 0.0)]  # id, chat, s
    await asyncio.gather(
        *(
            processor.process_update(message_update(uid, chat), handle(uid, seconds))
            for uid, chat, seconds in plan
        )
    )
    chat_7 = [uid for kind, uid in events if kind == "start" and uid in (1, 2, 5)]
    assert chat_7 == [1, 2, 5]
    assert events.index(("end", 1)) < events.index(("start", 2))
    assert events.index(("start", 3)) < events.index(("end", 1))  # another chat did not wait
    assert peak == 2
    assert processor.waiting_chats == 0


async def test_a_cancelled_update_keeps_the_next_one_waiting():
    processor = PerChatUpdateProcessor(4)
    order: list[int] = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        order.append(1)

    async def never_runs() -> None:
        order.append(2)

    async def third() -> None:
        order.append(3)

    first = asyncio.create_task(processor.process_update(message_update(1, 7), slow()))
    await asyncio.sleep(0)
    second = asyncio.create_task(processor.process_update(message_update(2, 7), never_runs()))
    await asyncio.sleep(0)
    last = asyncio.create_task(processor.process_update(message_update(3, 7), third()))
    await asyncio.sleep(0.01)
    second.cancel()
    await asyncio.gather(first, last, second, return_exceptions=True)
    assert order == [1, 3]
    assert processor.waiting_chats == 0
