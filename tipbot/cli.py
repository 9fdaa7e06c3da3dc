"""The ``tipbot`` command line: run the bot, check the content, migrate the database.

Exit codes: 0 success, 1 invalid content (or a failed ``doctor`` check), 2 invalid
configuration or usage.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tipbot.core.clock import Clock, SystemClock
from tipbot.core.config import ConfigError, Settings, load_settings
from tipbot.core.content import ContentError, Library, load_library, signoff
from tipbot.core.logs import setup_logging

if TYPE_CHECKING:
    from tipbot.core.db import Database

log = logging.getLogger("tipbot")

EXIT_OK, EXIT_CONTENT, EXIT_CONFIG = 0, 1, 2

RUN_DESCRIPTION = """\
Start the bot: migrate the database, then take updates (long polling, or a webhook).

Required:
  TIPBOT_TOKEN             the bot token from @BotFather

Main optional settings (environment or a .env file here; all of them: .env.example):
  TIPBOT_STAFF_CHAT_ID     the staff group's id, e.g. -1001234567890 (/chatid in the group)
  TIPBOT_STAFF_USER_IDS    user ids that count as staff besides the group's members
  TIPBOT_DATABASE_URL      default sqlite+aiosqlite:///tipbot.db (in the current folder),
                           or postgresql://user:password@host/db
  TIPBOT_DEFAULT_TIMEZONE  new subscribers' timezone, e.g. Europe/Berlin (default UTC)
  TIPBOT_WEBHOOK_URL       public https:// URL: webhook mode instead of polling
  TIPBOT_PORT              port of /healthz, /metrics and the webhook
  TIPBOT_PRIVACY_POLICY_URL  the clinic's privacy policy, linked in the consultation form

