"""Clinical sign-off: which tips a clinician has read and approved (``signoff.yaml``).

A clinician signs off the whole library once and then re-reads only what changed: each
sign-off records, per tip id, a fingerprint of what the clinician reviews (the English text,
the basis, the cited reference's citation and each translation's text), so a later edit of
any of them shows the tip as changed, and says which part changed.

The file sits beside ``tips.yaml``; a missing file means nothing is signed off yet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tipbot.core.clock import Clock
from tipbot.core.content.model import ContentError, Library

SIGNOFF_FILE = "signoff.yaml"
DIGEST_LENGTH = 12  # hex digits of SHA-256 per part: plenty to notice an edit

HEADER = """\
# Clinical sign-off of the tip library (issue 26). Written by
# `tipbot check-content --sign-off "Dr. Name"`; do not edit by hand.
#
# Each entry of `signoffs` (newest last) records who signed, when, and per tip id a
# fingerprint of what the clinician reviewed: `text=` the English text, `basis=` the basis,
# `citation=` the cited reference's citation, and `<lang>=` each translation's text (one
# part per language that translates the tip). Each part is the first 12 hex digits of the
# SHA-256 of that text, whitespace collapsed. A tip whose fingerprint differs from the
# newest sign-off's (or that it lacks) is unsigned: `tipbot check-content --review
# --since-signoff` lists those tips, and the bot logs a warning at start while any exist.
"""


@dataclass(frozen=True)
class SignOff:
    by: str
    on: date
    tips: dict[str, str]  # tip id -> fingerprint


@dataclass(frozen=True)
class Change:
    """A tip added, changed or removed since the newest sign-off."""

    tip_id: str
    kind: str  # "added", "changed" or "removed"
    parts: tuple[str, ...] = ()  # for "changed": text, basis, citation and/or languages

    def describe(self) -> str:
        return f"changed: {', '.join(self.parts)}" if self.parts else self.kind


def signoff_path(library: Library) -> Path:
    return library.path.parent / SIGNOFF_FILE


def _digest(value: str) -> str:
    normalized = " ".join(value.split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def fingerprint(library: Library, tip_id: str) -> str:
    """``text=… basis=… citation=… es=…``: one digest per part a clinician reviews."""
    original = library.original or library
    tip = original.tips[tip_id]
    parts = {
        "text": tip.text,
        "basis": tip.basis,
        "citation": original.reference_of(tip).citation,
    }
    # Other wordings only where a tip has them: the fingerprints of the others stay as signed.
    for number, variant in enumerate(tip.variants, 1):
        parts[f"variant{number}"] = variant
    for language, translation in sorted(original.translations.items()):
        if tip_id not in translation.library.missing:
            translated = translation.library.tips[tip_id]
            parts[language] = translated.text
            for number, variant in enumerate(translated.variants, 1):
                parts[f"{language}-variant{number}"] = variant
    return " ".join(f"{name}={_digest(value)}" for name, value in parts.items())


def fingerprints(library: Library) -> dict[str, str]:
    original = library.original or library
    return {tip_id: fingerprint(original, tip_id) for tip_id in original.tips}


def read_signoffs(path: Path) -> list[SignOff]:
    """The recorded sign-offs, oldest first; none when the file does not exist."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContentError([f"{path}: cannot read: {reason}"]) from None
    entries = raw.get("signoffs") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ContentError([f"{path}: expected a mapping with a list `signoffs`"])
    signoffs, problems = [], []
    for index, entry in enumerate(entries, start=1):
        try:
            signoffs.append(_signoff(entry))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{path}: sign-off #{index}: {str(exc).strip(chr(39) + chr(34))}")
    if problems:
        raise ContentError(problems)
    return signoffs


