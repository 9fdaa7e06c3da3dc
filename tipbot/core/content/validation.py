"""Validation of ``tips.yaml``: each entry's fields, then the checks across entries.

A broken library must stop the bot before it sends anything, and the person editing the
file must learn from one line per problem what to fix and where.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tipbot.core.content.model import ContentError, Library, Reference, Tip, Topic

MAX_TIP_LENGTH = 600
MAX_VARIANTS = 3  # wordings besides the main text: enough to compare, few to review
MAX_COMMAND_DESCRIPTION = 256
MAX_TOPIC_TITLE = 64
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")  # fits in 64-byte callback data
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def parse_library(raw: Any, path: Path) -> Library:
    problems: list[str] = []

    def problem(where: str, message: str) -> None:
        problems.append(f"{path}: {where}: {message}")

    if not isinstance(raw, dict):
        raise ContentError([f"{path}: expected a mapping with references, topics and tips"])
    for key in ("references", "topics", "tips"):
        if not isinstance(raw.get(key), list) or not raw[key]:
            problem(key, "missing or empty list")
    if problems:
        raise ContentError(problems)

    references = parse_entries(raw["references"], "reference", _reference, problem)
    topics = parse_entries(raw["topics"], "topic", _topic, problem)
    tips = parse_entries(raw["tips"], "tip", _tip, problem)

    commands: dict[str, str] = {}
    for topic in topics.values():
        for command in topic.commands:
            if not _COMMAND.match(command):
                problem(f"topic {topic.id}", f"command {command!r} must be 1-32 of a-z, 0-9, _")
            elif command in commands:
                problem(
                    f"topic {topic.id}", f"command {command!r} already used by {commands[command]}"
                )
            commands[command] = topic.id
    for tip in tips.values():
        check_text(tip, problem)
        if tip.topic not in topics:
            problem(f"tip {tip.id}", f"unknown topic {tip.topic!r} (known: {', '.join(topics)})")
        if tip.reference not in references:
            known = ", ".join(references)
            problem(f"tip {tip.id}", f"unknown reference {tip.reference!r} (known: {known})")
    cited = {tip.reference for tip in tips.values()}
    for ref_id in references:
        if ref_id not in cited:
            problem(f"reference {ref_id}", "is not cited by any tip; cite it or remove it")
    by_topic = {
        topic_id: tuple(t for t in tips.values() if t.topic == topic_id) for topic_id in topics
    }
    for topic_id, topic_tips in by_topic.items():
        if not topic_tips:
            problem(f"topic {topic_id}", "has no tips")
    if problems:
        raise ContentError(problems)
    return Library(path, references, topics, tips, by_topic)


def check_text(tip: Tip, problem: Any) -> None:
    for index, text in enumerate((tip.text, *tip.variants)):
        name = f"variant {index}" if index else "text"
        if not text.strip():
            problem(f"tip {tip.id}", f"empty {name}")
        elif len(text) > MAX_TIP_LENGTH:
            problem(f"tip {tip.id}", f"{name} is {len(text)} characters, at most {MAX_TIP_LENGTH}")
        if "<" in text or ">" in text:
            problem(
                f"tip {tip.id}", f"{name} must be plain (no HTML tags); it is escaped when sent"
            )
    if len(tip.variants) > MAX_VARIANTS:
        problem(f"tip {tip.id}", f"{len(tip.variants)} variants, at most {MAX_VARIANTS}")
    normalized = [" ".join(text.split()).lower() for text in (tip.text, *tip.variants)]
    if len(set(normalized)) < len(normalized):
        problem(f"tip {tip.id}", "a variant repeats the text or another variant")


def parse_variants(entry: dict[str, Any]) -> tuple[str, ...]:
    """``variants:``: a list of other wordings, plain texts. A wording cannot name a source
    of its own: every variant shares the tip's one reference (and its basis)."""
    variants = entry.get("variants")
    if variants is None:
        return ()
    if not isinstance(variants, list) or not variants:
        raise TypeError("variants must be a list of texts (other wordings of the tip)")
    for variant in variants:
        if isinstance(variant, dict):
            raise TypeError(
                "variants must be plain texts: they share the tip's reference and basis"
            )
        if not isinstance(variant, str):
            raise TypeError("variants must be a list of texts (other wordings of the tip)")
    return tuple(variant.strip() for variant in variants)


def parse_entries(entries: list[Any], kind: str, build: Any, problem: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{kind} #{index}"
        if not isinstance(entry, dict):
            problem(where, "expected a mapping")
            continue
        entry_id = entry.get("id")
        if not isinstance(entry_id, str) or not _ID.match(entry_id):
            problem(where, f"id {entry_id!r} must be 1-48 of a-z, 0-9, '-' or '_'")
            continue
        where = f"{kind} {entry_id}"
        if entry_id in parsed:
            problem(where, "duplicate id")
            continue
        try:
            parsed[entry_id] = build(entry)
        except (KeyError, TypeError, ValueError) as exc:
            problem(where, str(exc).strip("'\""))
    return parsed


def field_text(entry: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise KeyError(f"missing {key}")
        return None
    if not isinstance(value, str | int):
        raise TypeError(f"{key} must be text")
    return " ".join(str(value).split())


def _reference(entry: dict[str, Any]) -> Reference:
    pmid, doi = field_text(entry, "pmid", required=False), field_text(entry, "doi", required=False)
    link = field_text(entry, "url", required=False)
    if not pmid and not doi and not link:
        raise ValueError("needs a pmid, a doi or a url")
    if pmid and not pmid.isdigit():
        raise ValueError(f"pmid {pmid!r} must be digits")
    if doi and not _DOI.match(doi):
        raise ValueError(f"doi {doi!r} must look like 10.1234/abc (no https://doi.org/ prefix)")
    if link and not link.startswith("https://"):
        raise ValueError(f"url {link!r} must start with https://")
    verified = field_text(entry, "verified", required=False)
    if not verified:
        raise ValueError("missing verified: say where and when the citation was checked")
    citation = field_text(entry, "citation") or ""
    return Reference(
        entry["id"],
        field_text(entry, "short") or citation[:60],
        citation,
        pmid,
        doi,
        link,
        verified,
    )


def _topic(entry: dict[str, Any]) -> Topic:
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise TypeError("aliases must be a list of command names")
    description = field_text(entry, "description") or ""
    if not 3 <= len(description) <= MAX_COMMAND_DESCRIPTION:
        raise ValueError(f"description must be 3-{MAX_COMMAND_DESCRIPTION} characters")
    return Topic(
        id=entry["id"],
        title=field_text(entry, "title") or "",
        command=field_text(entry, "command") or "",
        description=description,
        aliases=tuple(aliases),
    )


def _tip(entry: dict[str, Any]) -> Tip:
    text = entry.get("text")
    if text is None:
        raise KeyError("missing text")
    if not isinstance(text, str):
        raise TypeError("text must be text")
    if isinstance(entry.get("reference"), list):
        raise TypeError("must cite exactly one reference (a single id, not a list)")
    basis = field_text(entry, "basis", required=False)
    if not basis:
        raise ValueError(
            "missing basis: one sentence on which finding of the source supports the tip"
        )
    return Tip(
        entry["id"],
        field_text(entry, "topic") or "",
        text.strip(),
        field_text(entry, "reference") or "",
        basis,
        parse_variants(entry),
    )
