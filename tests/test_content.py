"""The tip library: the shipped file is valid, and every kind of breakage is named clearly."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tipbot.cli import main
from tipbot.core.config import PROJECT_CONTENT
from tipbot.core.content import MAX_TIP_LENGTH, load_library
from tipbot.subscriber.picker import render_tip

# The clinic article's five references, all in the library. Four were checked against their
# PubMed/PMC pages; Appleton 2018's PMID is as the article gives it (its `verified` says so).
ARTICLE_REFERENCES = {
    "appleton2018": ("31043907", None),
    "madison2019": ("32395568", "10.1016/j.cobeha.2019.01.011"),
    "albander2020": ("33086688", "10.3390/ijerph17207618"),
    "dalile2019": ("31123355", "10.1038/s41575-019-0157-3"),
    "rowland2018": ("28393285", "10.1007/s00394-017-1445-8"),
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
    # issue 26: half a year of tips for these two topics
    assert len(library.tips_by_topic["prebiotics"]) >= 30
    assert len(library.tips_by_topic["gutbrain"]) >= 20
    assert library.topic_for_command("probiotics").id == "prebiotics"
    for ref_id, ids in ARTICLE_REFERENCES.items():
        assert (library.references[ref_id].pmid, library.references[ref_id].doi) == ids
    assert all(len(tip.text) <= MAX_TIP_LENGTH for tip in library.tips.values())
    assert all(tip.basis for tip in library.tips.values())
    assert all("2026" in ref.verified for ref in library.references.values())


def test_omega3_and_exercise_last_a_month_each_in_neutral_spanish():
    """Issue 26: 30 tips a topic, and Spanish without Peninsular-only words."""
    library = load_library(PROJECT_CONTENT)
    spanish = yaml.safe_load(PROJECT_CONTENT.with_name("tips.es.yaml").read_text("utf-8"))
    texts = {tip["id"]: tip["text"].lower() for tip in spanish["tips"]}
    peninsular = ("alubias", "patatas", "nevera", "gachas", "matrona", "colza", "manteca")
    peninsular += ("tensión alta", "aparca", "apuntarte", "zumo", "ordenador", "coger")
    for topic in ("omega3", "exercise"):
        tips = library.tips_by_topic[topic]
        assert len(tips) >= 30
        for tip in tips:
            assert not [word for word in peninsular if word in texts[tip.id]], tip.id


def test_check_content_prints_a_summary(capsys):
    assert main(["check-content", str(PROJECT_CONTENT)]) == 0
    out = capsys.readouterr().out
    assert "prebiotics" in out and "who2020" in out and out.rstrip().endswith("OK")


def test_source_link_falls_back_from_pmid_to_doi_to_url():
    library = load_library(PROJECT_CONTENT)
    links = {}
    for tip_id in ("gutbrain-08", "exercise-01", "omega3-06"):
        text, _ = render_tip(library, library.tips[tip_id], "en")
        links[tip_id] = text.split('href="')[1].split('"')[0]
    assert links == {
        "gutbrain-08": "https://pubmed.ncbi.nlm.nih.gov/31123355/",
        "exercise-01": "https://doi.org/10.1136/bjsports-2020-102955",
        "omega3-06": "https://newsinhealth.nih.gov/2025/08/what-are-omega-3s",
    }


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
    elif kind == "missing basis":
        raw["tips"][0].pop("basis")
    elif kind == "blank basis":
        raw["tips"][0]["basis"] = "  "
    elif kind == "pmid with letters":
        raw["references"][0]["pmid"] = "PMID32395568"
    elif kind == "doi as a link":
        raw["references"][0]["doi"] = "https://doi.org/10.1016/j.cobeha.2019.01.011"
    elif kind == "doi without prefix":
        raw["references"][0]["doi"] = "j.cobeha.2019.01.011"
    elif kind == "http url":
        raw["references"][0]["url"] = "http://example.org/paper"
    elif kind == "unverified reference":
        raw["references"][0].pop("verified")
    elif kind == "uncited reference":
        raw["references"].append({**raw["references"][0], "id": "spare2020"})
    elif kind == "two references":
        raw["tips"][0]["reference"] = ["gibson2017", "rowland2018"]
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
        ("reference without ids", "reference madison2019: needs a pmid, a doi or a url"),
        ("missing basis", "tip prebiotics-01: missing basis"),
        ("blank basis", "tip prebiotics-01: missing basis"),
        ("pmid with letters", "reference madison2019: pmid 'PMID32395568' must be digits"),
        ("doi as a link", "reference madison2019: doi 'https://doi.org/"),
        ("doi without prefix", "reference madison2019: doi 'j.cobeha.2019.01.011' must look"),
        ("http url", "reference madison2019: url 'http://example.org/paper' must start with"),
        ("unverified reference", "reference madison2019: missing verified: say where"),
        ("uncited reference", "reference spare2020: is not cited by any tip"),
        ("two references", "tip prebiotics-01: must cite exactly one reference"),
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


def test_review_sheet_in_markdown(capsys):
    library = load_library(PROJECT_CONTENT)
    assert main(["check-content", str(PROJECT_CONTENT), "--review"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # The Spanish text is beside the English: a clinician's sign-off covers it too.
    assert "| id | topic | text | text_es | source | basis |" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(library.tips) + 1  # the header and one row per tip
    assert rows[1].startswith("| prebiotics-01 | prebiotics | What is a prebiotic?")
    assert (
        "Gibson GR, Hutkins R" in rows[1] and "https://doi.org/10.1038/nrgastro.2017.75" in rows[1]
    )
    assert rows[1].split(" | ")[3].startswith("¿Qué es un prebiótico?")
    assert "selectively utilized" in rows[1].split(" | ")[5]
    assert all(row.count(" | ") == 5 for row in rows)  # no stray pipes split a cell
    assert "## Sign-off" in out and "(checked: PMC article page PMC7719906" in out


def test_review_sheet_in_csv_from_the_command_line(tmp_path, raw):
    raw["tips"][0]["text"] = 'Fibre, "the quiet hero" | of the gut,\nfeeds bacteria.'
    path = write(tmp_path, raw)
    result = subprocess.run(
        [sys.executable, "-m", "tipbot", "check-content", str(path), "--review", "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "topic", "text", "source", "basis"]
    assert len(rows) == len(raw["tips"])
    assert rows[0]["id"] == "prebiotics-01" and rows[0]["text"].startswith('Fibre, "the quiet')
    assert rows[0]["basis"].startswith("The ISAPP panel updated the definition")
    assert all(row["source"] and row["basis"] for row in rows)


def test_review_of_a_broken_library_fails_like_the_check(tmp_path, capsys, raw):
    path = write(tmp_path, broken(raw, "missing basis"))
    assert main(["check-content", str(path), "--review", "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "tip prebiotics-01: missing basis" in captured.err
