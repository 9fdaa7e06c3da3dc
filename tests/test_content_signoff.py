"""Clinical sign-off: what changed since it, recording it, and the warning at start."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import shutil
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.helpers.process import spawn_tipbot, tipbot_env
from tipbot import cli
from tipbot.cli import main
from tipbot.core.clock import ManualClock
from tipbot.core.config import PROJECT_CONTENT
from tipbot.core.content import load_library
from tipbot.core.content.signoff import (
    Change,
    changes_since,
    fingerprint,
    latest_signoff,
    read_signoffs,
    unsigned,
)

SIGNED_ON = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)


@pytest.fixture
def tips(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the shipped library (English and Spanish, no sign-off) in ``tmp_path``."""
    for path in (PROJECT_CONTENT, *PROJECT_CONTENT.parent.glob("tips.*.yaml")):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(cli, "_clock", lambda: ManualClock(SIGNED_ON))
    return tmp_path / "tips.yaml"


def edit(path: Path, change: Callable[[dict], object]) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def tip(raw: dict, tip_id: str) -> dict:
    return next(entry for entry in raw["tips"] if entry["id"] == tip_id)


def sign_off(tips: Path, name: str = "Dr. Ana Ruiz") -> None:
    assert main(["check-content", str(tips), "--sign-off", name]) == 0


def diff(tips: Path) -> list[Change]:
    library = load_library(tips)
    return changes_since(library, latest_signoff(library))


def test_without_a_sign_off_every_tip_is_unsigned(tips, capsys):
    library = load_library(tips)
    changes = diff(tips)
    assert [c.tip_id for c in changes] == list(library.tips)
    assert {c.describe() for c in changes} == {"added"}
    assert main(["check-content", str(tips)]) == 0
    out = capsys.readouterr().out
    assert f"sign-off: none recorded yet: {len(library.tips)} tips are not signed off" in out
    assert out.rstrip().endswith("OK")


def test_the_shipped_file_records_no_sign_off():
    """No clinician has signed the library: the shipped file must say so, not fake one."""
    assert read_signoffs(PROJECT_CONTENT.parent / "signoff.yaml") == []
    assert "No clinician has signed off" in (PROJECT_CONTENT.parent / "signoff.yaml").read_text()


def test_sign_off_records_who_when_and_every_tip(tips, capsys):
    library = load_library(tips)
    sign_off(tips, "  Dr.  Ana Ruiz ")
    assert "signed off" in capsys.readouterr().out
    path = tips.parent / "signoff.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Clinical sign-off of the tip library")  # says what is hashed
    assert "`citation=` the cited reference's citation" in text
    (entry,) = yaml.safe_load(text)["signoffs"]
    assert entry["by"] == "Dr. Ana Ruiz"
    assert entry["date"] == "2026-12-03"  # the injected clock's (UTC) date
    assert list(entry["tips"]) == list(library.tips)
    parts = [part.partition("=")[0] for part in entry["tips"]["prebiotics-01"].split()]
    assert parts == ["text", "basis", "citation", "es"]
    assert diff(tips) == []
    assert main(["check-content", str(tips)]) == 0
    expected = f"sign-off: all {len(library.tips)} tips signed off by Dr. Ana Ruiz on 2026-12-03"
    assert expected in capsys.readouterr().out


def test_signing_the_shipped_file_drops_its_not_signed_note(tips):
    shutil.copy(PROJECT_CONTENT.parent / "signoff.yaml", tips.parent / "signoff.yaml")
    sign_off(tips)
    text = (tips.parent / "signoff.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Clinical sign-off of the tip library")
    assert "No clinician has signed off" not in text
    assert [s.by for s in read_signoffs(tips.parent / "signoff.yaml")] == ["Dr. Ana Ruiz"]


