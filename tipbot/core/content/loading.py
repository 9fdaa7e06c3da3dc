"""Loading the library from its files: ``tips.yaml``, every ``tips.<lang>.yaml`` and the
staff snippets beside them (``snippets.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tipbot import i18n
from tipbot.core.content.model import ContentError, Library
from tipbot.core.content.snippets import parse_snippets, snippets_path
from tipbot.core.content.translations import parse_translation, translation_paths
from tipbot.core.content.validation import parse_library
from tipbot.core.content.welcome import parse_welcome, welcome_path


def load_library(path: str | Path) -> Library:
    """Read and validate the library and its translations, raising ``ContentError`` with
    every problem found."""
    path = Path(path)
    library = parse_library(read_yaml(path), path)
    problems: list[str] = []
    for translation_path in translation_paths(path):
        try:
            translation = parse_translation(read_yaml(translation_path), translation_path, library)
        except ContentError as exc:
            problems += exc.problems
            continue
        library.translations[translation.language] = translation
    snippets = snippets_path(path)
    if snippets.exists():  # optional: a library without one has no snippets
        found, snippet_problems = parse_snippets(read_yaml(snippets), snippets)
        library.snippets.update(found)
        problems += snippet_problems
    welcome = welcome_path(path)
    if welcome.exists():
        try:
            languages = sorted({i18n.SOURCE_LANGUAGE, *library.translations})
            series = parse_welcome(read_yaml(welcome), welcome, languages)
            # The library is frozen; its translations point at this very object.
            object.__setattr__(library, "welcome", series)
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    return library


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([f"{path}: cannot read: {exc}"]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        reason = getattr(exc, "problem", None) or "malformed YAML"
        raise ContentError([f"{path}: malformed YAML{at}: {reason}"]) from None
