"""Campaigns in a real ``tipbot run`` process: a SIGKILL in the middle of a targeted,
per-language campaign sends no second copy; a campaign scheduled while the bot was down
starts when it comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from tests.helpers.process import spawn_tipbot, tipbot_env
from tests.helpers.waiting import eventually
from tipbot.core.db.models import Broadcast, BroadcastRecipient, BroadcastStatus, Subscriber
from tipbot.core.sender import SendPolicy
from tipbot.staff import broadcast
from tipbot.staff.campaign import Options, Segment
from tipbot.subscriber.service import subscribe

RATE = 30
IN_FLIGHT_BOUND = 2 * RATE + SendPolicy(RATE).in_flight + RATE  # as in test_delivery_process


def copies(person, text: str) -> int:
    return sum(text in message.text for message in person.messages)


async def statuses(db, broadcast_id: int) -> dict[int, str]:
    async with db.session() as session:
        rows = await session.execute(
            select(BroadcastRecipient.subscriber_id, BroadcastRecipient.status).where(
                BroadcastRecipient.broadcast_id == broadcast_id
            )
        )
        return dict(rows.all())


async def status_of(db, broadcast_id: int) -> BroadcastStatus:
    async with db.session() as session:
        return (await session.get(Broadcast, broadcast_id, populate_existing=True)).status


async def test_a_kill_in_the_middle_of_a_campaign_sends_no_second_copy(
    tg, db, settings, library, staff_group, tmp_path
):
    spanish = [tg.user(f"Lector{i}", language_code="es") for i in range(150)]
    english = [tg.user(f"Reader{i}", language_code="en") for i in range(30)]
    now = datetime.now(UTC)
    async with db.session() as session:
        for person in spanish + english:
            await subscribe(session, person.id, settings=settings, library=library, now=now)
        await session.execute(
            update(Subscriber)
            .where(Subscriber.user_id.in_([p.id for p in spanish]))
            .values(language="es")
        )
        draft = await broadcast.create_draft(
            session,
            "Open day",
            1,
            now,
            options=Options(Segment(languages=("es",))),
            texts_by_language={"es": "Jornada de puertas abiertas"},
        )
        later = await broadcast.create_draft(
            session,
            "Workshop",
            1,
            now,
            options=Options(Segment(languages=("en",)), "at", now + timedelta(days=1)),
        )
    async with db.session() as session:
        assert await broadcast.confirm(session, draft.id, staff_group.id, now)
        assert await broadcast.confirm(session, later.id, staff_group.id, now) is (
            BroadcastStatus.SCHEDULED
        )
    tg.delay("sendMessage", 0.05)  # Telegram's round trip
    env = tipbot_env(tg, settings.database_url, TIPBOT_STAFF_CHAT_ID=str(staff_group.id))
    log = (tmp_path / "tipbot.log").open("ab")

    def arrived() -> int:
        return sum(copies(person, "Jornada") for person in spanish)

    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:
        await tg.wait_until(lambda: arrived() >= 40, timeout=30)
        process.kill()
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    after_kill = await statuses(db, draft.id)
    unknown = {user for user, status in after_kill.items() if status == "sending"}
    assert len(unknown) <= IN_FLIGHT_BOUND
    assert "pending" in after_kill.values()  # killed in the middle
    async with db.session() as session:  # the scheduled one falls due while the bot is down
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id == later.id)
            .values(send_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:

        async def both_done() -> bool:
            return await status_of(db, draft.id) is BroadcastStatus.DONE and (
                await status_of(db, later.id) is BroadcastStatus.DONE
            )

        await eventually(both_done, timeout=60, interval=0.2, what="both campaigns done")
        await tg.wait_idle()
    finally:
        process.kill()
        await process.wait()

    received = {person.id: copies(person, "Jornada") for person in spanish}
    assert max(received.values()) == 1  # never twice
    assert not any(copies(person, "Jornada") or copies(person, "Open day") for person in english)
    assert all(copies(person, "Workshop") == 1 for person in english)
    assert not any(copies(person, "Workshop") for person in spanish)
    final = await statuses(db, draft.id)
    assert {user for user, status in final.items() if status == "sending"} == unknown
    assert all(received[user] == 1 for user, status in final.items() if status == "sent")
    assert set(final.values()) <= {"sent", "sending"}
    assert len(final) == 150
    async with db.session() as session:
        assert await session.scalar(
            select(func.count()).where(BroadcastRecipient.broadcast_id == later.id)
        ) == len(english)
