"""Campaigns (issue 25) and quiet broadcasts (issue 24): /broadcast to a segment, a text per
language, at a time or at each person's own time, /broadcasts to cancel, silent at night,
a photo and a button; always once, and never to someone who left."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers.delivery import add_subscriber
from tests.helpers.waiting import eventually
from tipbot.core.db.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    SubscriptionStatus,
)
from tipbot.staff import broadcast as service


@pytest.fixture
def dana(tg, staff_group):
    """A clinic staff member, in the staff group."""
    user = tg.user("Dana")
    staff_group.add_member(user, "member")
    return user


def received(person, text: str) -> int:
    return sum(text in message.text for message in person.messages)


async def people(bot, tg, alice, maria):
    """Alice (English, from the flyer, stress only), María (Spanish, since 2026-05-01), Bob
    (English, no link, every topic, paused), Chen (English, Tokyo, omega3)."""
    bob, chen = tg.user("Bob", language_code="en"), tg.user("Chen", language_code="en")
    now = bot.deps.clock.now()
    await add_subscriber(
        bot.deps, alice, timezone="UTC", send_time=time(9, 0), topics=["stress"], source="flyer"
    )
    await add_subscriber(
        bot.deps,
        maria,
        timezone="Europe/Madrid",
        send_time=time(7, 30),
        language="es",
        created_at=now - timedelta(days=31),
    )
    await add_subscriber(
        bot.deps,
        bob,
        timezone="UTC",
        created_at=now - timedelta(days=400),
        status=SubscriptionStatus.PAUSED,
    )
    await add_subscriber(bot.deps, chen, timezone="Asia/Tokyo", topics=["omega3"])
    return alice, maria, bob, chen


async def finished(tg, staff_group, number: int) -> None:
    await tg.wait_until(
        lambda: any(f"Broadcast #{number} finished" in m.text for m in staff_group.messages)
    )


async def workers_done(bot) -> None:
    """Until this replica's campaign workers have ended (a tick while one is ending waits
    for the next tick, a minute later in production)."""
    await eventually(lambda: not bot.deps.state.broadcasts, what="the campaign workers' end")


async def broadcasts_in_db(bot) -> int:
    async with bot.deps.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Broadcast))


# ----------------------------------------------------------------------------- segments


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("lang=es", {"María"}),
        ("lang=en topic=stress,omega3", {"Alice", "Chen"}),
        ("source=flyer", {"Alice"}),
        ("source=none since=2026-05-01", {"María", "Chen"}),
        ("status=all topic=/omega3", {"Bob", "Chen", "María"}),  # a command names a topic
        ("status=paused", {"Bob"}),
    ],
)
async def test_a_campaign_to_a_segment_reaches_exactly_that_segment_once(
    bot, tg, alice, maria, dana, staff_group, options, expected
):
    everyone = await people(bot, tg, alice, maria)
    await dana.send(f"/broadcast {options} Spring workshop", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    assert f"for {len(expected)} subscribers" in preview.text
    assert options.split()[0].split("=")[0] in preview.text  # the segment, as typed
    await dana.press(preview, f"Send to {len(expected)}")
    await finished(tg, staff_group, 1)
    await tg.wait_idle()
    got = {person.first_name for person in everyone if received(person, "Spring workshop")}
    assert got == expected
    assert all(received(person, "Spring workshop") <= 1 for person in everyone)


async def test_the_preview_counts_per_language_and_shows_each_text(
    bot, tg, alice, maria, dana, staff_group
):
    await people(bot, tg, alice, maria)
    await dana.send(
        "/broadcast status=all Open day on <b>Friday</b>\n[es]\nJornada de puertas abiertas "
        "el <i>viernes</i>",
        chat=staff_group,
        parse_mode="HTML",
    )
    preview = await staff_group.wait_for("Preview")
    assert "By language: en 3, es 1" in preview.text
    assert "everyone else (3)" in preview.text and "es (1)" in preview.text
    assert "Open day on Friday" in preview.text and "Jornada de puertas abiertas" in preview.text
    await dana.press(preview, "Send to 4")
    await finished(tg, staff_group, 1)
    spanish = [m for m in maria.messages if "Jornada" in m.text]
    assert len(spanish) == 1 and received(maria, "Open day") == 0
    assert {"type": "italic", "offset": 31, "length": 7} in spanish[0].entities
    assert received(alice, "Open day on Friday") == 1  # English: the default text, bold kept
    assert any(e["type"] == "bold" for e in alice.messages[-1].entities)


async def test_language_texts_alone_make_the_english_one_the_default(
    bot, tg, alice, maria, dana, staff_group
):
    await people(bot, tg, alice, maria)
    await dana.send("/broadcast\n[en]\nHello\n[es]\nHola", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 3")
    await finished(tg, staff_group, 1)
    assert received(maria, "Hola") == 1 and received(alice, "Hello") == 1


@pytest.mark.parametrize(
    ("command", "explanation"),
    [
        ("/broadcast lang=xx Hi", "the languages are en, es"),
        ("/broadcast topic=sleep Hi", "the topics are prebiotics"),
        ("/broadcast status=stopped Hi", "people who stopped or blocked the bot get no"),
        ("/broadcast since=2026-13-01 Hi", "year-month-day"),
        ("/broadcast source=a/b Hi", "the word after /start"),
        ("/broadcast lang= Hi", "needs a value"),
        ("/broadcast lang=es lang=en Hi", "is there twice"),
        ("/broadcast langs=es Hi", "I don't know the option langs"),
        ("/broadcast at=yesterday Hi", "at=2026-06-02T09:00"),
        ("/broadcast at=2026-05-31T09:00 Hi", "is in the past"),
        ("/broadcast at=2026-06-01T25:00 Hi", "clinic time, UTC"),
        ("/broadcast at=2030-01-01T09:00 Hi", "more than a year away"),
        ("/broadcast button=http://clinic.example Hi", "a link that starts with https://"),
        ("/broadcast photo=file.jpg Hi", "a photo's link"),
        ("/broadcast Hi\n[xx]\nHo", "I have no catalog for [xx]"),
        ("/broadcast Hi\n[es]\n", "The [es] text is empty"),
        ("/broadcast Hi\n[es]\nHola\n[es]\nOla", "two [es] texts"),
        ("/broadcast [es]\nHola", "The text for everyone else is missing"),
        ("/broadcast lang=es", "Write the announcement after the command"),
        ("/broadcast lang=en Hi\n[es]\n" + "x" * 3501, "at most 3500 fit"),
        ("/broadcast photo=https://clinic.example/a.jpg " + "x" * 1100, "at most 1024 fit"),
    ],
)
async def test_bad_options_get_a_friendly_explanation_and_send_nothing(
    bot, tg, alice, maria, dana, staff_group, command, explanation
):
    await people(bot, tg, alice, maria)
    await dana.send(command, chat=staff_group)
    reply = await staff_group.wait_for()
    assert explanation in reply.text
    assert await broadcasts_in_db(bot) == 0


async def test_an_empty_segment_says_so(bot, tg, alice, maria, dana, staff_group):
    await people(bot, tg, alice, maria)
    await dana.send("/broadcast source=radio Hi", chat=staff_group)
    reply = await staff_group.wait_for()
    assert "Nobody is in that segment (status=active · source=radio)" in reply.text


async def test_strangers_cannot_broadcast_list_or_cancel(bot, tg, alice, maria, dana, staff_group):
    await people(bot, tg, alice, maria)
    eve = tg.user("Eve")
    await eve.send("/broadcast lang=es at=tip Free pizza", chat=staff_group)
    await eve.send("/broadcasts", chat=staff_group)
    await tg.wait_idle()
    assert await broadcasts_in_db(bot) == 0
    await dana.send("/broadcast at=tip Workshop", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 3")
    listing = await _listing(dana, staff_group)
    query = await eve.press_data(listing, "bcast:cancel:1")
    await tg.wait_for_answer(query)
    async with bot.deps.db.session() as session:
        assert (await session.get(Broadcast, 1)).status is BroadcastStatus.SENDING


# ----------------------------------------------------------------------------- schedules


async def _listing(dana, staff_group):
    await dana.send("/broadcasts", chat=staff_group)
    return await staff_group.wait_for("broadcast")


async def test_a_scheduled_campaign_fires_at_its_time_in_the_clinic_zone(
    bot_factory, make_settings, tg, alice, maria, dana, staff_group, clock
):
    bot = await bot_factory(make_settings(clinic_timezone="Europe/Madrid"))
    await people(bot, tg, alice, maria)
    # 06:00 UTC is 08:00 in Madrid: 11:00 there is 09:00 UTC.
    await dana.send("/broadcast lang=es at=11:00 Taller hoy\n[es]\nTaller hoy", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    assert "(clinic time, Europe/Madrid)" in preview.text and "11:00" in preview.text
    await dana.press(preview, "Schedule for 1")
    assert "is scheduled" in (await staff_group.wait_for("scheduled")).text
    listing = await _listing(dana, staff_group)
    assert "#1" in listing.text and "Taller hoy" in listing.text
    assert listing.buttons == ["✖️ Cancel #1"]

    clock.advance(timedelta(hours=2, minutes=59))
    assert await service.start_due(bot.application) == []
    await tg.wait_idle()
    assert received(maria, "Taller") == 0
    clock.advance(timedelta(minutes=1))
    assert await service.start_due(bot.application) == [1]
    await finished(tg, staff_group, 1)
    assert received(maria, "Taller hoy") == 1
    assert await service.start_due(bot.application) == []  # once
    await tg.wait_idle()
    assert received(maria, "Taller hoy") == 1
    assert "No broadcast is scheduled" in (await _listing(dana, staff_group)).text


async def test_a_scheduled_campaign_snapshots_the_segment_when_it_starts(
    bot, tg, alice, maria, dana, staff_group, clock
):
    await people(bot, tg, alice, maria)
    await dana.send("/broadcast lang=es at=2026-06-01T12:00 Hola", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Schedule for 1")
    await staff_group.wait_for("scheduled")
    late = tg.user("Lucía", language_code="es")
    await add_subscriber(bot.deps, late, timezone="UTC", language="es")
    clock.advance(timedelta(hours=6))
    await service.start_due(bot.application)
    await finished(tg, staff_group, 1)
    assert received(late, "Hola") == 1 and received(maria, "Hola") == 1


async def test_a_scheduled_campaign_can_be_cancelled_before_it_starts(
    bot, tg, alice, maria, dana, staff_group, clock
):
    await people(bot, tg, alice, maria)
    await dana.send("/broadcast at=2026-06-01T10:00 Never mind", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Schedule for 3")
    await staff_group.wait_for("scheduled")
    listing = await _listing(dana, staff_group)
    await dana.press(listing, "Cancel #1")
    await tg.wait_until(lambda: "cancelled" in staff_group.get(listing.message_id).text)
    query = await dana.press_data(listing, "bcast:cancel:1")  # again: already cancelled
    assert "already sent or cancelled" in (await tg.wait_for_answer(query)).text
    clock.advance(timedelta(hours=5))
    assert await service.start_due(bot.application) == []
    await tg.wait_idle()
    assert all(received(p, "Never mind") == 0 for p in (alice, maria))


async def test_with_tomorrows_tip_each_person_at_their_own_time_and_forget_honoured(
    bot, tg, alice, maria, dana, staff_group, clock
):
    alice, maria, bob, chen = await people(bot, tg, alice, maria)
    await dana.send(
        "/broadcast at=tip New topic soon\n[es]\nPronto, un tema nuevo", chat=staff_group
    )
    preview = await staff_group.wait_for("Preview")
    assert "With each person's next tip" in preview.text
    await dana.press(preview, "Send to 3")  # Bob is paused: not active
    await tg.wait_idle()
    await workers_done(bot)
    assert received(alice, "New topic") == received(maria, "Pronto") == 0
    await maria.send("/forget")
    confirm = await maria.wait_for()
    await maria.press(confirm, confirm.buttons[0])  # "Sí, borrar todo"
    await tg.wait_until(lambda: "/start" in maria.last.text)

    clock.advance(timedelta(hours=3))  # 09:00 UTC: Alice's tip time
    await service.start_due(bot.application)
    await tg.wait_until(lambda: received(alice, "New topic") == 1)
    await workers_done(bot)
    assert received(chen, "New topic") == 0  # 08:00 in Tokyo was yesterday's 23:00 UTC
    clock.advance(timedelta(hours=15))  # 00:00 UTC = 09:00 in Tokyo, past Chen's 08:00
    await service.start_due(bot.application)
    await finished(tg, staff_group, 1)
    assert received(chen, "New topic") == 1 and received(alice, "New topic") == 1
    assert received(maria, "Pronto") == 0 and received(bob, "New topic") == 0
    async with bot.deps.db.session() as session:
        rows = dict(
            (
                await session.execute(
                    select(BroadcastRecipient.subscriber_id, BroadcastRecipient.status)
                )
            ).all()
        )
    assert rows == {alice.id: "sent", chen.id: "sent"}  # María's row went with /forget


async def test_a_campaign_at_peoples_own_time_can_be_cancelled_for_the_rest(
    bot, tg, alice, maria, dana, staff_group, clock
):
    alice, maria, _bob, chen = await people(bot, tg, alice, maria)
    await dana.send("/broadcast at=tip Reminder", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 3")
    await staff_group.wait_for("Broadcast #1")
    await workers_done(bot)
    clock.advance(timedelta(hours=3))
    await service.start_due(bot.application)
    await tg.wait_until(lambda: received(alice, "Reminder") == 1)
    await eventually(lambda: _sent(bot, 1, 1), what="Alice's copy recorded")
    listing = await _listing(dana, staff_group)
    assert "sending: 1 / 3 sent" in listing.text
    await dana.press(listing, "Cancel #1")
    await tg.wait_until(lambda: "nothing more" in staff_group.get(listing.message_id).text)
    clock.advance(timedelta(days=1))
    await service.start_due(bot.application)
    await tg.wait_idle()
    assert [received(p, "Reminder") for p in (alice, maria, chen)] == [1, 0, 0]


async def _sent(bot, broadcast_id: int, count: int) -> bool:
    async with bot.deps.db.session() as session:
        return (await service.tally(session, broadcast_id)).sent == count


# ----------------------------------------------------------------------------- quiet hours


def _silent(tg, person) -> list[bool]:
    return [
        bool(call.params.get("disable_notification"))
        for call in tg.calls_to(None, chat_id=person.id)
        if call.method in ("sendMessage", "sendPhoto") and "Heads up" in str(call.params)
    ]


async def test_a_broadcast_now_is_silent_where_it_is_night(
    bot, tg, alice, maria, dana, staff_group, clock
):
    alice, maria, _bob, chen = await people(bot, tg, alice, maria)
    clock.advance(timedelta(hours=-1))  # 05:00 UTC: 07:00 Madrid, 14:00 Tokyo
    await dana.send("/broadcast status=all Heads up\n[es]\nAtención: Heads up", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 4")
    await finished(tg, staff_group, 1)
    assert _silent(tg, alice) == [True] and _silent(tg, maria) == [True]
    assert _silent(tg, chen) == [False]


async def test_a_daytime_campaign_reaches_each_person_within_their_day(
    bot, tg, alice, maria, dana, staff_group, clock
):
    alice, maria, _bob, chen = await people(bot, tg, alice, maria)
    await dana.send("/broadcast at=daytime Heads up", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    assert "between 08:00 and 21:00 their time" in preview.text
    await dana.press(preview, "Send to 3")
    # María's tip time 07:30 Madrid moves to 08:00 Madrid = 06:00 UTC: due now.
    await tg.wait_until(lambda: received(maria, "Heads up") == 1)
    await workers_done(bot)
    clock.advance(timedelta(hours=3))  # Alice's 09:00
    await service.start_due(bot.application)
    await tg.wait_until(lambda: received(alice, "Heads up") == 1)
    await workers_done(bot)
    assert received(chen, "Heads up") == 0
    clock.advance(timedelta(hours=14))  # 23:00 UTC = 08:00 Tokyo
    await service.start_due(bot.application)
    await finished(tg, staff_group, 1)
    assert [_silent(tg, p) for p in (alice, maria, chen)] == [[False]] * 3


# ----------------------------------------------------------------------------- photo, button


async def test_a_photo_and_the_consultation_button_come_with_the_text(
    bot, tg, alice, maria, dana, staff_group
):
    await people(bot, tg, alice, maria)
    photo = await dana.send_media("photo", chat=staff_group)
    await dana.send(
        "/broadcast lang=en,es button=consult Free check-ups in June\n[es]\nRevisiones gratis",
        chat=staff_group,
        reply_to=photo,
    )
    preview = await staff_group.wait_for("Preview")
    assert "With a photo" in preview.text and "Free consultation" in preview.text
    await dana.press(preview, "Send to 3")
    await finished(tg, staff_group, 1)
    english = alice.messages[-1]
    assert english.text == "Free check-ups in June" and "photo" in english
    assert english.buttons == ["💬 Free consultation"]
    spanish = maria.messages[-1]
    assert spanish.text == "Revisiones gratis" and "photo" in spanish
    assert "consulta" in spanish.buttons[0].lower()
    await alice.press(english, english.buttons[0])
    assert "name" in (await alice.wait_for()).text.lower()  # the consultation form begins


async def test_a_photo_link_and_a_link_button(bot, tg, alice, maria, dana, staff_group):
    await people(bot, tg, alice, maria)
    await dana.send(
        "/broadcast lang=es photo=https://clinic.example/open-day.jpg "
        "button=https://clinic.example/open-day Jornada de puertas abiertas",
        chat=staff_group,
    )
    await dana.press(await staff_group.wait_for("Preview"), "Send to 1")
    await finished(tg, staff_group, 1)
    message = maria.messages[-1]
    assert "photo" in message and message.text == "Jornada de puertas abiertas"
    (button,) = message.inline_buttons
    assert button["url"] == "https://clinic.example/open-day"
    assert button["text"] != "🔗 Learn more"  # in María's language


async def test_a_spanish_speaking_staff_gets_the_explanations_and_preview_in_spanish(
    bot_factory, make_settings, tg, alice, maria, dana, staff_group
):
    bot = await bot_factory(make_settings(staff_language="es"))
    await people(bot, tg, alice, maria)
    await dana.send("/broadcast lang=fr Bonjour", chat=staff_group)
    assert "los idiomas son en, es" in (await staff_group.wait_for()).text
    await dana.send("/broadcast lang=es at=daytime Hola", chat=staff_group)
    preview = await staff_group.wait_for("Vista previa")
    assert "Por idioma: es 1" in preview.text and "de su hora" in preview.text
    assert preview.buttons[0] == "✅ Enviar a 1" or preview.buttons[0].startswith("✅")
