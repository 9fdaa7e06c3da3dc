"""Alembic migrations: every revision upgrades, downgrades and upgrades again."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.db_support import create_postgres_database, drop_postgres_database, using_postgres
from tipbot.core.db import Database, upgrade
from tipbot.core.db.migrate import alembic_config, downgrade
from tipbot.core.db.models import Base


@pytest.fixture
def empty_database_url(tmp_path):
    if using_postgres():
        url = create_postgres_database("tipbot_migrations")
        yield url
        drop_postgres_database(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


async def table_names(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))


async def test_walk_every_revision_up_down_up(empty_database_url):
    revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    revisions.reverse()  # oldest first
    db = Database(empty_database_url)
    try:
        for index, revision in enumerate(revisions):
            await upgrade(db.engine, revision)
            previous = revisions[index - 1] if index else "base"
            await downgrade(db.engine, previous)
            await upgrade(db.engine, revision)
        assert await table_names(db) >= {t.name for t in Base.metadata.sorted_tables}
        await downgrade(db.engine, "base")
        assert await table_names(db) <= {"alembic_version"}
        await upgrade(db.engine)  # and once more to head, as `tipbot db upgrade` does
    finally:
        await db.dispose()


async def test_models_match_migrations(empty_database_url):
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(empty_database_url)
    try:
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        assert diff == []
    finally:
        await db.dispose()


def test_cli_db_upgrade_is_idempotent(tmp_path, monkeypatch, capsys):
    from tipbot.cli import main

    monkeypatch.setenv("TIPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
