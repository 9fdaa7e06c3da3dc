"""Languages: gettext catalogs, texts rendered in a language the caller names, Babel formatting.

Catalogs are standard gettext files, ``tipbot/locales/<lang>/LC_MESSAGES/tipbot.po`` (plus
those in ``TIPBOT_LOCALES_DIR``). They are compiled in memory when the bot starts (Babel's
``read_po`` + ``write_mo``): a clinic edits a ``.po`` file and restarts, with no build step
and no stale ``.mo`` file that could disagree with its ``.po``.

There is no "current language": a text (``Text``) is a message id, and
``text.render(language, **fields)`` is the only way to get a string from it. A reply to a
person renders in the update's language (``context.language``), everything in the staff group
in ``staff_language()``, a job's message in its recipient's stored language. ``str(text)``
raises, so a text used without naming a language fails loudly instead of picking one.

A leaf: it imports nothing of tipbot's.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "tipbot"
SOURCE_LANGUAGE = "en"  # the language of the msgids in the code
SHIPPED_LOCALES = Path(__file__).resolve().parent / "locales"
_TAG = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


_INCLUDE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_includes: dict[str, Text] = {}  # NAME -> text, for ``{NAME}`` inside another text
_translated: dict[tuple[str, str], str] = {}  # (language, msgid) -> text; reset by setup()


@dataclass(frozen=True, slots=True)
class Text:
    """A message id (its English text); ``render`` gives it in a named language.

    ``{NAME}`` (upper case) includes another text of ``tipbot.texts`` in the same language;
    lower-case ``{field}`` placeholders are filled from ``render``'s keyword arguments.
    """

    msgid: str

    def render(self, language: str, /, **fields: Any) -> str:
        key = (language, self.msgid)
        text = _translated.get(key)
        if text is None:  # once per language: translate, then fill in the includes
            text = _INCLUDE.sub(
                lambda m: _includes[m[1]].render(language),
                translations(language).gettext(self.msgid),
            )
            _translated[key] = text
        return text.format(**fields) if fields else text

    def __str__(self) -> str:
        raise TypeError(f"render {self.msgid[:40]!r} in a named language: text.render(language)")

    def __format__(self, spec: str) -> str:  # f"{text}" fails as loudly as str(text)
        return str(self)


@dataclass(frozen=True, slots=True)
class Plural:
    """A text with plural forms: ``render(language, count, **fields)``."""

    singular: str
    plural: str

    def render(self, language: str, count: int, /, **fields: Any) -> str:
        text = translations(language).ngettext(self.singular, self.plural, count)
        return text.format(**fields) if fields else text

    def __str__(self) -> str:
        raise TypeError(f"render {self.singular[:40]!r} in a named language")


def N_(message: str) -> Text:
    """Mark a text for extraction (``pybabel extract``); render it where it is used."""
    return Text(message)


def ngettext(singular: str, plural: str) -> Plural:
    """Mark a text with plural forms for extraction (the same keyword ``pybabel`` knows)."""
    return Plural(singular, plural)


def define_includes(texts: Mapping[str, Any]) -> None:
    """The texts that ``{NAME}`` may include (``tipbot.texts`` registers its own)."""
    _includes.update({name: value for name, value in texts.items() if isinstance(value, Text)})


@dataclass
class Catalogs:
    """Every language the bot speaks, and which one to use where nothing else says."""

    translations: dict[str, _gettext.NullTranslations] = field(
        default_factory=lambda: {SOURCE_LANGUAGE: _gettext.NullTranslations()}
    )
    default: str = SOURCE_LANGUAGE
    staff: str = SOURCE_LANGUAGE

    @property
    def languages(self) -> list[str]:
        """The source language first, then the others alphabetically."""
        return sorted(self.translations, key=lambda code: (code != SOURCE_LANGUAGE, code))

    def resolve(self, code: str | None) -> str:
        """A language the bot has for an IETF tag from Telegram (``es``, ``pt-br``, ``ES``),
        trying the full tag, then its primary language; else the default."""
        if code:
            tag = code.strip().replace("-", "_").lower()
            for candidate in (tag, tag.split("_")[0]):
                if candidate in self._by_lower_case:
                    return self._by_lower_case[candidate]
        return self.default

    @cached_property
    def _by_lower_case(self) -> dict[str, str]:
        return {language.lower(): language for language in self.translations}


_catalogs: Catalogs | None = None  # set by setup(); the shipped catalogs if never called


class LanguageError(ValueError):
    """A configured language has no catalog; the message names what is available."""


def load_translations(*directories: Path) -> dict[str, _gettext.NullTranslations]:
    """Every ``<lang>/LC_MESSAGES/tipbot.po`` under the directories (later ones win)."""
    found: dict[str, _gettext.NullTranslations] = {}
    for directory in directories:
        for po_path in sorted(Path(directory).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = po_path.parents[1].name
            if not _TAG.match(language):
                continue
            found[language] = compile_po(po_path)
    found.setdefault(SOURCE_LANGUAGE, _gettext.NullTranslations())
    return found


def read_catalog(po_path: Path) -> Catalog:
    with po_path.open("rb") as handle:
        return read_po(handle, locale=po_path.parents[1].name, domain=DOMAIN)


def compile_po(po_path: Path) -> _gettext.GNUTranslations:
    """The ``.po`` file as gettext translations, compiled in memory (fuzzy entries skipped)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(po_path))
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def setup(*, default: str, staff: str | None = None, extra_locales: Path | None = None) -> Catalogs:
    """Load the catalogs once at start; raises ``LanguageError`` for a language without one."""
    directories = [SHIPPED_LOCALES] + ([extra_locales] if extra_locales else [])
    catalogs = Catalogs(load_translations(*directories))
    for name, code in (("DEFAULT_LANGUAGE", default), ("STAFF_LANGUAGE", staff or default)):
        if code not in catalogs.translations:
            raise LanguageError(
                f"TIPBOT_{name}: no catalog for {code!r} "
                f"(available: {', '.join(catalogs.languages)})"
            )
    catalogs.default = default
    catalogs.staff = staff or default
    global _catalogs
    _catalogs = catalogs
    _translated.clear()
    return catalogs


