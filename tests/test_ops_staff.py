"""Staff tools in the staff group: /stats, /broadcast (preview, confirm, resume), /reload."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fakegram import Errors
from tipbot.core.db.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    RequestStatus,
    Subscriber,
    SubscriptionStatus,
    TipVote,
)
from tipbot.staff import broadcast as broadcast_service


@pytest.fixture
def dana(tg, staff_group):
    """A clinic staff member, in the staff group."""
    user = tg.user("Dana")
    staff_group.add_member(user, "member")
    return user


async def subscribe_people(tg, count: int, prefix: str = "Person") -> list:
    people = [tg.user(f"{prefix}{i}") for i in range(count)]
    for person in people:
        await person.send("/start")
        await person.wait_for("Welcome")
    return people


def received(person, text: str) -> int:
    return sum(text in message.text for message in person.messages)


# ----------------------------------------------------------------------------- /stats


async def test_stats_shows_the_numbers(bot, tg, dana, staff_group, clock):
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await alice.send("/start flyer")
    await alice.wait_for("Welcome")
    await bob.send("/start")
    await bob.wait_for("Welcome")
    now = clock.now()
    async with bot.deps.db.session() as session:
        session.add_all(
            [
                Delivery(
                    subscriber_id=alice.id,
                    local_date=now.date(),
                    tip_id="omega3-mood",
                    status=DeliveryStatus.SENT,
                    due_at=now,
                    sent_at=now,
                ),
                # A crash left one pending two days ago (fate unknown); one is in flight now.
                *(
                    Delivery(
                        subscriber_id=bob.id,
                        local_date=(now - age).date(),
                        tip_id="omega3-mood",
                        status=DeliveryStatus.PENDING,
                        due_at=now - age,
                        created_at=now - age,
                    )
                    for age in (timedelta(days=2), timedelta(0))
                ),
                TipVote(subscriber_id=alice.id, tip_id="t-bad", topic="omega3", vote=-1),
                TipVote(subscriber_id=bob.id, tip_id="t-bad", topic="omega3", vote=-1),
                TipVote(subscriber_id=bob.id, tip_id="t-good", topic="exercise", vote=1),
            ]
        )
        for minutes, status in ((30, RequestStatus.CLAIMED), (90, RequestStatus.CLOSED)):
            session.add(
                ConsultRequest(
                    user_id=alice.id,
                    name="Alice",
                    contact_kind="telegram",
                    preferred_time="mornings",
                    consent_at=now,
                    status=status,
                    created_at=now - timedelta(hours=3),
                    claimed_at=now - timedelta(hours=3) + timedelta(minutes=minutes),
                )
            )
        session.add(
            ConsultRequest(
                user_id=bob.id,
                name="Bob",
                contact_kind="telegram",
                preferred_time="any",
                consent_at=now,
            )
        )

    await dana.send("/stats", chat=staff_group)
    stats = (await staff_group.wait_for("Statistics")).text
    assert "Subscribers: active 2" in stats
    assert "New this week: 2" in stats
    assert "direct 1" in stats and "flyer 1" in stats
    assert "last 7 days: 1" in stats
    assert "Fate unknown (in flight during a crash): 1" in stats
    assert "omega3: 👍 0 / 👎 2" in stats and "exercise: 👍 1 / 👎 0" in stats
    assert "t-bad: 👍 0 / 👎 2" in stats and "t-good" not in stats.split("Least liked")[1]
    assert "claimed 1" in stats and "closed 1" in stats and "open 1" in stats
    assert "Median time to claim: 1 h 0 min" in stats


async def test_stats_on_an_empty_database(bot, dana, staff_group):
    await dana.send("/stats", chat=staff_group)
    stats = (await staff_group.wait_for("Statistics")).text
    assert "Subscribers: none yet" in stats and "Median time to claim: none yet" in stats


# ----------------------------------------------------------------------------- authority


@pytest.mark.parametrize("command", ["/broadcast Hello all", "/stats", "/reload"])
async def test_staff_tools_refused_to_a_subscriber_in_private(bot, tg, command):
    alice = tg.user("Alice")
    await alice.send(command)
    assert "for the clinic staff" in (await alice.wait_for()).text


async def test_non_member_in_the_staff_group_cannot_broadcast(bot, tg, staff_group):
    await subscribe_people(tg, 1)
    eve = tg.user("Eve")  # not a member of the staff group
    await eve.send("/broadcast Free pizza", chat=staff_group)
    assert "for the clinic staff" in (await staff_group.wait_for()).text
    async with bot.deps.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_staff_member_in_a_private_chat_is_refused(bot, dana):
    await dana.send("/broadcast Hello")
    assert "in the staff group" in (await dana.wait_for()).text


async def test_confirm_button_pressed_by_a_non_member_is_refused(bot, tg, dana, staff_group):
    people = await subscribe_people(tg, 1)
    await dana.send("/broadcast Closed on Friday", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    eve = tg.user("Eve")
    query = await eve.press(preview, "Send to 1")
    answer = await tg.wait_for_answer(query)
    assert answer.show_alert and "for the clinic staff" in answer.text
    await tg.wait_idle()
    assert received(people[0], "Closed on Friday") == 0


# ----------------------------------------------------------------------------- /broadcast


async def test_broadcast_preview_confirm_and_progress(bot, tg, dana, staff_group):
    people = await subscribe_people(tg, 3)
    # Blocked without the my_chat_member update: still "active" in the DB, the send tells us.
    tg.fail("sendMessage", chat_id=people[2].id, error=Errors.blocked(), times=None)
    await dana.send("/broadcast Closed on <Friday> & Saturday", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    assert "active subscribers (3)" in preview.text
    assert "Closed on <Friday> & Saturday" in preview.text  # escaped, shown as typed
    assert preview.buttons == ["✅ Send to 3", "✖️ Cancel"]

    await dana.press(preview, "Send to 3")
    await tg.wait_until(lambda: any("finished" in message.text for message in staff_group.messages))
    for person in people[:2]:
        assert received(person, "Closed on <Friday> & Saturday") == 1
    progress = staff_group.messages[-1]
    assert progress.text == "✅ Broadcast #1 finished: 2 / 3 sent, 1 blocked, 0 failed."
    assert staff_group.get(preview.message_id).buttons == []  # no second confirmation
    async with bot.deps.db.session() as session:
        sent = await session.get(Broadcast, 1)
        blocked = await session.get(Subscriber, people[2].id)
    assert sent.status is BroadcastStatus.DONE and (sent.sent, sent.blocked) == (2, 1)
    assert blocked.status is SubscriptionStatus.BLOCKED


async def test_broadcast_confirmed_twice_is_sent_once(bot, tg, dana, staff_group):
    people = await subscribe_people(tg, 2)
    await dana.send("/broadcast Hello everyone", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    await dana.press(preview, "Send to 2")
    await tg.wait_until(lambda: "finished" in staff_group.messages[-1].text)
    query = await dana.press_data(preview, "bcast:send:1")  # a stale or forged second press
    assert "already sent" in (await tg.wait_for_answer(query)).text
    await tg.wait_idle()
    assert [received(p, "Hello everyone") for p in people] == [1, 1]


async def test_broadcast_cancelled_sends_nothing(bot, tg, dana, staff_group):
    people = await subscribe_people(tg, 2)
    await dana.send("/broadcast Never mind", chat=staff_group)
    preview = await staff_group.wait_for("Preview")
    await dana.press(preview, "Cancel")
    await tg.wait_until(lambda: "cancelled" in staff_group.get(preview.message_id).text)
    await tg.wait_idle()
    assert [received(p, "Never mind") for p in people] == [0, 0]


async def test_broadcast_without_text_explains_usage(bot, dana, staff_group):
    await dana.send("/broadcast", chat=staff_group)
    assert "after the command" in (await staff_group.wait_for()).text


async def test_broadcast_too_long_is_refused(bot, tg, dana, staff_group):
    await subscribe_people(tg, 1)
    await dana.send("/broadcast " + "x" * 3600, chat=staff_group)
    assert "at most 3500" in (await staff_group.wait_for()).text


async def test_broadcast_without_subscribers(bot, dana, staff_group):
    await dana.send("/broadcast Anyone?", chat=staff_group)
    assert "no active subscribers" in (await staff_group.wait_for()).text


async def test_broadcast_interrupted_by_shutdown_resumes_without_duplicates(
    bot_factory, settings, bot, tg, dana, staff_group, monkeypatch
):
    monkeypatch.setattr(broadcast_service, "BATCH_SIZE", 2)
    people = await subscribe_people(tg, 7)
    for person in people:
        tg.delay("sendMessage", 0.2, chat_id=person.id)
    await dana.send("/broadcast Spring workshop", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 7")
    await tg.wait_until(lambda: any(received(p, "Spring workshop") for p in people))

    bot.deps.state.stopping = True  # what SIGTERM does first: finish the sends in flight, stop
    await bot.stop()
    async with bot.deps.db.session() as session:
        pending = await session.scalar(
            select(func.count()).where(BroadcastRecipient.status == "pending")
        )
    assert 0 < pending < 7
    assert sum(received(p, "Spring workshop") for p in people) == 7 - pending

    await bot_factory(settings)  # the restart: a start-up job resumes the broadcast
    await tg.wait_until(lambda: "finished" in staff_group.messages[-1].text, timeout=10)
    assert [received(p, "Spring workshop") for p in people] == [1] * 7
    assert staff_group.messages[-1].text.startswith("✅ Broadcast #1 finished: 7 / 7 sent")
    progress_messages = [m for m in staff_group.messages if "Broadcast #1" in m.text]
    assert len(progress_messages) == 1  # one message, edited


async def test_broadcast_resumed_after_a_crash_never_resends(
    bot_factory, settings, tg, staff_group, db, clock
):
    """A crash mid-batch leaves rows in "sending": they may have been delivered, so a resume
    sends only the pending ones (at most once)."""
    sent, in_flight, waiting = tg.user("Sent"), tg.user("InFlight"), tg.user("Waiting")
    async with db.session() as session:
        for person in (sent, in_flight, waiting):
            session.add(Subscriber(user_id=person.id, timezone="UTC", send_time=clock.now().time()))
        session.add(
            Broadcast(
                id=5,
                text="Holiday hours",
                created_by=1,
                status=BroadcastStatus.SENDING,
                total=3,
                progress_chat_id=staff_group.id,
            )
        )
        await session.flush()
        for person, status in ((sent, "sent"), (in_flight, "sending"), (waiting, "pending")):
            session.add(BroadcastRecipient(broadcast_id=5, subscriber_id=person.id, status=status))

    await bot_factory(settings)
    await tg.wait_until(lambda: staff_group.last and "finished" in staff_group.last.text)
    assert (received(sent, "Holiday"), received(in_flight, "Holiday")) == (0, 0)
    assert received(waiting, "Holiday") == 1
    assert staff_group.last.text == "✅ Broadcast #5 finished: 2 / 3 sent, 0 blocked, 0 failed."


# ----------------------------------------------------------------------------- /reload


async def test_reload_keeps_the_library_when_the_file_is_broken(
    bot_factory, make_settings, tg, dana, staff_group, library, tmp_path
):
    content = tmp_path / "tips.yaml"
    shutil.copy(library.path, content)
    bot = await bot_factory(make_settings(content=content))
    before = bot.deps.library

    content.write_text(content.read_text().replace("topic: omega3", "topic: omega33", 1))
    await dana.send("/reload", chat=staff_group)
    reply = (await staff_group.wait_for()).text
    assert "not reloaded" in reply and "unknown topic 'omega33'" in reply
    assert bot.deps.library is before

    content.write_text("tips: [unclosed")
    await dana.send("/reload", chat=staff_group)
    assert "malformed YAML" in (await staff_group.wait_for()).text
    assert bot.deps.library is before

    shutil.copy(library.path, content)
    await dana.send("/reload", chat=staff_group)
    reply = (await staff_group.wait_for()).text
    assert reply.startswith("✅ Tip library reloaded") and f"{len(library.tips)} tips" in reply
    assert bot.deps.library is not before


async def test_two_replicas_share_a_broadcast_and_send_each_copy_once(
    settings, tg, staff_group, db, clock, monkeypatch
):
    """Both replicas resume the same broadcast at once: claims never overlap."""
    from tipbot.app import build_application
    from tipbot.staff.broadcast import run_broadcast

    monkeypatch.setattr(broadcast_service, "BATCH_SIZE", 3)
    people = [tg.user(f"Reader{i}") for i in range(20)]
    async with db.session() as session:
        for person in people:
            session.add(Subscriber(user_id=person.id, timezone="UTC", send_time=clock.now().time()))
        draft = await broadcast_service.create_draft(session, "New opening hours", 1, clock.now())
    async with db.session() as session:
        assert await broadcast_service.confirm(session, draft.id, staff_group.id)

    replicas = [build_application(settings, clock=clock) for _ in range(2)]
    for application in replicas:
        await application.initialize()
    try:
        await asyncio.gather(*(run_broadcast(app, draft.id) for app in replicas))
    finally:
        for application in replicas:
            await application.shutdown()
            await application.post_shutdown(application)
    assert [received(p, "New opening hours") for p in people] == [1] * 20
    async with db.session() as session:
        done = await session.get(Broadcast, draft.id)
    assert done.status is BroadcastStatus.DONE and done.sent == 20
