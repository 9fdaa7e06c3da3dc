"""content/snippets.yaml: the shipped snippets are valid in every language, and each mistake
in the file is named by ``tipbot check-content`` in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tipbot.cli import main
from tipbot.core.config import PROJECT_CONTENT
from tipbot.core.content import load_library
from tipbot.core.content.snippets import fill


def test_shipped_snippets_have_english_and_spanish(library):
    snippets = library.all_snippets
    assert 6 <= len(snippets) <= 10
    for snippet in snippets.values():
        assert set(snippet.texts) == {"en", "es"}, snippet.name
        for text in snippet.texts.values():
            fill(text, first_name="Ana", clinic_hours="Mon 09:00")  # placeholders fit
    assert library.localized("es").all_snippets is snippets  # the translated view has them


def test_check_content_lists_the_snippets(capsys):
    assert main(["check-content", str(PROJECT_CONTENT)]) == 0
    assert "staff snippets: " in capsys.readouterr().out


def library_with(tmp_path: Path, snippets: object) -> Path:
    for name in ("tips.yaml", "tips.es.yaml"):
        (tmp_path / name).write_text((PROJECT_CONTENT.parent / name).read_text())
    text = snippets if isinstance(snippets, str) else yaml.safe_dump(snippets, allow_unicode=True)
    (tmp_path / "snippets.yaml").write_text(text)
    return tmp_path / "tips.yaml"


@pytest.mark.parametrize(
    ("snippets", "expected"),
    [
        ({"snippets": "call"}, "expected a mapping with a list 'snippets'"),
        ([1, 2], "expected a mapping with a list 'snippets'"),
        ({"snippets": ["call"]}, "snippet 1: expected name and one text per language"),
        ({"snippets": [{"name": "Call Me", "en": "Hi"}]}, "snippet 1: name must be 1-32"),
        ({"snippets": [{"name": "call", "es": "Hola"}]}, "snippet call: needs an en text"),
        ({"snippets": [{"name": "call", "en": "  "}]}, "snippet call: en: empty text"),
        ({"snippets": [{"name": "call", "en": "Hi", "Spanish": "Hola"}]}, "'Spanish' is not"),
        ({"snippets": [{"name": "call", "en": "Hi {name}"}]}, "unknown placeholder {name}"),
        ({"snippets": [{"name": "call", "en": "Hi {first_name"}]}, "unbalanced { or }"),
        ({"snippets": [{"name": "call", "en": "<b>Hi</b>"}]}, "must be plain text"),
        ({"snippets": [{"name": "call", "en": "x" * 3001}]}, "3001 characters, at most 3000"),
        (
            {"snippets": [{"name": "call", "en": "a"}, {"name": "call", "en": "b"}]},
            "snippet call: the name is used twice",
        ),
        ("snippets: [unclosed\n", "malformed YAML at line"),
    ],
)
def test_broken_snippets_are_reported(tmp_path, capsys, snippets, expected):
    path = library_with(tmp_path, snippets)
    assert main(["check-content", str(path)]) == 1
    err = capsys.readouterr().err
    assert "snippets.yaml" in err and expected in err and "Traceback" not in err


def test_no_snippets_file_means_no_snippets(tmp_path):
    path = library_with(tmp_path, "")
    (tmp_path / "snippets.yaml").unlink()
    assert load_library(path).all_snippets == {}
