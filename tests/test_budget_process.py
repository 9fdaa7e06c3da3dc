"""Issue 21 §2: SIGTERM never hangs on a rate wait, in a real ``tipbot run`` process.

Sixty relayed messages wait in the outbox for the staff group, which Telegram (and the fake,
``limit_group_sends``) lets a bot post into 20 times a minute: the worker is waiting for the
group's next slot when SIGTERM comes. The process exits 0 within 5 s; the rows it did not
send go back unlocked with no attempt counted, and after the restart every message reaches
the staff group exactly once.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime

from sqlalchemy import select

from tests.helpers.process import spawn_tipbot, tipbot_env
from tipbot.consult.outbox import Kind, enqueue
from tipbot.core.db.models import ConsultRequest, OutboxMessage, OutboxStatus

BACKLOG = 60


async def queue_relays(db, staff_group) -> None:
    """A request already posted to the staff group, and 60 relayed messages for its thread."""
    now = datetime.now(UTC)
    async with db.session() as session:
        request = ConsultRequest(
            user_id=4242,
            name="Pat",
            contact_kind="telegram",
            preferred_time="mornings",
            consent_at=now,
            staff_chat_id=staff_group.id,
            staff_message_id=1,
        )
        session.add(request)
        await session.flush()
        for number in range(BACKLOG):
            enqueue(session, Kind.THREAD, now=now, request_id=request.id, text=f"relay {number}")


def relays_in(tg, staff_group) -> list[str]:
    """The relayed texts the staff group received (429s are not messages)."""
    return [
        call.params["text"]
        for call in tg.calls_to("sendMessage", chat_id=staff_group.id)
        if call.ok and call.params["text"].startswith("relay ")
    ]


async def outbox_rows(db) -> list[OutboxMessage]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_sigterm_with_a_staff_group_backlog_exits_0_within_5_s_and_loses_nothing(
    tg, db, settings, staff_group, tmp_path
):
    await queue_relays(db, staff_group)
    tg.limit_group_sends(20)
    tg.delay("sendMessage", 0.05)  # Telegram's round trip
    env = tipbot_env(tg, settings.database_url, TIPBOT_STAFF_CHAT_ID=str(staff_group.id))
    log = (tmp_path / "tipbot.log").open("ab")
    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:
        await tg.wait_until(lambda: len(relays_in(tg, staff_group)) >= 20, timeout=30)
        await asyncio.sleep(1.0)  # the worker now waits for the group's next slot
        assert len(relays_in(tg, staff_group)) == 20
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
        took = time.monotonic() - signalled
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, (tmp_path / "tipbot.log").read_text()[-3000:]
    assert took < 5, f"SIGTERM took {took:.1f} s"
    rows = await outbox_rows(db)
    sent = [row for row in rows if row.status == OutboxStatus.SENT]
    waiting = [row for row in rows if row.status == OutboxStatus.PENDING]
    assert len(sent) == 20 and len(waiting) == BACKLOG - 20
    # Given back: unlocked, never attempted, due at once.
    assert all(row.locked_until is None and row.attempts == 0 for row in waiting)
    assert not [call for call in tg.calls_to("sendMessage") if not call.ok]  # no 429

    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:  # the next 40 go at the group's pace: two more minutes of Telegram's window
        await tg.wait_until(lambda: len(relays_in(tg, staff_group)) >= BACKLOG, timeout=200)
        await asyncio.sleep(0.5)
    finally:
        process.kill()
        await process.wait()
    relays = relays_in(tg, staff_group)
    assert sorted(relays) == sorted(f"relay {number}" for number in range(BACKLOG))  # once each
    assert relays == [f"relay {number}" for number in range(BACKLOG)]  # in order
    assert not [call for call in tg.calls_to("sendMessage") if not call.ok]  # no 429
