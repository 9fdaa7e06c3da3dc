"""Translations: ``tips.<lang>.yaml`` beside ``tips.yaml``, read over the English library.

The same topic and tip ids with their titles, descriptions and texts translated (references
are shared). A tip a translation lacks is shown in English; ``tipbot check-content`` prints
each translation's coverage.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tipbot.core.content.model import ContentError, Library, Tip, Topic, Translation
from tipbot.core.content.validation import (
    MAX_COMMAND_DESCRIPTION,
    MAX_TOPIC_TITLE,
    check_text,
    field_text,
    parse_entries,
    parse_variants,
)

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def translation_paths(path: Path) -> list[Path]:
    """``tips.<lang>.yaml`` beside ``tips.yaml``."""
    return sorted(path.parent.glob(f"{path.stem}.*{path.suffix}"))


def parse_translation(raw: Any, path: Path, original: Library) -> Translation:
    """A ``tips.<lang>.yaml`` over ``original``: the same ids, texts translated."""
    problems: list[str] = []

    def problem(where: str, message: str) -> None:
        problems.append(f"{path}: {where}: {message}")

    language = path.name.removeprefix(f"{original.path.stem}.").removesuffix(path.suffix)
    if not isinstance(raw, dict):
        raise ContentError([f"{path}: expected a mapping with topics and tips"])
    for key in ("topics", "tips"):
        if not isinstance(raw.get(key) or [], list):
            problem(key, "expected a list")
    if problems:
        raise ContentError(problems)
    if raw.get("references"):
        problem("references", f"references are shared: keep them in {original.path.name} only")
    topics, stale = dict(original.topics), []
    for entry_id, entry in _entries(raw.get("topics") or [], "topic", problem).items():
        topic = original.topics.get(entry_id)
        if topic is None:
            stale.append(f"topic {entry_id}")
            continue
        title = field_text(entry, "title", required=False) or ""
        description = field_text(entry, "description", required=False) or ""
        if not 1 <= len(title) <= MAX_TOPIC_TITLE:
            problem(f"topic {entry_id}", f"title must be 1-{MAX_TOPIC_TITLE} characters")
        if not 3 <= len(description) <= MAX_COMMAND_DESCRIPTION:
            problem(
                f"topic {entry_id}", f"description must be 3-{MAX_COMMAND_DESCRIPTION} characters"
            )
        topics[entry_id] = Topic(topic.id, title, topic.command, description, topic.aliases)
    tips = dict(original.tips)
    for entry_id, entry in _entries(raw.get("tips") or [], "tip", problem).items():
        tip = original.tips.get(entry_id)
        if tip is None:
            stale.append(entry_id)
            continue
        text = entry.get("text")
        try:
            variants = parse_variants(entry)
        except TypeError as error:
            problem(f"tip {entry_id}", str(error))
            variants = ()
        if variants and len(variants) != len(tip.variants):
            # Wording n must be the same wording in every language (per-variant figures).
            problem(
                f"tip {entry_id}",
                f"{len(variants)} variants, but {original.path.name} has {len(tip.variants)}",
            )
        translated = Tip(
            tip.id,
            tip.topic,
            text.strip() if isinstance(text, str) else "",
            tip.reference,
            variants=variants,
        )
        check_text(translated, problem)
        for wording in (translated.text, *translated.variants):
            if sorted(_PLACEHOLDER.findall(wording)) != sorted(_PLACEHOLDER.findall(tip.text)):
                problem(f"tip {entry_id}", "placeholders ({...}) differ from the English text")
        tips[entry_id] = translated
    if problems:
        raise ContentError(problems)
    by_topic = {
        topic_id: tuple(tips[t.id] for t in topic_tips)
        for topic_id, topic_tips in original.tips_by_topic.items()
    }
    translated_tips = {entry["id"] for entry in raw.get("tips") or [] if isinstance(entry, dict)}
    translated_topics = {e["id"] for e in raw.get("topics") or [] if isinstance(e, dict)}
    view = Library(
        path,
        original.references,
        topics,
        tips,
        by_topic,
        language=language,
        missing=frozenset(original.tips) - translated_tips,
        original=original,
    )
    missing_topics = tuple(t for t in original.topics if t not in translated_topics)
    return Translation(path, view, missing_topics, tuple(stale))


def _entries(entries: list[Any], kind: str, problem: Any) -> dict[str, dict[str, Any]]:
    """Translated entries by id (a translation only needs the ids and texts)."""
    return parse_entries(entries, kind, lambda entry: entry, problem)
