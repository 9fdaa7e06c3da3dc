"""The tip library's model: references, topics, tips, a library and its translations.

Plain frozen data, built by ``validation.py`` and ``translations.py`` once the files are
valid; the bot reads it, and ``Library.localized`` gives the view in a person's language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tipbot import i18n

if TYPE_CHECKING:
    from tipbot.core.content.snippets import Snippet


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
    # Other wordings of the same advice (same facts, same reference): each person sees one
    # wording of a tip, fixed by their seed (``picker.variant_of``); 0 is ``text``.
    variants: tuple[str, ...] = ()

    def wording(self, variant: int) -> str:
        """The text of wording ``variant`` (0: ``text``); ``text`` if there is no such one."""
        if 0 < variant <= len(self.variants):
            return self.variants[variant - 1]
        return self.text


@dataclass(frozen=True)
class Library:
    """A validated library. Look-ups are dicts; tips per topic keep file order."""

    path: Path
    references: dict[str, Reference]
    topics: dict[str, Topic]
    tips: dict[str, Tip]
    tips_by_topic: dict[str, tuple[Tip, ...]] = field(default_factory=dict)
    translations: dict[str, Translation] = field(default_factory=dict)
    # Staff snippets (content/snippets.yaml), on the original library only: see ``all_snippets``.
    snippets: dict[str, Snippet] = field(default_factory=dict)
    # A translated view: its language, the tips it shows in English, the library it translates.
    language: str = i18n.SOURCE_LANGUAGE
    missing: frozenset[str] = frozenset()
    original: Library | None = None
    welcome: Any = None  # the welcome series (``welcome.WelcomeSeries``), if the clinic has one

    def localized(self, language: str) -> Library:
        """The library as read in ``language``: translated topics and tips, English where the
        translation lacks one (listed in ``missing``)."""
        original = self.original or self
        translation = original.translations.get(language)
        return translation.library if translation else original

    @property
    def all_snippets(self) -> dict[str, Snippet]:
        """The staff snippets, whichever translated view this is."""
        return (self.original or self).snippets

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
        if self.snippets:
            lines.append(f"staff snippets: {len(self.snippets)}")
            for snippet in self.snippets.values():
                languages = ", ".join(sorted(snippet.texts))
                lines.append(f"  {snippet.name:<14} {languages}")
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
