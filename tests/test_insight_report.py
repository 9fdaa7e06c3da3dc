"""``tipbot report DIR``: every digest figure as a CSV file, with known contents."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime

from tests.helpers import insight
from tipbot import cli
from tipbot.core.db.models import Subscriber

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


async def test_report_writes_every_figure(db, database_url, monkeypatch, capsys, tmp_path):
    await insight.seed(db, NOW)
    async with db.session() as session:  # a source a spreadsheet would run as a formula
        (await session.get(Subscriber, 5)).source = "-2+3"
    monkeypatch.setenv("TIPBOT_DATABASE_URL", database_url)
    monkeypatch.delenv("TIPBOT_LOG_LEVEL", raising=False)
    monkeypatch.setattr(cli, "_clock", lambda: type("C", (), {"now": staticmethod(lambda: NOW)}))
    out = tmp_path / "report"
    code = await asyncio.to_thread(cli.main, ["report", str(out)])
    assert code == 0
    printed = capsys.readouterr().out.split()
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"{n}.csv"
        for n in (
            "window",
            "subscribers_by_week",
            "new_by_source",
            "subscriber_totals",
            "tips_by_topic",
            "best_tips",
            "worst_tips",
            "consult_funnel",
            "request_times",
        )
    )
    assert len(printed) == len(names)

    assert read(out / "window.csv")[0] == {
        "window": "week",
        "since_utc": "2026-06-03T12:00:00+00:00",
        "until_utc": "2026-06-10T12:00:00+00:00",
    }
    totals = {r["status"]: r["subscribers"] for r in read(out / "subscriber_totals.csv")}
    assert totals == {"active": "4", "stopped": "1", "new_in_window": "2"}
    topics = {r["topic"]: r for r in read(out / "tips_by_topic.csv")}
    assert topics["omega3"] == {
        "topic": "omega3",
        "sent": "3",
        "up": "2",
        "down": "1",
        "tried": "2",
        "up_rate": "0.6667",
        "down_rate": "0.3333",
        "tried_rate": "0.6667",
    }
    assert [r["tip_id"] for r in read(out / "worst_tips.csv")] == ["exercise-01", "omega3-08"]
    assert [(r["step"], r["count"]) for r in read(out / "consult_funnel.csv")] == [
        ("tips", "4"),
        ("button", "6"),
        ("form", "4"),
        ("request", "3"),
        ("claimed", "2"),
        ("closed", "1"),
        ("rated", "1"),
    ]
    times = read(out / "request_times.csv")
    assert {
        "measure": "to_claim",
        "kind": "median",
        "from_seconds": "",
        "to_seconds": "",
        "value": "600",
    } in times
    assert {
        "measure": "to_close",
        "kind": "bucket",
        "from_seconds": "3600",
        "to_seconds": "14400",
        "value": "1",
    } in times
    sources = {r["source"] for r in read(out / "new_by_source.csv")}
    assert sources == {"", "flyer", "'-2+3"}
    assert sum(int(r["joined"]) for r in read(out / "subscribers_by_week.csv")) == 5


async def test_report_refuses_a_database_that_does_not_exist(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TIPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    code = await asyncio.to_thread(cli.main, ["report", str(tmp_path / "out")])
    assert code == 2
    assert "TIPBOT_DATABASE_URL" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