def _signoff(entry: Any) -> SignOff:
    if not isinstance(entry, dict):
        raise TypeError("expected a mapping with by, date and tips")
    by, on, tips = entry.get("by"), entry.get("date"), entry.get("tips")
    if not isinstance(by, str) or not by.strip():
        raise ValueError("missing by: who signed off")
    if isinstance(on, str):
        on = date.fromisoformat(on)
    if isinstance(on, datetime):
        on = on.date()
    if not isinstance(on, date):
        raise ValueError("date must be YYYY-MM-DD")
    if not isinstance(tips, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tips.items()
    ):
        raise TypeError("tips must map each tip id to its fingerprint")
    return SignOff(by.strip(), on, dict(tips))


def latest_signoff(library: Library) -> SignOff | None:
    signoffs = read_signoffs(signoff_path(library))
    return signoffs[-1] if signoffs else None


def _parts(value: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in value.split())


def changes_since(library: Library, last: SignOff | None) -> list[Change]:
    """Tips added or changed since ``last`` (library order), then those it has and the
    library no longer does."""
    signed = last.tips if last else {}
    current = fingerprints(library)
    changes = []
    for tip_id, now in current.items():
        before = signed.get(tip_id)
        if before is None:
            changes.append(Change(tip_id, "added"))
        elif before != now:
            old, new = _parts(before), _parts(now)
            names = [name for name in new if old.get(name) != new[name]]
            names += [name for name in old if name not in new]
            changes.append(Change(tip_id, "changed", tuple(names)))
    changes += [Change(tip_id, "removed") for tip_id in signed if tip_id not in current]
    return changes


def unsigned(changes: list[Change]) -> list[Change]:
    """The changes a clinician must read: added and changed tips (a removed one is gone)."""
    return [change for change in changes if change.kind != "removed"]


def not_signed_off(count: int) -> str:
    """``N tips are not signed off`` (``1 tip is …``): the check's and the warning's words."""
    return f"{count} tip is not signed off" if count == 1 else f"{count} tips are not signed off"


def status_line(library: Library) -> str:
    """One line for ``check-content``: how many tips are not signed off, and since what."""
    last = latest_signoff(library)
    changes = changes_since(library, last)
    pending = unsigned(changes)
    if last is None:
        return (
            f"sign-off: none recorded yet: {not_signed_off(len(pending))} "
            "(tipbot check-content --review --since-signoff)"
        )
    since = f"since the sign-off by {last.by} on {last.on.isoformat()}"
    removed = len(changes) - len(pending)
    if not pending:
        gone = f" ({removed} removed since)" if removed else ""
        return f"sign-off: all {len(library.tips)} tips signed off by {last.by} on {last.on}{gone}"
    added = sum(change.kind == "added" for change in pending)
    return (
        f"sign-off: {not_signed_off(len(pending))} ({added} added, "
        f"{len(pending) - added} changed, {removed} removed {since}): "
        "tipbot check-content --review --since-signoff"
    )


def record_signoff(library: Library, by: str, clock: Clock) -> SignOff:
    """Append a sign-off of the library as it is now (every tip's fingerprint) by ``by``,
    dated today (UTC) by ``clock``; keeps the earlier sign-offs and the file's header."""
    by = " ".join(by.split())
    if not by:
        raise ValueError("say who signs off, e.g. --sign-off 'Dr. Ana Ruiz'")
    path = signoff_path(library)
    signoffs = read_signoffs(path)
    signoff = SignOff(by, clock.now().date(), fingerprints(library))
    signoffs.append(signoff)
    data = {"signoffs": [{"by": s.by, "date": s.on.isoformat(), "tips": s.tips} for s in signoffs]}
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    try:
        path.write_text(_header(path) + body, encoding="utf-8")
    except OSError as exc:
        raise ContentError([f"{path}: cannot write: {exc.strerror or exc}"]) from None
    return signoff


def _header(path: Path) -> str:
    """The file's leading comment block, so a rewrite keeps it; ``HEADER`` for a new file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HEADER
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines) or HEADER
