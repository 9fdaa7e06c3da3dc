"""Issue 24 under every tip: "✅ I tried it", "⭐ Save" and /saved, "⏰ Later" (snooze);
why people leave; /mydata and /forget of all of it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tipbot.core.db.models import (
    Delivery,
    DeliveryStatus,
    SavedTip,
    StopReason,
    Subscriber,
    TipTried,
    TipView,
)
from tipbot.subscriber import marks

DAILY_BUTTONS = [
    "👍",
    "👎",
    "✅ I tried it",
    "⭐ Save",
    "⏰ Later",
    "➕ Another tip",
    "💬 Free consultation",
]


def _tip_id(message) -> str:
    return next(
        b["callback_data"].split(":", 1)[1]
        for b in message.inline_buttons
        if b["callback_data"].startswith("tried:")
    )


async def _count(bot, model) -> int:
    async with bot.deps.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def _daily_tip(bot, clock, user, **fields):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(bot.deps, user, timezone="UTC", send_time=time(8, 0), **fields)
    clock.set(due)
    await sweep(bot)
    (tip,) = tips_of(user)
    return tip


# ----------------------------------------------------------------------------- tried


async def test_tried_is_a_tick_of_ones_own_changeable_and_counted(bot, tg, clock, alice, library):
    tip = await _daily_tip(bot, clock, alice)
    assert tip.buttons == DAILY_BUTTONS
    answer = await tg.wait_for_answer(await alice.press(tip, "✅ I tried it"))
    assert "tried it" in answer.text
    await tg.wait_for_call("editMessageReplyMarkup")
    assert "✅ I tried it ✓" in tip.buttons and "⏰ Later" in tip.buttons
    # A vote keeps the tick (and "⏰ Later").
    await tg.wait_for_answer(await alice.press(tip, "👍"))
    await tg.wait_for_call("editMessageReplyMarkup")
    assert tip.buttons[:3] == ["👍 ✓", "👎", "✅ I tried it ✓"] and "⏰ Later" in tip.buttons
    async with bot.deps.db.session() as session:
        counts = await marks.tried_counts(session, library)
    tip_id = _tip_id(tip)
    assert counts.by_tip == {tip_id: 1}
    assert counts.by_topic == {library.tips[tip_id].topic: 1}
    # Pressed again: taken back.
    answer = await tg.wait_for_answer(await alice.press(tip, "✅ I tried it ✓"))
    assert "Taken back" in answer.text
    await tg.wait_for_call("editMessageReplyMarkup")
    assert "✅ I tried it" in tip.buttons
    assert await _count(bot, TipTried) == 0


async def test_tried_under_an_on_demand_tip_in_spanish(bot, tg, maria):
    await maria.send("/start")
    await maria.wait_for("Bienvenido")
    await maria.send("/tip")
    tip = await maria.wait_for("Fuente:")
    assert "⏰ Más tarde" not in tip.buttons  # only the daily tip can be moved
    answer = await tg.wait_for_answer(await maria.press(tip, "✅ Lo probé"))
    assert "probaste" in answer.text
    await tg.wait_for_call("editMessageReplyMarkup")
    assert "✅ Lo probé ✓" in tip.buttons
    # The tick shows when the same tip is shown again (e.g. by "Another tip" in a new round).
    async with bot.deps.db.session() as session:
        assert await marks.tip_state(session, maria.id, _tip_id(tip)) == marks.TipState(
            None, True, False
        )


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("tried:no-such-tip", "I don't know that tip any more."),
        ("tried:", "This button is no longer valid."),
        ("save:no-such-tip", "I don't know that tip any more."),
        ("later:", "This button is no longer valid."),
        ("snooze:5h:x", "This button is no longer valid."),
        ("snooze:1h:no-such-tip", "I don't know that tip any more."),
        ("saved:-1", "This button is no longer valid."),
        ("saved:abc", "This button is no longer valid."),
        ("sub:why:hate", "This button is no longer valid."),
    ],
)
async def test_forged_tip_buttons_store_nothing(bot, tg, clock, alice, data, answer):
    tip = await _daily_tip(bot, clock, alice)
    assert (await tg.wait_for_answer(await alice.press_data(tip, data))).text == answer
    assert await _count(bot, TipTried) == 0 and await _count(bot, SavedTip) == 0
    assert await _count(bot, StopReason) == 0
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).snooze_delivery_id is None


async def test_tried_after_forget_asks_to_subscribe(bot, tg, clock, alice):
    tip = await _daily_tip(bot, clock, alice)
    await alice.send("/forget")
    await alice.press(await alice.wait_for("Delete everything"), "Yes, delete everything")
    await tg.wait_for_call("editMessageText")
    answer = await tg.wait_for_answer(await alice.press(tip, "✅ I tried it"))
    assert "/start" in answer.text
    assert await _count(bot, TipTried) == 0


# ----------------------------------------------------------------------------- saved


async def test_save_and_list_saved_tips_newest_first_paged(bot, tg, clock, alice, library):
    await alice.send("/saved")
    assert "no saved tips" in (await alice.wait_for("saved")).text
    await alice.send("/start")
    await alice.wait_for("Welcome")
    saved = []
    for _ in range(7):
        await alice.send("/omega3")
        tip = await alice.wait_for(lambda m: "Source:" in m.text and m["message_id"] not in saved)
        saved.append(tip["message_id"])
        clock.advance(minutes=1)
        await tg.wait_for_answer(await alice.press(tip, "⭐ Save"))
        await tg.wait_for_call("editMessageReplyMarkup")
        assert "⭐ Save ✓" in tip.buttons
    tips = [m for m in alice.messages if m["message_id"] in saved]
    texts_newest_first = [library.tips[_tip_id(t)].text for t in reversed(tips)]
    await alice.send("/saved")
    page = await alice.wait_for("Your saved tips")
    assert "1–5 of 7" in page.text and page.buttons == ["Older ▶️"]
    assert page.text.count("Source:") == 5
    positions = [page.text.index(text[:40]) for text in texts_newest_first[:5]]
    assert positions == sorted(positions)
    await alice.press(page, "Older ▶️")
    await tg.wait_for_call("editMessageText")
    assert "6–7 of 7" in page.text and page.buttons == ["◀️ Newer"]
    assert texts_newest_first[6][:40] in page.text
    # Un-saving one takes it off the list.
    await tg.wait_for_answer(await alice.press(tips[0], "⭐ Save ✓"))
    await tg.wait_for_call("editMessageReplyMarkup")
    await alice.press(page, "◀️ Newer")
    await tg.wait_for_call("editMessageText")
    assert "of 6" in page.text
    await alice.send("/mydata")
    assert "Saved tips: 6" in (await alice.wait_for("What I store")).text


async def test_saved_in_spanish(bot, tg, maria):
    await maria.send("/start")
    await maria.wait_for("Bienvenido")
    await maria.send("/tip")
    tip = await maria.wait_for("Fuente:")
    await tg.wait_for_answer(await maria.press(tip, "⭐ Guardar"))
    await maria.send("/saved")
    page = await maria.wait_for("Tus consejos guardados")
    assert "Fuente:" in page.text and "1–1 de 1" in page.text


# ----------------------------------------------------------------------------- snooze


async def _snooze(tg, user, tip, choice):
    await tg.wait_for_answer(await user.press(tip, "⏰ Later"))
    await tg.wait_for_call("editMessageReplyMarkup")
    assert tip.buttons == ["+1 h", "+3 h", "This evening (19:00)", "↩️ Back"]
    return await tg.wait_for_answer(await user.press(tip, choice))


async def test_snooze_three_hours_sends_the_same_tip_once_more_that_day(bot, tg, clock, alice):
    tip = await _daily_tip(bot, clock, alice)  # 08:00 UTC, Monday
    tip_id = _tip_id(tip)
    await _snooze(tg, alice, tip, "+3 h")
    await tg.wait_for_call("editMessageText")
    assert tip.text == "⏰ I'll send it again at 11:00." and tip.buttons == []
    async with bot.deps.db.session() as session:
        person = await session.get(Subscriber, alice.id)
        assert person.next_send_at == datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    clock.set(datetime(2026, 6, 1, 10, 59, tzinfo=UTC))
    await sweep(bot)
    assert len(tips_of(alice)) == 0  # the edited message has no buttons any more
    clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await sweep(bot)
    await sweep(bot)
    (again,) = tips_of(alice)
    assert _tip_id(again) == tip_id and "⏰ Later" not in again.buttons  # moves once
    async with bot.deps.db.session() as session:
        (delivery,) = (await session.scalars(select(Delivery))).all()
        assert delivery.status is DeliveryStatus.SENT and delivery.snoozed_at is not None
        assert (await session.get(TipView, alice.id)).daily == 1  # still that day's one tip
        person = await session.get(Subscriber, alice.id)
        assert person.snooze_delivery_id is None
        assert person.next_send_at == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    # No second tip that day; the next day's comes as usual.
    clock.set(datetime(2026, 6, 1, 23, 0, tzinfo=UTC))
    await sweep(bot)
    assert len(tips_of(alice)) == 1
    clock.set(datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
    await sweep(bot)
    assert len(tips_of(alice)) == 2 and "⏰ Later" in tips_of(alice)[-1].buttons


async def test_snooze_to_this_evening_in_the_persons_zone_and_spanish(bot, tg, clock, maria):
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    due = await add_subscriber(
        bot.deps, maria, timezone="Europe/Madrid", send_time=time(9, 0), language="es"
    )
    clock.set(due)
    await sweep(bot)
    (tip,) = tips_of(maria)
    await tg.wait_for_answer(await maria.press(tip, "⏰ Más tarde"))
    await tg.wait_for_call("editMessageReplyMarkup")
    await maria.press(tip, "Esta tarde (19:00)")
    await tg.wait_for_call("editMessageText")
    assert tip.text == "⏰ Te lo vuelvo a enviar a las 19:00."
    async with bot.deps.db.session() as session:
        at = (await session.get(Subscriber, maria.id)).next_send_at
    assert at == datetime(2026, 6, 1, 17, 0, tzinfo=UTC)  # 19:00 CEST
    clock.set(at)
    await sweep(bot)
    assert len(tips_of(maria)) == 1 and "Fuente:" in tips_of(maria)[0].text


async def test_snooze_back_and_refusals(bot, tg, clock, alice):
    tip = await _daily_tip(bot, clock, alice)
    tip_id = _tip_id(tip)
    await tg.wait_for_answer(await alice.press(tip, "⏰ Later"))
    await tg.wait_for_call("editMessageReplyMarkup")
    await tg.wait_for_answer(await alice.press(tip, "↩️ Back"))
    await tg.wait_for_call("editMessageReplyMarkup")
    assert tip.buttons == DAILY_BUTTONS
    # Evening has passed (20:00 UTC): refused, nothing moves.
    clock.set(datetime(2026, 6, 1, 20, 0, tzinfo=UTC))
    answer = await _snooze(tg, alice, tip, "This evening (19:00)")
    assert "too late" in answer.text
    # An old tip (yesterday's) cannot be moved.
    clock.set(datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
    await sweep(bot)
    answer = await tg.wait_for_answer(await alice.press_data(tip, f"snooze:1h:{tip_id}"))
    assert "today's" in answer.text
    # Today's can, once.
    today = tips_of(alice)[-1]
    today_id = _tip_id(today)
    await _snooze(tg, alice, today, "+1 h")
    answer = await tg.wait_for_answer(await alice.press_data(today, f"snooze:3h:{today_id}"))
    assert "once" in answer.text
    async with bot.deps.db.session() as session:
        person = await session.get(Subscriber, alice.id)
    assert person.snoozed_until == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


async def test_a_changed_time_keeps_the_snooze_and_a_stop_drops_it(bot, tg, clock, alice):
    tip = await _daily_tip(bot, clock, alice)
    await _snooze(tg, alice, tip, "+1 h")
    await tg.wait_for_call("editMessageText")
    await alice.send("/time 21:00")
    await alice.wait_for("21:00")
    async with bot.deps.db.session() as session:
        person = await session.get(Subscriber, alice.id)
    assert person.next_send_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    await alice.send("/mydata")
    assert "Snoozed tip: 09:00" in (await alice.wait_for("What I store")).text
    await alice.send("/pause")
    await alice.wait_for("Paused")
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    await sweep(bot)
    assert tips_of(alice) == []


# ----------------------------------------------------------------------------- leaving


async def test_stop_offers_anonymous_reasons(bot, tg, alice, maria):
    for user, welcome, stop_yes, reason in (
        (alice, "Welcome", "Yes, unsubscribe", "Too often"),
        (maria, "Bienvenido", "Sí", "Ya lo sé"),
    ):
        await user.send("/start")
        await user.wait_for(welcome)
        await user.send("/stop")
        confirm = await user.wait_for(lambda m: m.buttons)
        await user.press(confirm, stop_yes)
        await tg.wait_for_call("editMessageText")
        assert len(confirm.buttons) == 4
        await user.press(confirm, reason)
        await tg.wait_for_call("editMessageText")
        assert confirm.buttons == []
        assert "/start" in confirm.text
    async with bot.deps.db.session() as session:
        assert await marks.stop_reason_counts(session) == {"often": 1, "known": 1}
        columns = set(StopReason.__table__.columns.keys())
    assert columns == {"reason", "count"}  # nothing that says who


async def test_a_reason_counts_only_from_someone_who_stopped(bot, tg, alice):
    await alice.send("/start")
    welcome = await alice.wait_for("Welcome")
    answer = await tg.wait_for_answer(await alice.press_data(welcome, "sub:why:often"))
    assert answer.text == "This button is no longer valid."
    assert await _count(bot, StopReason) == 0


# ----------------------------------------------------------------------------- data


async def test_mydata_shows_and_forget_deletes_all_of_it(bot, tg, clock, alice):
    tip = await _daily_tip(bot, clock, alice, send_days=0b0010101)
    await tg.wait_for_answer(await alice.press(tip, "✅ I tried it"))
    await tg.wait_for_call("editMessageReplyMarkup")
    await tg.wait_for_answer(await alice.press(tip, "⭐ Save"))
    await tg.wait_for_call("editMessageReplyMarkup")
    await alice.send("/mydata")
    data = await alice.wait_for("What I store")
    assert "Days: Mon, Wed, Fri" in data.text
    assert "Tips you tried: 1" in data.text and "Saved tips: 1" in data.text
    await alice.send("/forget")
    await alice.press(await alice.wait_for("Delete everything"), "Yes, delete everything")
    await tg.wait_for_call("editMessageText")
    assert await _count(bot, TipTried) == 0 and await _count(bot, SavedTip) == 0
    assert await _count(bot, Subscriber) == 0


async def test_tried_and_saved_rows_per_person(bot, tg, clock, alice, maria):
    """Each person's own tick: Maria's tick is not Alice's."""
    tip = await _daily_tip(bot, clock, alice)
    await add_subscriber(bot.deps, maria, timezone="UTC", send_time=time(8, 0))
    clock.set(clock.now() + timedelta(days=1))
    await sweep(bot)
    await tg.wait_for_answer(await alice.press(tip, "✅ I tried it"))
    async with bot.deps.db.session() as session:
        rows = (await session.execute(select(TipTried.user_id, TipTried.tip_id))).all()
    assert rows == [(alice.id, _tip_id(tip))]