def catalogs() -> Catalogs:
    return _catalogs or setup(default=SOURCE_LANGUAGE)


def telegram_code(language: str) -> str | None:
    """The code Telegram takes for a language's menu and description (two letters), if any."""
    return language if re.fullmatch(r"[a-z]{2}", language) else None


def languages() -> list[str]:
    return catalogs().languages


def resolve(code: str | None) -> str:
    return catalogs().resolve(code)


def default_language() -> str:
    """``TIPBOT_DEFAULT_LANGUAGE``: for people whose language the bot does not have."""
    return catalogs().default


def staff_language() -> str:
    """``TIPBOT_STAFF_LANGUAGE``: everything the bot writes in the staff group."""
    return catalogs().staff


def translations(language: str) -> _gettext.NullTranslations:
    found = catalogs().translations.get(language)
    return found if found is not None else _gettext.NullTranslations()


def babel_locale(code: str) -> Locale:
    """Babel's locale for a language (English for a code Babel does not know)."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def format_date(value: date | datetime, language: str, style: str = "medium") -> str:
    """A date as people of a language write it (``Jun 12, 2026``, ``12 jun 2026``)."""
    return _babel_format_date(value, style, locale=babel_locale(language))


def weekday_date(value: date | datetime, language: str) -> str:
    """A short date with its weekday (``Fri, Jun 12``; ``vie, 12 jun``) in a language."""
    locale = babel_locale(language)
    pattern = locale.datetime_skeletons.get("MMMEd")
    return _babel_format_date(value, pattern or "medium", locale=locale)


def language_name(code: str) -> str:
    """A language's name in itself (``English``, ``español``), for buttons and /mydata."""
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


# ----------------------------------------------------------------------------- checking

TEMPLATE = SHIPPED_LOCALES / f"{DOMAIN}.pot"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_HTML_TAG = re.compile(r"</?([a-z]+)")


@dataclass(frozen=True)
class CatalogReport:
    """One ``.po`` file checked against the template (``tipbot.pot``)."""

    language: str
    path: Path
    total: int
    missing: tuple[str, ...]  # untranslated or fuzzy: shown in English
    problems: tuple[str, ...]  # would break a message: must be fixed

    def coverage(self) -> str:
        done, cwd = self.total - len(self.missing), Path.cwd()
        path = self.path.relative_to(cwd) if self.path.is_relative_to(cwd) else self.path
        return f"{path}: {self.language}: {done}/{self.total} texts ({100 * done // self.total}%)"


def catalog_paths(extra_locales: Path | None = None) -> dict[str, Path]:
    """Each language's ``.po`` file (one in ``extra_locales`` wins over the shipped one)."""
    found: dict[str, Path] = {}
    for directory in [SHIPPED_LOCALES] + ([extra_locales] if extra_locales else []):
        for po_path in sorted(Path(directory).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            found[po_path.parents[1].name] = po_path
    return found


def check_catalog(po_path: Path, template_path: Path = TEMPLATE) -> CatalogReport:
    """Missing texts, and translations whose placeholders or HTML tags differ from the
    English (a missing ``{time}`` or ``<b>`` would break the message)."""
    with template_path.open("rb") as handle:
        template = read_po(handle)
    catalog = read_catalog(po_path)
    language = po_path.parents[1].name
    source = language == SOURCE_LANGUAGE
    missing, problems = [], []
    for entry in template:
        if not entry.id:
            continue
        key = entry.id[0] if isinstance(entry.id, tuple | list) else entry.id
        found = catalog.get(entry.id)
        strings = _strings(found.string) if found is not None else []
        if found is None or (not source and (found.fuzzy or not all(strings))):
            missing.append(key)
            continue
        english = entry.id[-1] if isinstance(entry.id, tuple | list) else entry.id
        for text in strings:
            if text and sorted(_PLACEHOLDER.findall(text)) != sorted(_PLACEHOLDER.findall(english)):
                problems.append(f"{po_path}: {key[:50]!r}: placeholders differ from the English")
            if text and sorted(_HTML_TAG.findall(text)) != sorted(_HTML_TAG.findall(english)):
                problems.append(f"{po_path}: {key[:50]!r}: HTML tags differ from the English")
    known = {entry.id for entry in template}
    for entry in catalog:
        if entry.id and entry.id not in known and not entry.obsolete:
            problems.append(f"{po_path}: {str(entry.id)[:50]!r}: not in {template_path.name}")
    total = sum(1 for entry in template if entry.id)
    return CatalogReport(language, po_path, total, tuple(missing), tuple(problems))


def _strings(string: str | tuple[str, ...] | list[str]) -> list[str]:
    return list(string) if isinstance(string, tuple | list) else [string]