def test_a_second_sign_off_is_appended_and_counts(tips):
    sign_off(tips, "Dr. Ana Ruiz")
    edit(tips, lambda raw: tip(raw, "omega3-02").update(text="Eat oily fish twice a week."))
    assert [c.tip_id for c in diff(tips)] == ["omega3-02"]
    sign_off(tips, "Dr. Ben Okafor")
    signoffs = read_signoffs(tips.parent / "signoff.yaml")
    assert [s.by for s in signoffs] == ["Dr. Ana Ruiz", "Dr. Ben Okafor"]
    assert signoffs[0].tips["omega3-02"] != signoffs[1].tips["omega3-02"]
    assert diff(tips) == []


def add_tip(raw: dict) -> None:
    raw["tips"].append(
        {
            "id": "gutbrain-99",
            "topic": "gutbrain",
            "reference": tip(raw, "gutbrain-01")["reference"],
            "text": "A new tip. This week, try something new.",
            "basis": "The source says so.",
        }
    )


def change_citation(raw: dict) -> None:
    ref_id = tip(raw, "prebiotics-01")["reference"]
    ref = next(r for r in raw["references"] if r["id"] == ref_id)
    ref["citation"] += " Erratum in: 2018."


def change_spanish(es_raw: dict) -> None:
    tip(es_raw, "stress-03")["text"] += " Consulta a tu médico."


def drop_spanish(es_raw: dict) -> None:
    es_raw["tips"] = [entry for entry in es_raw["tips"] if entry["id"] != "stress-03"]


@pytest.mark.parametrize(
    ("name", "english", "spanish", "expected"),
    [
        ("added", add_tip, None, {"gutbrain-99": "added"}),
        (
            "changed text",
            lambda raw: tip(raw, "exercise-02").update(text="Walk for 30 minutes today."),
            None,
            {"exercise-02": "changed: text"},
        ),
        (
            "changed basis",
            lambda raw: tip(raw, "exercise-02").update(basis="A different finding."),
            None,
            {"exercise-02": "changed: basis"},
        ),
        ("changed translation", None, change_spanish, {"stress-03": "changed: es"}),
        ("translation removed", None, drop_spanish, {"stress-03": "changed: es"}),
        (
            "cites another reference",
            lambda raw: tip(raw, "omega3-01").update(
                reference=tip(raw, "prebiotics-01")["reference"]
            ),
            None,
            {"omega3-01": "changed: citation"},
        ),
        (
            "removed",
            lambda raw: raw["tips"].remove(tip(raw, "stress-02")),
            None,
            {"stress-02": "removed"},
        ),
        (
            "only reflowed",
            lambda raw: tip(raw, "exercise-02").update(text=tip(raw, "exercise-02")["text"] + "  "),
            None,
            {},
        ),
    ],
)
def test_changes_since_the_sign_off(tips, name, english, spanish, expected):
    sign_off(tips)
    if english:
        edit(tips, english)
    if spanish:
        edit(tips.parent / "tips.es.yaml", spanish)
    assert {c.tip_id: c.describe() for c in diff(tips)} == expected, name


def test_a_changed_citation_changes_every_tip_citing_it(tips):
    sign_off(tips)
    edit(tips, change_citation)
    library = load_library(tips)
    citing = [
        t.id
        for t in library.tips.values()
        if t.reference == library.tips["prebiotics-01"].reference
    ]
    changes = diff(tips)
    assert [c.tip_id for c in changes] == citing
    assert {c.describe() for c in changes} == {"changed: citation"}
    assert len(unsigned(changes)) == len(citing)


