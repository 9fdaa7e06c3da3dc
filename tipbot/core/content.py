"""The tip library (``content/tips.yaml``): loading and validation.

A broken library must stop the bot before it sends anything, and the person editing the
file must learn from one line per problem what to fix and where.

Translations sit beside it as ``tips.<lang>.yaml``: the same topic and tip ids with their
titles, descriptions and texts translated (references are shared). A tip a translation
lacks is shown in English; ``tipbot check-content`` prints each translation's coverage.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from tipbot import i18n

MAX_TIP_LENGTH = 600
MAX_COMMAND_DESCRIPTION = 256
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")  # fits in 64-byte callback data
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
MAX_TOPIC_TITLE = 64


@dataclass(frozen=True, slots=True)
class Reference:
    id: str
    short: str
    citation: str
    pmid: str | None
    doi: str | None
    link: str | None = None  # the ``url`` field: for a source with no PMID or DOI
    verified: str = ""  # where and when a person checked the citation against the paper

    @property
    def url(self) -> str:
        """The link shown under a tip: PubMed first, then the DOI, then the given URL."""
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.link or ""


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: str
    command: str
    description: str
    aliases: tuple[str, ...] = ()

    @property
    def commands(self) -> tuple[str, ...]:
        return (self.command, *self.aliases)


@dataclass(frozen=True, slots=True)
class Tip:
    id: str
    topic: str
    text: str
    reference: str
    basis: str = ""  # for the clinician: which finding of the source supports the tip


@dataclass(frozen=True)
class Library:
    """A validated library. Look-ups are dicts; tips per topic keep file order."""

    path: Path
    references: dict[str, Reference]
    topics: dict[str, Topic]
    tips: dict[str, Tip]
    tips_by_topic: dict[str, tuple[Tip, ...]] = field(default_factory=dict)
    translations: dict[str, Translation] = field(default_factory=dict)
    # A translated view: its language, the tips it shows in English, the library it translates.
    language: str = i18n.SOURCE_LANGUAGE
    missing: frozenset[str] = frozenset()
    original: Library | None = None

    def localized(self, language: str) -> Library:
        """The library as read in ``language``: translated topics and tips, English where the
        translation lacks one (listed in ``missing``)."""
        original = self.original or self
        translation = original.translations.get(language)
        return translation.library if translation else original

    @cached_property
    def tip_ids_by_topic(self) -> dict[str, tuple[str, ...]]:
        """Each topic's tip ids in file order: the picker's input, built once, not per pick."""
        return {topic: tuple(tip.id for tip in tips) for topic, tips in self.tips_by_topic.items()}

    def topic_for_command(self, name: str) -> Topic | None:
        """The topic a command, alias or topic id names (case-insensitive), if any."""
        wanted = name.strip().lstrip("/").lower()
        for topic in self.topics.values():
            if wanted == topic.id or wanted in topic.commands:
                return topic
        return None

    def reference_of(self, tip: Tip) -> Reference:
        return self.references[tip.reference]

    def summary(self) -> str:
        lines = [f"{self.path}: {len(self.tips)} tips, {len(self.topics)} topics"]
        for topic in self.topics.values():
            lines.append(f"  {topic.id:<12} {len(self.tips_by_topic[topic.id]):>3} tips")
        used = Counter(tip.reference for tip in self.tips.values())
        lines.append("references used:")
        for ref in self.references.values():
            lines.append(f"  {ref.id:<14} {used[ref.id]:>3} tips  {ref.short}")
        return "\n".join(lines)


REVIEW_COLUMNS = ("id", "topic", "text", "source", "basis")


def review_rows(library: Library) -> list[dict[str, str]]:
    """One row per tip, in file order, for the clinician who signs the library off."""
    rows = []
    for tip in library.tips.values():
        ref = library.reference_of(tip)
        values = (tip.id, tip.topic, tip.text, f"{ref.citation} {ref.url}", tip.basis)
        rows.append(dict(zip(REVIEW_COLUMNS, values, strict=True)))
    return rows


def review_csv(library: Library) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(review_rows(library))
    return out.getvalue()


def review_markdown(library: Library) -> str:
    """The review sheet: every tip beside its source and basis, then how each source was
    checked, then a place for the clinician's sign-off."""

    def cell(value: str) -> str:
        return " ".join(value.split()).replace("|", "\\|")

    lines = [
        f"# Tip library review: {library.path.name}",
        "",
        f"{len(library.tips)} tips, {len(library.references)} references. For each tip, check "
        "that the source supports the text as the basis says.",
        "",
        "| " + " | ".join(REVIEW_COLUMNS) + " |",
        "|" + "---|" * len(REVIEW_COLUMNS),
    ]
    for row in review_rows(library):
        lines.append("| " + " | ".join(cell(row[c]) for c in REVIEW_COLUMNS) + " |")
    lines += ["", "## References", ""]
    for ref in library.references.values():
        checked = cell(ref.verified)
        lines.append(f"- **{ref.id}**: {cell(ref.citation)} {ref.url} (checked: {checked})")
    lines += ["", "## Sign-off", "", "Reviewed by (clinician): ____________  Date: ________", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Translation:
    """One ``tips.<lang>.yaml``: the translated view, what it still lacks, and its entries
    for ids ``tips.yaml`` no longer (or not yet) has. Those are ignored, not an error: a
    tip removed from the English library must not stop the bot until every translation
    follows; ``check-content`` lists them and ``--strict`` fails on them."""

    path: Path
    library: Library
    missing_topics: tuple[str, ...]
    stale: tuple[str, ...] = ()

    @property
    def language(self) -> str:
        return self.library.language

    def coverage(self) -> str:
        original = self.library.original
        tips, total = len(original.tips) - len(self.library.missing), len(original.tips)
        topics = len(original.topics) - len(self.missing_topics)
        line = (
            f"{self.path}: {self.language}: {tips}/{total} tips ({100 * tips // total}%), "
            f"{topics}/{len(original.topics)} topics"
        )
        missing = sorted(self.library.missing) + [f"topic {t}" for t in self.missing_topics]
        line += f"; missing: {', '.join(missing)}" if missing else ""
        stale = f"not in {original.path.name}: {', '.join(self.stale)}"
        return line + (f"; {stale}" if self.stale else "")

    @property
    def complete(self) -> bool:
        return not self.library.missing and not self.missing_topics and not self.stale


class ContentError(Exception):
    """The library is invalid; ``problems`` holds one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_library(path: str | Path) -> Library:
    """Read and validate the library and its translations, raising ``ContentError`` with
    every problem found."""
    path = Path(path)
    library = parse_library(_read_yaml(path), path)
    problems: list[str] = []
    for translation_path in translation_paths(path):
        try:
            translation = parse_translation(_read_yaml(translation_path), translation_path, library)
        except ContentError as exc:
            problems += exc.problems
            continue
        library.translations[translation.language] = translation
    if problems:
        raise ContentError(problems)
    return library


def translation_paths(path: Path) -> list[Path]:
    """``tips.<lang>.yaml`` beside ``tips.yaml``."""
    return sorted(path.parent.glob(f"{path.stem}.*{path.suffix}"))


def _read_yaml(path: Path) -> Any:
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

    references = _parse_entries(raw["references"], "reference", _reference, problem)
    topics = _parse_entries(raw["topics"], "topic", _topic, problem)
    tips = _parse_entries(raw["tips"], "tip", _tip, problem)

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
        _check_text(tip, problem)
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


def _check_text(tip: Tip, problem: Any) -> None:
    if not tip.text.strip():
        problem(f"tip {tip.id}", "empty text")
    elif len(tip.text) > MAX_TIP_LENGTH:
        problem(f"tip {tip.id}", f"text is {len(tip.text)} characters, at most {MAX_TIP_LENGTH}")
    if "<" in tip.text or ">" in tip.text:
        problem(f"tip {tip.id}", "text must be plain (no HTML tags); it is escaped when sent")


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
        title = _text(entry, "title", required=False) or ""
        description = _text(entry, "description", required=False) or ""
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
        translated = Tip(
            tip.id, tip.topic, text.strip() if isinstance(text, str) else "", tip.reference
        )
        _check_text(translated, problem)
        if sorted(_PLACEHOLDER.findall(translated.text)) != sorted(_PLACEHOLDER.findall(tip.text)):
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
    return _parse_entries(entries, kind, lambda entry: entry, problem)


def _parse_entries(entries: list[Any], kind: str, build: Any, problem: Any) -> dict[str, Any]:
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


def _text(entry: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise KeyError(f"missing {key}")
        return None
    if not isinstance(value, str | int):
        raise TypeError(f"{key} must be text")
    return " ".join(str(value).split())


def _reference(entry: dict[str, Any]) -> Reference:
    pmid, doi = _text(entry, "pmid", required=False), _text(entry, "doi", required=False)
    link = _text(entry, "url", required=False)
    if not pmid and not doi and not link:
        raise ValueError("needs a pmid, a doi or a url")
    if pmid and not pmid.isdigit():
        raise ValueError(f"pmid {pmid!r} must be digits")
    if doi and not _DOI.match(doi):
        raise ValueError(f"doi {doi!r} must look like 10.1234/abc (no https://doi.org/ prefix)")
    if link and not link.startswith("https://"):
        raise ValueError(f"url {link!r} must start with https://")
    verified = _text(entry, "verified", required=False)
    if not verified:
        raise ValueError("missing verified: say where and when the citation was checked")
    citation = _text(entry, "citation") or ""
    return Reference(
        entry["id"], _text(entry, "short") or citation[:60], citation, pmid, doi, link, verified
    )


def _topic(entry: dict[str, Any]) -> Topic:
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise TypeError("aliases must be a list of command names")
    description = _text(entry, "description") or ""
    if not 3 <= len(description) <= MAX_COMMAND_DESCRIPTION:
        raise ValueError(f"description must be 3-{MAX_COMMAND_DESCRIPTION} characters")
    return Topic(
        id=entry["id"],
        title=_text(entry, "title") or "",
        command=_text(entry, "command") or "",
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
    basis = _text(entry, "basis", required=False)
    if not basis:
        raise ValueError(
            "missing basis: one sentence on which finding of the source supports the tip"
        )
    return Tip(
        entry["id"],
        _text(entry, "topic") or "",
        text.strip(),
        _text(entry, "reference") or "",
        basis,
    )
