"""Consultation services and plain functions, called directly: export, backoff, rendering."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from telegram.error import BadRequest, NetworkError

from tipbot import cli
from tipbot.consult.cards import render_card
from tipbot.consult.erase import forget_requests
from tipbot.consult.export import write_csv
from tipbot.consult.outbox_worker import backoff
from tipbot.consult.service import (
    FormAnswers,
    cancel_request,
    create_request,
    relay_from_person,
    staff_action,
    valid_email,
)
from tipbot.core.db.models import ConsultRequest, OutboxMessage, RequestStatus
from tipbot.core.sender import Outcome, classify

JUNE_1 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def answers(name: str = "Alice", **overrides: object) -> FormAnswers:
    values = {
        "name": name,
        "contact_kind": "email",
        "contact_value": f"{name.lower()}@example.com",
        "preferred_time": "Weekends",
        "topic": "omega3",
        "note": None,
    }
    values.update(overrides)
    return FormAnswers(**values)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("alice@example.com", True),
        ("a.b+tag@clinic.co.uk", True),
        ("alice@example", False),
        ("alice example.com", False),
        ("@example.com", False),
        ("alice@@example.com", False),
        ("a" * 250 + "@example.com", False),
    ],
)
def test_valid_email(text, ok):
    assert valid_email(text) is ok


def test_bad_request_is_permanent_not_a_network_error():
    # PTB's BadRequest subclasses NetworkError; the outbox must not retry it forever.
    assert classify(BadRequest("Can't parse entities"))[0] is Outcome.FAILED
    assert classify(BadRequest("Chat not found"))[0] is Outcome.GONE
    assert classify(NetworkError("Bad Gateway"))[0] is Outcome.TRANSIENT


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 40, 80]
    assert backoff(50) == backoff(10_000) == timedelta(minutes=10)


def test_card_buttons_follow_the_status(library):
    request = ConsultRequest(
        id=7,
        name="<b>Eve</b>",
        contact_kind="telegram",
        contact_value=None,
        preferred_time="Weekends",
        topic="omega3",
        note="a & b",
        source=None,
        status=RequestStatus.OPEN,
        created_at=JUNE_1,
    )
    text, keyboard = render_card(request, library)
    assert "&lt;b&gt;Eve&lt;/b&gt;" in text and "a &amp; b" in text  # user text escaped
    assert "message in Telegram" in text and library.topics["omega3"].title in text
    assert [b.callback_data for b in keyboard.inline_keyboard[0]] == [
        "staff:claim:7",
        "staff:close:7",
    ]
    request.status, request.claimed_by_name = RequestStatus.CLAIMED, "Bob"
    _, keyboard = render_card(request, library)
    assert [b.callback_data for b in keyboard.inline_keyboard[0]] == [
        "staff:unclaim:7",
        "staff:close:7",
    ]
    request.status = RequestStatus.CLOSED
    assert render_card(request, library)[1] is None


async def test_one_open_request_per_person(db):
    async with db.session() as session:
        first, created = await create_request(session, 1, answers(), now=JUNE_1)
        assert created
        again, created = await create_request(session, 1, answers(), now=JUNE_1)
        assert not created and again.id == first.id
        other, created = await create_request(session, 2, answers("Bob"), now=JUNE_1)
        assert created and other.id != first.id


async def test_state_changes_are_checked_again(db):
    async with db.session() as session:
        request, _ = await create_request(session, 1, answers(), now=JUNE_1)
        assert await cancel_request(session, request.id, user_id=2, now=JUNE_1) is None
        claim = await staff_action(
            session, request.id, "claim", staff_id=9, staff_name="Bob", now=JUNE_1
        )
        assert claim.outcome.value == "done"
        again = await staff_action(
            session, request.id, "claim", staff_id=8, staff_name="Carol", now=JUNE_1
        )
        assert again.outcome.value == "already_claimed" and request.claimed_by == 9
        close = await staff_action(
            session, request.id, "close", staff_id=8, staff_name="Carol", now=JUNE_1
        )
        assert close.outcome.value == "done"
        assert await relay_from_person(session, 1, "hi", now=JUNE_1) is None
        unknown = await staff_action(session, 999, "close", staff_id=8, staff_name="C", now=JUNE_1)
        assert unknown.outcome.value == "unknown"


async def test_forget_requests_without_a_posted_card_leaves_nothing_behind(db):
    async with db.session() as session:
        await create_request(session, 1, answers(), now=JUNE_1)
        await relay_from_person(session, 1, "my private question", now=JUNE_1)
        await create_request(session, 2, answers("Bob"), now=JUNE_1)
    async with db.session() as session:
        assert await forget_requests(session, 1, now=JUNE_1) == 1
    async with db.session() as session:
        rows = (await session.execute(OutboxMessage.__table__.select())).all()
        requests = (await session.execute(ConsultRequest.__table__.select())).all()
    assert [r.user_id for r in requests] == [2]
    assert len(rows) == 1 and "private" not in str(rows[0].payload)  # Bob's card only


def test_csv_cells_never_become_formulas():
    request = ConsultRequest(
        id=1,
        name="=HYPERLINK(1)",
        contact_kind="phone",
        contact_value="+15550001",
        preferred_time="-",
        topic=None,
        note="@everyone",
        source=None,
        status=RequestStatus.OPEN,
        created_at=JUNE_1,
    )
    out = io.StringIO()
    write_csv([request], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["name"] == "'=HYPERLINK(1)" and row["note"] == "'@everyone"
    assert row["contact"] == "+15550001"  # a phone number stays as it is


async def run_cli(monkeypatch, capsys, database_url, *args):
    monkeypatch.setenv("TIPBOT_DATABASE_URL", database_url)
    monkeypatch.delenv("TIPBOT_LOG_LEVEL", raising=False)
    code = await asyncio.to_thread(cli.main, ["export-requests", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_export_requests_csv(db, database_url, monkeypatch, capsys):
    async with db.session() as session:
        first, _ = await create_request(
            session, 1, answers(note='Line one\nsaid "hi", then left'), now=JUNE_1
        )
        second, _ = await create_request(
            session, 2, answers("Bob", contact_kind="telegram", contact_value=None), now=JUNE_1
        )
        second.created_at = JUNE_1 + timedelta(days=3)
        await staff_action(session, second.id, "claim", staff_id=9, staff_name="Carol", now=JUNE_1)

    code, out, _ = await run_cli(monkeypatch, capsys, database_url)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["number"] for row in rows] == [str(first.id), str(second.id)]
    alice, bob = rows
    assert alice["name"] == "Alice" and alice["contact"] == "alice@example.com"
    assert alice["note"] == 'Line one\nsaid "hi", then left'  # quoted, not broken
    assert alice["status"] == "open" and alice["created_at"] == "2026-06-01T09:00:00+00:00"
    assert alice["topic"] == "omega3" and alice["preferred_time"] == "Weekends"
    assert bob["contact_kind"] == "telegram" and bob["contact"] == ""
    assert bob["status"] == "claimed" and bob["claimed_by"] == "Carol"

    code, out, _ = await run_cli(monkeypatch, capsys, database_url, "--status", "claimed")
    assert [row["name"] for row in csv.DictReader(io.StringIO(out))] == ["Bob"]
    code, out, _ = await run_cli(monkeypatch, capsys, database_url, "--since", "2026-06-02")
    assert [row["name"] for row in csv.DictReader(io.StringIO(out))] == ["Bob"]


async def test_export_requests_rejects_bad_arguments(database_url, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        await run_cli(monkeypatch, capsys, database_url, "--status", "pending")
    assert exit_info.value.code == 2
    assert "expected one of open, claimed, closed, cancelled" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        await run_cli(monkeypatch, capsys, database_url, "--since", "yesterday")
    assert "expected a date like 2026-06-01" in capsys.readouterr().err


async def test_two_replicas_storing_the_same_persons_request_keep_one(database_url):
    """The database allows one open request per person, even when two replicas race."""
    from tipbot.core.db import Database

    async def create_in(db: Database) -> bool:
        async with db.session() as session:
            _, created = await create_request(session, 1, answers(), now=JUNE_1)
            return created

    first_db, second_db = Database(database_url), Database(database_url)
    try:
        async with first_db.session() as first:
            _, created = await create_request(first, 1, answers(), now=JUNE_1)
            assert created
            second = asyncio.create_task(create_in(second_db))
            await asyncio.sleep(0.3)  # let the second replica reach the database and wait
            assert not second.done()
        assert await second is False
        async with first_db.session() as session:
            rows = list(await session.scalars(select(ConsultRequest)))
            cards = await session.scalar(select(func.count()).select_from(OutboxMessage))
        assert len(rows) == 1 and cards == 1
    finally:
        await first_db.dispose()
        await second_db.dispose()