def test_review_since_sign_off_lists_only_what_changed(tips, capsys):
    sign_off(tips)
    edit(tips, add_tip)
    edit(tips, lambda raw: raw["tips"].remove(tip(raw, "stress-02")))
    edit(tips.parent / "tips.es.yaml", change_spanish)
    assert main(["check-content", str(tips), "--review", "--since-signoff"]) == 0
    out = capsys.readouterr().out
    assert "Since the sign-off by Dr. Ana Ruiz on 2026-12-03: 3 of" in out
    lines = out.splitlines()
    assert "| id | change | topic | text | text_es | source | basis |" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| stress-03", "changed: es"],
        ["| gutbrain-99", "added"],
        ["| stress-02", "removed"],
    ]
    assert "Consulta a tu médico." in rows[0]
    library = load_library(tips)
    cited = {library.tips[t].reference for t in ("stress-03", "gutbrain-99")}
    assert {line.split("**")[1] for line in lines if line.startswith("- **")} == cited
    assert 'tipbot check-content --sign-off "Dr. Name"' in out

    assert main(["check-content", str(tips)]) == 0
    expected = "sign-off: 2 tips are not signed off (1 added, 1 changed, 1 removed since the"
    assert expected in capsys.readouterr().out

    assert main(["check-content", str(tips), "--review", "--since-signoff", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["id"], r["change"]) for r in rows] == [
        ("stress-03", "changed: es"),
        ("gutbrain-99", "added"),
        ("stress-02", "removed"),
    ]
    assert rows[0]["text_es"].endswith("Consulta a tu médico.") and rows[0]["basis"]


def test_fingerprint_covers_what_the_clinician_reads(tips):
    library = load_library(tips)
    parts = fingerprint(library, "prebiotics-01").split()
    assert [p.split("=")[0] for p in parts] == ["text", "basis", "citation", "es"]
    assert all(len(p.split("=")[1]) == 12 for p in parts)
    assert fingerprint(library.localized("es"), "prebiotics-01") == " ".join(parts)


def test_usage_errors(tips, capsys):
    assert main(["check-content", str(tips), "--since-signoff"]) == 2
    assert "--since-signoff goes with --review" in capsys.readouterr().err
    assert main(["check-content", str(tips), "--review", "--sign-off", "Dr. X"]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["check-content", str(tips), "--sign-off", "   "])
    assert exit_.value.code == 2
    assert "say who signs off" in capsys.readouterr().err
    assert not (tips.parent / "signoff.yaml").exists()


def test_a_broken_signoff_file_is_named(tips, capsys):
    (tips.parent / "signoff.yaml").write_text("signoffs:\n  - by: ''\n    date: soon\n")
    assert main(["check-content", str(tips)]) == 1
    err = capsys.readouterr().err
    assert "signoff.yaml: sign-off #1: missing by" in err and "Traceback" not in err


def test_warning_at_start_while_tips_are_unsigned(tips, caplog):
    library = load_library(tips)
    with caplog.at_level(logging.WARNING, logger="tipbot"):
        cli.warn_unsigned(library)
    expected = f"{len(library.tips)} tips are not signed off: run tipbot check-content --review"
    assert expected in caplog.text

    sign_off(tips)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tipbot"):
        cli.warn_unsigned(load_library(tips))
    assert caplog.text == ""

    edit(tips, lambda raw: tip(raw, "exercise-02").update(text="Walk for 30 minutes today."))
    (tips.parent / "signoff.yaml").write_text("signoffs: 3\n")  # unreadable: all count
    with caplog.at_level(logging.WARNING, logger="tipbot"):
        cli.warn_unsigned(load_library(tips))
    assert "counting every tip as not signed off" in caplog.text
    assert f"{len(library.tips)} tips are not signed off" in caplog.text


async def test_tipbot_run_logs_the_warning(tips, tg, database_url, tmp_path):
    env = tipbot_env(tg, database_url)
    env["TIPBOT_CONTENT"] = str(tips)  # a copy with no sign-off
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.PIPE)
    seen = []
    try:
        async with asyncio.timeout(60):
            while line := await process.stderr.readline():
                seen.append(line.decode())
                if "polling mode" in seen[-1]:
                    break
        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), timeout=30)
        await asyncio.wait_for(process.wait(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(seen) + rest.decode()
    count = len(load_library(tips).tips)
    assert f"{count} tips are not signed off: run tipbot check-content --review" in log, log
    assert process.returncode == 0, log
