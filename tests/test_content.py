"""The tip library: the shipped file is valid, and every kind of breakage is named clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tipbot.cli import main
from tipbot.core.config import PROJECT_CONTENT
from tipbot.core.content import MAX_TIP_LENGTH, load_library

ARTICLE_REFERENCES = {
    "31043907": None,
    "32395568": "10.1016/j.cobeha.2019.01.011",
    "33086688": "10.3390/ijerph17207618",
    "31123355": "10.1038/s41575-019-0157-3",
    "28393285": "10.1007/s00394-017-1445-8",
}


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(PROJECT_CONTENT.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "tips.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True))
    return path


def test_shipped_library_is_complete():
    library = load_library(PROJECT_CONTENT)
    assert set(library.topics) == {"prebiotics", "omega3", "exercise", "stress", "gutbrain"}
    for topic in ("prebiotics", "omega3", "exercise", "stress"):
        assert len(library.tips_by_topic[topic]) >= 15
    assert len(library.tips_by_topic["gutbrain"]) >= 10
    assert library.topic_for_command("probiotics").id == "prebiotics"
    assert {ref.pmid: ref.doi for ref in library.references.values()} == ARTICLE_REFERENCES
    assert all(len(tip.text) <= MAX_TIP_LENGTH for tip in library.tips.values())


def test_check_content_prints_a_summary(capsys):
    assert main(["check-content", str(PROJECT_CONTENT)]) == 0
    out = capsys.readouterr().out
    assert "prebiotics" in out and "appleton2018" in out and out.rstrip().endswith("OK")


def broken(raw: dict, kind: str) -> dict | str:
    if kind == "duplicate id":
        raw["tips"].append(dict(raw["tips"][0]))
    elif kind == "unknown topic":
        raw["tips"][0]["topic"] = "astrology"
    elif kind == "unknown reference":
        raw["tips"][0]["reference"] = "wikipedia"
    elif kind == "overlong text":
        raw["tips"][0]["text"] = "Eat more fibre. " * 60
    elif kind == "empty text":
        raw["tips"][0]["text"] = "   "
    elif kind == "topic without tips":
        raw["tips"] = [t for t in raw["tips"] if t["topic"] != "gutbrain"]
    elif kind == "html":
        raw["tips"][0]["text"] = "Eat <b>oats</b>"
    elif kind == "reference without ids":
        raw["references"][0].pop("pmid")
        raw["references"][0].pop("doi", None)
    return raw


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("duplicate id", "tip prebiotics-01: duplicate id"),
        ("unknown topic", "unknown topic 'astrology'"),
        ("unknown reference", "unknown reference 'wikipedia'"),
        ("overlong text", f"characters, at most {MAX_TIP_LENGTH}"),
        ("empty text", "empty text"),
        ("topic without tips", "topic gutbrain: has no tips"),
        ("html", "no HTML tags"),
        ("reference without ids", "needs a pmid or a doi"),
    ],
)
def test_broken_library_is_reported(tmp_path, capsys, raw, kind, expected):
    path = write(tmp_path, broken(raw, kind))
    assert main(["check-content", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err
    assert expected in err
    assert "Traceback" not in err


def test_malformed_yaml_names_the_line(tmp_path, capsys):
    path = write(tmp_path, "references:\n  - id: x\n    citation: [unclosed\n")
    assert main(["check-content", str(path)]) == 1
    err = capsys.readouterr().err
    assert "malformed YAML at line" in err


def test_missing_file(tmp_path, capsys):
    assert main(["check-content", str(tmp_path / "nope.yaml")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_every_problem_is_listed_once_per_line(tmp_path, capsys, raw):
    raw["tips"][0]["topic"] = "astrology"
    raw["tips"][1]["reference"] = "blog"
    path = write(tmp_path, raw)
    assert main(["check-content", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert "tip prebiotics-01" in lines[0] and "tip prebiotics-02" in lines[1]


def test_python_dash_m_works_like_the_script(tmp_path, raw):
    path = write(tmp_path, broken(raw, "unknown topic"))
    result = subprocess.run(
        [sys.executable, "-m", "tipbot", "check-content", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "unknown topic" in result.stderr and "Traceback" not in result.stderr
