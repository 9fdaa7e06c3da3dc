"""Staff snippets (canned answers, ``content/snippets.yaml``): one text per language.

They sit beside the tips (same folder, same ``check-content``) because they are content the
clinic reviews, not code. A snippet is plain text with the placeholders ``{first_name}`` and
``{clinic_hours}``; it is escaped when sent, like a staff member's typed reply.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbot import i18n

SNIPPETS_FILE = "snippets.yaml"
PLACEHOLDERS = frozenset({"first_name", "clinic_hours"})
MAX_SNIPPET_LENGTH = 3000  # a staff reply's limit, less room for the placeholders
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True, slots=True)
class Snippet:
    name: str
    texts: dict[str, str]  # language -> text; always has the source language (en)

    def text(self, language: str) -> str:
        """The text in ``language``, else in the source language."""
        return self.texts.get(language) or self.texts[i18n.SOURCE_LANGUAGE]


def snippets_path(tips_path: Path) -> Path:
    return tips_path.parent / SNIPPETS_FILE


def parse_snippets(raw: Any, path: Path) -> tuple[dict[str, Snippet], list[str]]:
    """The snippets and the problems found (one line each, naming the snippet)."""
    problems: list[str] = []
    if raw is None:
        return {}, problems
    entries = raw.get("snippets") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return {}, [f"{path}: expected a mapping with a list 'snippets'"]
    snippets: dict[str, Snippet] = {}
    for index, entry in enumerate(entries, 1):
        where = f"{path}: snippet {index}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected name and one text per language")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{where}: name must be 1-32 of a-z, 0-9, _ and - ({name!r})")
            continue
        where = f"{path}: snippet {name}"
        if name in snippets:
            problems.append(f"{where}: the name is used twice")
            continue
        texts: dict[str, str] = {}
        for language, text in entry.items():
            if language == "name":
                continue
            if not isinstance(language, str) or not _LANGUAGE.match(language):
                problems.append(f"{where}: {language!r} is not a language code such as en or es")
            elif not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: {language}: empty text")
            else:
                problems += [f"{where}: {language}: {p}" for p in _text_problems(text)]
                texts[language] = text.strip()
        if i18n.SOURCE_LANGUAGE not in texts:
            problems.append(f"{where}: needs an {i18n.SOURCE_LANGUAGE} text")
            continue
        snippets[name] = Snippet(name, texts)
    return snippets, problems


def _text_problems(text: str) -> list[str]:
    problems = []
    if len(text) > MAX_SNIPPET_LENGTH:
        problems.append(f"{len(text)} characters, at most {MAX_SNIPPET_LENGTH}")
    if "<" in text or ">" in text:
        problems.append("must be plain text (no HTML tags); it is escaped when sent")
    try:
        fields = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return [*problems, "unbalanced { or }: write {{ and }} for a brace"]
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
        problems.append(f"unknown placeholder {{{unknown[0]}}} (known: {known})")
    return problems


def fill(text: str, *, first_name: str, clinic_hours: str) -> str:
    """The snippet with its placeholders filled (validated: only the known ones)."""
    return text.format(first_name=first_name, clinic_hours=clinic_hours)
