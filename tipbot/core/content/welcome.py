"""The welcome series (``content/welcome.yaml``, next to ``tips.yaml``): a few short messages
that come with a new subscriber's first daily tips, one language per text.

Each step names the daily tip it comes with (``day: 1`` is the first daily tip after
/start, ``day: 7`` the seventh); a step may ask "how is it going?" with buttons
(``checkin: true``). The texts are Telegram HTML written by the clinic. Without the file
there is no series.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbot import i18n
from tipbot.core.content.model import ContentError

MAX_DAY = 14
MAX_TEXT = 1000
FILE_NAME = "welcome.yaml"


@dataclass(frozen=True)
class WelcomeStep:
    day: int
    id: str
    texts: dict[str, str]  # language -> HTML
    checkin: bool = False

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts[i18n.SOURCE_LANGUAGE]


@dataclass(frozen=True)
class WelcomeSeries:
    steps: tuple[WelcomeStep, ...]

    @property
    def last_day(self) -> int:
        return self.steps[-1].day

    def step_on(self, day: int) -> WelcomeStep | None:
        return next((step for step in self.steps if step.day == day), None)

    def step(self, step_id: str) -> WelcomeStep | None:
        return next((step for step in self.steps if step.id == step_id), None)


def welcome_path(library_path: Path) -> Path:
    return library_path.parent / FILE_NAME


def parse_welcome(raw: Any, path: Path, languages: list[str]) -> WelcomeSeries:
    """Validate the series; every step needs a text in each of ``languages``."""
    problems: list[str] = []
    steps: list[WelcomeStep] = []
    entries = raw.get("steps") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ContentError([f"{path}: expected a mapping with a non-empty list 'steps'"])
    seen_days: set[int] = set()
    seen_ids: set[str] = set()
    for index, entry in enumerate(entries, 1):
        where = f"{path}: step {index}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with day, id and text")
            continue
        day, step_id, texts = entry.get("day"), entry.get("id"), entry.get("text")
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= MAX_DAY:
            problems.append(f"{where}: day must be a whole number 1-{MAX_DAY}")
            continue
        if day in seen_days:
            problems.append(f"{where}: day {day} is used twice")
        if steps and day < steps[-1].day:
            problems.append(f"{where}: days must go up")
        if not isinstance(step_id, str) or not step_id or len(step_id) > 32:
            problems.append(f"{where}: id must be a short name")
            continue
        if step_id in seen_ids:
            problems.append(f"{where}: id {step_id!r} is used twice")
        if not isinstance(texts, dict):
            problems.append(f"{where}: text must map languages to texts (en: ..., es: ...)")
            continue
        for language in languages:
            value = texts.get(language)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where} ({step_id}): no text in {language!r}")
            elif len(value) > MAX_TEXT:
                problems.append(f"{where} ({step_id}): {language} text over {MAX_TEXT} characters")
        checkin = entry.get("checkin", False)
        if not isinstance(checkin, bool):
            problems.append(f"{where}: checkin must be true or false")
        seen_days.add(day)
        seen_ids.add(step_id)
        steps.append(
            WelcomeStep(
                day,
                step_id,
                {k: str(v).strip() for k, v in texts.items() if isinstance(v, str)},
                checkin is True,
            )
        )
    if problems:
        raise ContentError(problems)
    return WelcomeSeries(tuple(steps))
