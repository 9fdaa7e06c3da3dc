"""The clinician's review sheet (``tipbot check-content --review``), outside the bot's runtime.

Every tip beside its translations, full source and basis, in Markdown or CSV; with
``--since-signoff`` only the tips added or changed since the last sign-off (and those
removed), so the clinician re-reads only those.
"""

from __future__ import annotations

import csv
import io

from tipbot.core.content import Library, Tip
from tipbot.core.content.signoff import Change, SignOff


def review_columns(library: Library, *, since: bool = False) -> tuple[str, ...]:
    """``id``, (``change``), ``topic``, ``text``, ``text_<lang>`` per translation, ``source``,
    ``basis``."""
    languages = tuple(f"text_{language}" for language in sorted(library.translations))
    return ("id", *(("change",) if since else ()), "topic", "text", *languages, "source", "basis")


def _texts(tip: Tip) -> str:
    """The text and, below it, each other wording: the clinician reviews them all."""
    return tip.text + "".join(
        f"\n[variant {n}] {variant}" for n, variant in enumerate(tip.variants, 1)
    )


def review_rows(library: Library, changes: list[Change] | None = None) -> list[dict[str, str]]:
    """One row per tip, in file order; with ``changes``, only those tips (removed ones last,
    with only their id)."""
    columns = review_columns(library, since=changes is not None)
    wanted = {change.tip_id: change for change in changes} if changes is not None else None
    rows = []
    for tip in library.tips.values():
        if wanted is not None and tip.id not in wanted:
            continue
        ref = library.reference_of(tip)
        row = {"id": tip.id, "topic": tip.topic, "text": _texts(tip), "basis": tip.basis}
        row["source"] = f"{ref.citation} {ref.url}"
        for language, translation in library.translations.items():
            missing = tip.id in translation.library.missing
            row[f"text_{language}"] = "" if missing else _texts(translation.library.tips[tip.id])
        if wanted is not None:
            row["change"] = wanted[tip.id].describe()
        rows.append({column: row[column] for column in columns})
    for change in changes or ():
        if change.kind == "removed":
            rows.append(dict.fromkeys(columns, "") | {"id": change.tip_id, "change": "removed"})
    return rows


def review_csv(library: Library, changes: list[Change] | None = None) -> str:
    out = io.StringIO()
    columns = review_columns(library, since=changes is not None)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(review_rows(library, changes))
    return out.getvalue()


def review_markdown(
    library: Library, changes: list[Change] | None = None, last: SignOff | None = None
) -> str:
    """The review sheet: every tip (or, with ``changes``, those added or changed since the
    sign-off ``last``) beside its source and basis, then how each source was checked, then
    a place for the clinician's sign-off."""

    def cell(value: str) -> str:
        return " ".join(value.split()).replace("|", "\\|")

    columns = review_columns(library, since=changes is not None)
    lines = [f"# Tip library review: {library.path.name}", ""]
    if changes is None:
        lines.append(f"{len(library.tips)} tips, {len(library.references)} references.")
    elif last is None:
        lines.append(f"No sign-off is recorded yet: all {len(library.tips)} tips are listed.")
    else:
        lines.append(
            f"Since the sign-off by {last.by} on {last.on.isoformat()}: {len(changes)} of "
            f"{len(library.tips)} tips added, changed or removed (the change column says "
            "which part changed)."
        )
    lines += [
        "For each tip, check that the source supports the text as the basis says.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in review_rows(library, changes):
        lines.append("| " + " | ".join(cell(row[c]) for c in columns) + " |")
    lines += ["", "## References", ""]
    listed = {library.tips[c.tip_id].reference for c in changes or () if c.kind != "removed"}
    for ref in library.references.values():
        if changes is not None and ref.id not in listed:
            continue  # the sheet of changes shows the sources of the tips it lists
        checked = cell(ref.verified)
        lines.append(f"- **{ref.id}**: {cell(ref.citation)} {ref.url} (checked: {checked})")
    lines += [
        "",
        "## Sign-off",
        "",
        "Reviewed by (clinician): ____________  Date: ________",
        "",
        'Then record it: `tipbot check-content --sign-off "Dr. Name"`.',
        "",
    ]
    return "\n".join(lines)
