"""/forget reaches into the staff group (issue 15, item 5).

The fake Bot API's clock is the bot's ManualClock here, so the fake applies Telegram's
48-hour limit on deleting messages to the same time the bot lives in.
"""

from __future__ import annotations

import glob
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from fakegram import FakeTelegram
from tests.conftest import TOKEN
from tests.db_support import using_postgres
from tests.helpers.consult import settled, submit
from tests.helpers.language import spanish_in, spanish_request
from tipbot import texts
from tipbot.core.db import Database

REMOVED = "removed at the person's request"


@pytest.fixture
async def tg(clock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, clock=lambda: clock.now().timestamp()) as server:
        yield server


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, "member")
    return user


async def a_conversation(bot, tg, alice, bob, staff_group):
    """A request, one relayed message, one staff reply and its receipt in the staff group."""
    await submit(alice)
    card = await staff_group.wait_for("Consultation request #1")
    await alice.send("a private detail")
    relayed = await staff_group.wait_for("a private detail")
    reply = await bob.reply(card, "We will call you tomorrow")
    await alice.wait_for("We will call you tomorrow")
    receipt = await staff_group.wait_for("Delivered to the person")
    await settled(bot, tg)
    return card, [relayed, reply, receipt]


async def forget(bot, tg, alice):
    await alice.send("/forget")
    confirm = await alice.wait_for("Delete everything")
    await alice.press(confirm, "Yes")
    await tg.wait_until(lambda: "deleted all your data" in confirm.text)
    await settled(bot, tg)


async def test_forget_deletes_the_thread_in_the_staff_group(bot, tg, alice, bob, staff_group):
    card, thread = await a_conversation(bot, tg, alice, bob, staff_group)
    await forget(bot, tg, alice)
    await tg.wait_until(lambda: REMOVED in card.text)
    assert all(message.deleted for message in thread)
    assert not any("private detail" in m.text or "call you" in m.text for m in staff_group.messages)


async def test_after_48_hours_the_bots_messages_are_edited_instead(
    bot, tg, clock, alice, bob, staff_group
):
    card, [relayed, reply, receipt] = await a_conversation(bot, tg, alice, bob, staff_group)
    clock.advance(timedelta(hours=48, minutes=1))
    await forget(bot, tg, alice)
    await tg.wait_until(lambda: REMOVED in card.text)
    for message in (relayed, receipt):
        assert not message.deleted
        assert message.text == "🗑 Request #1: removed at the person's request."
    # A staff member's own message older than 48 hours is beyond any bot's reach.
    assert not reply.deleted
    assert not tg.internal_errors


async def test_a_bot_that_is_no_admin_leaves_staff_messages_alone(bot, tg, alice, bob, staff_group):
    card, [relayed, reply, receipt] = await a_conversation(bot, tg, alice, bob, staff_group)
    staff_group.bot_status = "member"
    await forget(bot, tg, alice)
    await tg.wait_until(lambda: REMOVED in card.text)
    assert relayed.deleted and receipt.deleted
    assert not reply.deleted


async def test_a_spanish_persons_forget_edits_the_staff_group_in_the_staff_language(
    bot, tg, clock, maria, bob, staff_group
):
    """The probe of issue 20: /forget more than 48 hours later edits the card and the relayed
    messages (too old to delete) to the removal line, in English, not in hers."""
    card = await spanish_request(bot, tg, maria, staff_group)
    await maria.send("ok 123")
    relayed = await staff_group.wait_for("ok 123")
    await settled(bot, tg)
    clock.advance(timedelta(hours=48, minutes=1))
    await maria.send("/forget")
    confirm = await maria.wait_for(texts.FORGET_CONFIRM.render("es")[:20])
    await maria.press(confirm, texts.BUTTON_FORGET_YES.render("es"))
    await tg.wait_until(lambda: confirm.text == texts.FORGOTTEN.render("es"))
    await settled(bot, tg)
    await tg.wait_until(lambda: "removed at the person's request" in card.text)
    assert relayed.text == "🗑 Request #1: removed at the person's request."
    assert "Solicitud" not in card.text and "eliminada" not in card.text
    assert spanish_in([card.text, relayed.text]) == []


@pytest.mark.skipif(using_postgres(), reason="an SQLite setting")
async def test_sqlite_overwrites_deleted_content_on_every_connection(database_url):
    database = Database(database_url, pool_size=2, max_overflow=0)
    try:
        async with database.engine.connect() as first, database.engine.connect() as second:
            for connection in (first, second):  # two connections of the pool
                assert await connection.scalar(text("PRAGMA secure_delete")) == 1
                await connection.commit()  # each statement runs in a write transaction
    finally:
        await database.dispose()


@pytest.mark.skipif(using_postgres(), reason="an SQLite file")
async def test_forgotten_words_are_not_left_in_the_sqlite_file(bot, tg, alice, bob, staff_group):
    """This machine's SQLite deletes securely by default, not every build does: the pragma
    makes it so everywhere (the test fails with secure_delete = OFF)."""
    await a_conversation(bot, tg, alice, bob, staff_group)
    await forget(bot, tg, alice)
    await bot.stop()  # closes every connection; the last one checkpoints the WAL
    content = database_files(make_url(bot.deps.db.url).database)
    for secret in ("Sleep is bad lately", "a private detail", "We will call you tomorrow"):
        assert secret.encode() not in content


def database_files(path: str) -> bytes:
    """The database file with its -wal and -shm files, if any are left."""
    return b"".join(Path(name).read_bytes() for name in glob.glob(f"{path}*"))
