"""Where the database is and whether it is migrated, for commands that must not create one.

``tipbot run`` and ``tipbot db upgrade`` create and migrate the database. Every other
command (``export-requests``, ``doctor``) only reads it: run from the wrong folder, a
relative SQLite path would otherwise create an empty file there and fail on a missing table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tipbot.core.config import ConfigError
from tipbot.core.db.engine import Database
from tipbot.core.db.migrate import alembic_config


def sqlite_file(url: str) -> Path | None:
    """The absolute path of an SQLite database file (None for PostgreSQL or in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def describe_location(url: str) -> str:
    """For logs and messages: the SQLite file's absolute path, or the URL without password."""
    path = sqlite_file(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class MigrationState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def migration_state(db: Database) -> MigrationState:
    """The database's Alembic revision and the code's latest one."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head() or ""

    def current(connection: Connection) -> str | None:
        quiet = logging.getLogger("alembic.runtime.migration")
        level, quiet.level = quiet.level, logging.WARNING  # no "Context impl ..." chatter
        try:
            return MigrationContext.configure(connection).get_current_revision()
        finally:
            quiet.setLevel(level)

    async with db.engine.connect() as connection:
        return MigrationState(await connection.run_sync(current), head)


async def open_existing(url: str) -> Database:
    """A ``Database`` for a database that exists and is migrated, else a one-line
    ``ConfigError`` saying where the command looked (nothing is created)."""
    where = describe_location(url)
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise ConfigError(
            f"TIPBOT_DATABASE_URL: no database at {where}; run this command in the bot's "
            "folder or set TIPBOT_DATABASE_URL to the database's absolute path "
            "(`tipbot run` and `tipbot db upgrade` create it)"
        )
    db = Database(url)
    try:
        state = await migration_state(db)
    except (OSError, SQLAlchemyError) as exc:
        await db.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise ConfigError(
            f"TIPBOT_DATABASE_URL: cannot open the database {where}: {reason}"
        ) from None
    if not state.up_to_date:
        await db.dispose()
        raise ConfigError(
            f"TIPBOT_DATABASE_URL: the database at {where} is not migrated "
            f"(revision {state.current or 'none'}, expected {state.head}): "
            "run `tipbot db upgrade`"
        )
    return db