Check a setup with `tipbot doctor`."""


def _settings() -> Settings:
    return load_settings()


def _clock() -> Clock:
    """The clock that dates a sign-off (a test replaces it)."""
    return SystemClock()


def cmd_run(_args: argparse.Namespace) -> int:
    from tipbot.app import build_application, setup_languages
    from tipbot.core.db import Database
    from tipbot.core.db.status import describe_location, sqlite_file
    from tipbot.runner import Runner, resolve_webhook_secret

    settings = _settings()
    token = settings.require_token()
    setup_languages(settings)  # a language without a catalog stops us before the database
    webhook_secret = resolve_webhook_secret(settings)
    secrets = [token] + ([webhook_secret] if webhook_secret else [])
    setup_logging(settings.log_level, fmt=settings.log_format, secrets=secrets)
    library = load_library(settings.content)
    log.info("tip library: %d tips in %d topics", len(library.tips), len(library.topics))
    warn_unsigned(library)
    log.info("database: %s", describe_location(settings.database_url))
    new_file = sqlite_file(settings.database_url)
    if new_file is not None and not new_file.exists():
        log.warning(
            "no database at %s yet: creating an empty one (start the bot from the same folder "
            "each time, or give TIPBOT_DATABASE_URL an absolute path)",
            new_file,
        )
    db = Database(settings.database_url)
    asyncio.run(_migrate(db))
    # A fresh engine for the bot's own loop: connections must not cross event loops.
    application = build_application(settings, library=library)
    asyncio.run(Runner(application, settings, webhook_secret=webhook_secret).serve())
    return EXIT_OK


def warn_unsigned(library: Library) -> None:
    """A warning at start while a tip is new or changed since the clinical sign-off; the bot
    still runs (an unreadable ``signoff.yaml`` counts every tip as not signed off)."""
    try:
        last = signoff.latest_signoff(library)
    except ContentError as exc:
        log.warning("%s: counting every tip as not signed off", "; ".join(exc.problems))
        last = None
    pending = signoff.unsigned(signoff.changes_since(library, last))
    if pending:
        log.warning(
            "%s: run tipbot check-content --review --since-signoff",
            signoff.not_signed_off(len(pending)),
        )


async def _migrate(db: Database) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from tipbot.core.db import upgrade

    try:
        await upgrade(db.engine)
    except (OSError, SQLAlchemyError) as exc:
        where = db.engine.url.render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise ConfigError(
            f"TIPBOT_DATABASE_URL: cannot open the database {where}: {reason}"
        ) from None
    finally:
        await db.dispose()


async def _require_database(url: str) -> None:
    """Refuse to go on (one line, no new file) unless the database exists and is migrated."""
    from tipbot.core.db.status import open_existing

    await (await open_existing(url)).dispose()


def cmd_check_content(args: argparse.Namespace) -> int:
    settings = _settings()
    path = Path(args.path) if args.path else settings.content
    if args.since_signoff and not args.review:
        print("tipbot: --since-signoff goes with --review", file=sys.stderr)
        return EXIT_CONFIG
    if args.sign_off is not None and args.review:
        print("tipbot: --sign-off records a sign-off; run it without --review", file=sys.stderr)
        return EXIT_CONFIG
    library = load_library(path)
    if args.sign_off is not None:
        record = signoff.record_signoff(library, args.sign_off, _clock())
        where = signoff.signoff_path(library)
        print(f"{where}: signed off {len(record.tips)} tips by {record.by} on {record.on}")
        return EXIT_OK
    if args.review:
        return print_review(library, since_signoff=args.since_signoff, fmt=args.format)
    print(library.summary())
    if library.welcome is not None:
        days = ", ".join(str(step.day) for step in library.welcome.steps)
        print(f"welcome series: {len(library.welcome.steps)} steps (with daily tips {days})")
    complete = check_languages(library, settings.locales_dir)
    print(signoff.status_line(library))
    if args.strict and not complete:
        print("incomplete translations (--strict): see above", file=sys.stderr)
        return EXIT_CONTENT
    print("OK")
    return EXIT_OK


def print_review(library: Library, *, since_signoff: bool, fmt: str) -> int:
    from tipbot.content_review import review_csv, review_markdown

    changes = last = None
    if since_signoff:
        last = signoff.latest_signoff(library)
        changes = signoff.changes_since(library, last)
    if fmt == "csv":
        sys.stdout.write(review_csv(library, changes))
    else:
        sys.stdout.write(review_markdown(library, changes, last))
    return EXIT_OK


def check_languages(library: Library, locales_dir: Path | None) -> bool:
    """Check every catalog and tip translation, print each language's coverage; raises
    ``ContentError`` for a broken one, returns whether every language is complete."""
    from tipbot import i18n

    reports = [i18n.check_catalog(path) for path in i18n.catalog_paths(locales_dir).values()]
    problems = [problem for report in reports for problem in report.problems]
    if problems:
        raise ContentError(problems)
    complete = True
    print("languages:")
    for report in reports:
        print(f"  {report.coverage()}")
        complete = complete and not report.missing
        if report.language == i18n.SOURCE_LANGUAGE:
            continue
        translation = library.translations.get(report.language)
        if translation is None:
            name = f"{library.path.stem}.{report.language}{library.path.suffix}"
            print(f"  {report.language}: no {name}: tips in English")
            complete = False
            continue
        print(f"  {translation.coverage()}")
        complete = complete and translation.complete
    languages = {report.language for report in reports}
    for language in sorted(set(library.translations) - languages):
        print(f"  {language}: tips without a UI catalog ({language}/LC_MESSAGES/tipbot.po): unused")
        complete = False
    return complete


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from tipbot.core.db import Database
    from tipbot.core.db.status import describe_location

    settings = _settings()
    setup_logging(settings.log_level)
    asyncio.run(_migrate(Database(settings.database_url)))
    print(f"database {describe_location(settings.database_url)} is up to date")
    return EXIT_OK


def _find_fakegram() -> bool:
    """fakegram, the fake Bot API, is not in the tipbot wheel (nor the image): it sits beside
    ``tipbot/`` in a checkout, which an editable install (``pip install -e .``) points at."""
    if importlib.util.find_spec("fakegram") is not None:
        return True
    checkout = Path(__file__).resolve().parent.parent
    if not (checkout / "fakegram" / "__init__.py").is_file():
        return False
    sys.path.append(str(checkout))
    return True


def cmd_doctor(_args: argparse.Namespace) -> int:
    from tipbot.doctor import diagnose, render

    settings = _settings()
    setup_logging("ERROR")  # the report is the output
    checks = asyncio.run(diagnose(settings))
    print(render(checks, settings))
    return EXIT_OK if all(check.ok for check in checks) else EXIT_CONTENT


def cmd_demo(_args: argparse.Namespace) -> int:
    if not _find_fakegram():
        print(
            "tipbot demo needs the fake Bot API (fakegram), which comes with a checkout of the "
            "repository: git clone it and pip install -e . there",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from tipbot.demo import run_demo

    setup_logging("WARNING")
    asyncio.run(run_demo())
    return EXIT_OK


def cmd_export_requests(args: argparse.Namespace) -> int:
    from tipbot.consult.export import export_requests

    settings = _settings()
    setup_logging(settings.log_level)
    asyncio.run(_require_database(settings.database_url))
    asyncio.run(
        export_requests(
            settings.database_url,
            sys.stdout,
            args.since,
            args.status,
            hours=settings.business_hours,
        )
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from tipbot.core.content import load_library
    from tipbot.insight.report import report

    settings = _settings()
    setup_logging(settings.log_level)
    asyncio.run(_require_database(settings.database_url))
    library = load_library(settings.content)
    paths = asyncio.run(report(settings.database_url, args.directory, library, _clock().now()))
    for path in paths:
        print(path)
    return EXIT_OK


def _signer(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise argparse.ArgumentTypeError("say who signs off, e.g. --sign-off 'Dr. Ana Ruiz'")
    return name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tipbot",
        description="A Telegram bot that sends one evidence-based gut–brain tip a day.",
        epilog="Configuration comes from TIPBOT_* environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="start the bot (migrates the database first)",
        description=RUN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.set_defaults(func=cmd_run)

    check = commands.add_parser("check-content", help="validate the tip library")
    check.add_argument("path", nargs="?", help="the YAML file (default: TIPBOT_CONTENT)")
    check.add_argument(
        "--review",
        action="store_true",
        help="print the clinician's review sheet (id, topic, text, source, basis) instead",
    )
    check.add_argument(
        "--format",
        choices=("markdown", "csv"),
        default="markdown",
        help="review sheet format (default: markdown)",
    )
    check.add_argument(
        "--since-signoff",
        action="store_true",
        help="with --review: only the tips added or changed since the last clinical sign-off",
    )
    check.add_argument(
        "--sign-off",
        metavar="NAME",
        type=_signer,
        help="record that NAME (the clinician) signed off every tip as it is now, dated today, "
        "in signoff.yaml beside the library",
    )
    check.add_argument(
        "--strict", action="store_true", help="also fail when a translation is incomplete"
    )
    check.set_defaults(func=cmd_check_content)

    doctor = commands.add_parser(
        "doctor",
        help="check token, database, tip library, staff group and webhook (exit 1 on a ❌)",
    )
    doctor.set_defaults(func=cmd_doctor)

    demo = commands.add_parser(
        "demo", help="try the bot in the terminal, without Telegram (reads a pipe too)"
    )
    demo.set_defaults(func=cmd_demo)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply all database migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)

    from tipbot.consult.export import add_export_arguments

    export = commands.add_parser(
        "export-requests", help="write consultation requests as CSV to stdout"
    )
    add_export_arguments(export)
    export.set_defaults(func=cmd_export_requests)

    report = commands.add_parser(
        "report",
        help="write every figure of the weekly digest as CSV files into a directory",
        description="Every figure of the weekly digest as of now, one CSV file per figure "
        "(window.csv says which days), for spreadsheets. Times in UTC, durations in seconds.",
    )
    report.add_argument("directory", type=Path, help="where to write the CSV files (created)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Opt into PTB's coming timedelta ``RetryAfter.retry_after`` now (tipbot.core.sender reads
    # both), instead of a deprecation warning in the logs at every flood wait.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"tipbot: configuration error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
