"""The inbox (issue 21 §1): an update Telegram was told we received is never lost, and never
handled twice; in-process here, with a real ``tipbot run`` killed in test_inbox_process.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select, update

from tests.conftest import START
from tests.helpers.delivery import add_subscriber
from tests.helpers.net import free_port
from tests.test_ops_web import SECRET, run_bot  # noqa: F401 - the runner fixture
from tipbot.core.db.models import InboxUpdate
from tipbot.core.inbox import KEEP_HANDLED, chat_of, forget_updates


def command(user, text: str, update_id: int, message_id: int = 700) -> dict:
    """A raw update as Telegram sends it: ``text`` is a command from ``user``."""
    name = text.split()[0]
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1780000000,
            "chat": user.chat_dict,
            "from": user.user_dict,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(name)}],
        },
    }


async def rows(db) -> list[InboxUpdate]:
    async with db.session() as session:
        return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))


async def keep(db, *payloads, owner: str = "a-replica-that-crashed") -> None:
    """Rows as a crash leaves them: stored (so acknowledged to Telegram), never handled."""
    async with db.session() as session:
        session.add_all(
            InboxUpdate(
                update_id=p["update_id"],
                chat_id=chat_of(p),
                payload=p,
                owner=owner,
                received_at=START,
            )
            for p in payloads
        )


def test_whose_update_it_is_is_read_from_the_raw_json(tg):
    alice, group = tg.user("Alice"), tg.group("Clinic staff")
    assert chat_of(command(alice, "/tip", 1)) == alice.id
    query = {"update_id": 2, "callback_query": {"id": "q", "from": alice.user_dict, "data": "x"}}
    assert chat_of(query) == alice.id  # an inline button without its message
    query["callback_query"]["message"] = {"message_id": 5, "date": 0, "chat": group.chat_dict}
    assert chat_of(query) == group.id
    assert chat_of({"update_id": 3, "poll": {"id": "p"}}) is None


async def test_each_update_is_kept_until_handled_then_its_words_are_dropped(bot, tg, alice, db):
    await alice.send("/help")
    await alice.wait_for("/consult")
    await tg.wait_idle()

    async def marked():
        kept = await rows(db)
        return kept and all(row.handled_at is not None for row in kept)

    await asyncio.wait_for(_until(marked), 5)
    (row,) = await rows(db)
    assert row.chat_id == alice.id and row.payload is None  # the text is gone once handled


async def test_handled_rows_are_pruned_after_minutes(bot, tg, alice, db, clock):
    await alice.send("/help")
    await alice.wait_for("/consult")
    await asyncio.wait_for(_until(lambda: _handled(db)), 5)
    assert await bot.deps.inbox.prune() == 0  # kept a while, to recognise a copy
    clock.advance(KEEP_HANDLED + timedelta(seconds=1))
    assert await bot.deps.inbox.prune() == 1
    assert await rows(db) == []


async def test_what_a_crash_left_is_handled_at_start_oldest_first_before_new_updates(
    bot_factory, settings, tg, alice, db
):
    bob = tg.user("Bob")
    await keep(db, command(alice, "/help", 40), command(alice, "/privacy", 41))
    await keep(db, command(bob, "/help", 42))
    # Telegram never confirmed the last batch: it sends it again, and alice writes on.
    await tg.inject(command(alice, "/privacy", 41))
    await tg.inject(command(alice, "/start", 43))
    await bot_factory(settings)

    await tg.wait_until(lambda: len(alice.messages) >= 3 and bob.messages)
    await tg.wait_idle()
    await asyncio.sleep(0.3)  # a second answer to the re-sent update would be here by now
    answered = [m.text for m in alice.messages]
    assert len(answered) == 3, answered  # /help, /privacy once, /start
    assert "/consult" in answered[0]  # in the order they were written
    assert "/consult" in bob.messages[0].text
    await asyncio.wait_for(_until(lambda: _handled(db, 4)), 5)


async def test_a_batch_telegram_sends_again_is_handled_once(bot, tg, alice):
    await tg.inject(command(alice, "/help", 500))
    await alice.wait_for("/consult")
    await tg.inject(command(alice, "/help", 500))  # the same update, fetched again
    await tg.inject(command(alice, "/privacy", 501))
    await tg.wait_until(lambda: len(alice.messages) >= 2)
    await tg.wait_idle()
    await asyncio.sleep(0.3)
    assert len(alice.messages) == 2


async def test_updates_not_kept_are_not_acknowledged_and_come_again(bot, tg, alice, db):
    """The database refuses the batch: getUpdates fails, PTB asks again with the same
    offset, and the update comes again once the database is back."""
    inbox = bot.deps.inbox
    real_store, failures = inbox.store, []

    async def flaky_store(payloads):
        if len(failures) < 2:
            failures.append(payloads)
            raise OSError("database is away")
        return await real_store(payloads)

    inbox.store = flaky_store
    await alice.send("/help")
    await alice.wait_for("/consult", timeout=15)
    assert len(failures) == 2  # asked twice more for the same batch, then kept it
    await tg.wait_idle()
    assert len(alice.messages) == 1


async def test_after_forget_no_update_of_the_person_holds_their_words(bot, tg, alice, db):
    await add_subscriber(bot.deps, alice)
    await alice.send("/forget")
    await alice.press(await alice.wait_for(), "Yes")
    await tg.wait_until(lambda: "deleted all your data" in alice.last.text)

    async def no_words_left() -> bool:
        async with db.session() as session:
            words = await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.chat_id == alice.id, InboxUpdate.payload.is_not(None))
            )
        return words == 0

    await asyncio.wait_for(_until(no_words_left), 5)


async def test_the_eraser_takes_only_the_persons_unhandled_updates(db, tg, alice):
    bob = tg.user("Bob")
    await keep(db, command(alice, "/help", 1), command(alice, "/tip", 2), command(bob, "/tip", 3))
    async with db.session() as session:
        await session.execute(
            update(InboxUpdate).where(InboxUpdate.update_id == 1).values(handled_at=START)
        )
    async with db.session() as session:
        assert await forget_updates(session, alice.id, now=START) == 1
    assert [row.update_id for row in await rows(db)] == [1, 3]


async def test_a_webhook_retry_is_answered_200_and_handled_once(run_bot, make_settings, tg):  # noqa: F811
    alice = tg.user("Alice")
    port = free_port()
    settings = make_settings(
        webhook_url=f"http://127.0.0.1:{port}/hook/tipbot", webhook_secret=SECRET, port=port
    )
    await run_bot(settings)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(3):  # Telegram retries when our 200 got lost on the way
            async with http.post(
                settings.webhook_url, json=command(alice, "/help", 7000), headers=headers
            ) as response:
                assert response.status == 200
    await alice.wait_for("/consult")
    await asyncio.sleep(0.3)
    await tg.wait_idle()
    assert len(alice.messages) == 1


async def test_a_webhook_update_the_database_cannot_keep_gets_503(run_bot, make_settings, tg):  # noqa: F811
    from tipbot.core.runtime import deps_of

    alice = tg.user("Alice")
    port = free_port()
    settings = make_settings(
        webhook_url=f"http://127.0.0.1:{port}/hook/tipbot", webhook_secret=SECRET, port=port
    )
    runner = await run_bot(settings)
    inbox = deps_of(runner.application).inbox

    async def away(payloads):
        raise OSError("database is away")

    real_store, inbox.store = inbox.store, away
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        url, body = settings.webhook_url, command(alice, "/help", 7100)
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 503  # Telegram keeps it and tries again
        await asyncio.sleep(0.3)
        assert alice.messages == []
        inbox.store = real_store
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 200
    await alice.wait_for("/consult")


async def _handled(db, count: int = 1) -> bool:
    kept = await rows(db)
    return len(kept) == count and all(row.handled_at is not None for row in kept)


async def _until(check) -> None:
    while not await check():  # noqa: ASYNC110 - a database row, not an event of ours
        await asyncio.sleep(0.02)


async def test_leftovers_the_start_could_not_read_are_handled_by_the_next_prune(bot, tg, alice, db):
    """The database was away at the start: the leftovers wait for the prune job, not for the
    next restart (on SQLite there is no pickup job)."""
    from types import SimpleNamespace

    from tipbot.core import inbox

    await keep(db, command(alice, "/help", 60))
    bot.deps.inbox.recovered = False  # as after a failed read in post_init
    await inbox.prune_job(SimpleNamespace(deps=bot.deps, application=bot.application))
    await alice.wait_for("/consult")
    assert bot.deps.inbox.recovered
