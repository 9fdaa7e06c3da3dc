"""Reloading the tip library while the bot runs (``/reload`` and SIGHUP)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from tipbot.core.content import ContentError, Library, load_library
from tipbot.core.runtime import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    library: Library  # the library in use afterwards: the new one, or the kept old one
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def reload_library(deps: Deps) -> ReloadResult:
    """Validate the file first; only a valid library replaces the current one (one assignment,
    so a handler sees either the old or the new library, never a mix)."""
    try:
        library = await asyncio.to_thread(load_library, deps.settings.content)
    except ContentError as exc:
        log.warning("library reload refused: %d problems", len(exc.problems))
        return ReloadResult(deps.library, exc.problems)
    deps.library = library
    log.info("library reloaded: %d tips in %d topics", len(library.tips), len(library.topics))
    return ReloadResult(library)
