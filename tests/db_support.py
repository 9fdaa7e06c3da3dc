"""Test databases: a migrated SQLite file per test, or a PostgreSQL database per session.

``TIPBOT_TEST_DATABASE_URL`` (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``)
switches the suite to PostgreSQL. Each pytest session (each pytest-xdist worker) then creates
its own database next to the given one, so parallel runs never share rows, and drops it at
the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tipbot.core.config import normalize_database_url
from tipbot.core.db import Database, upgrade
from tipbot.core.db.models import Base

TEST_DATABASE_URL = os.environ.get("TIPBOT_TEST_DATABASE_URL")


def using_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


async def _admin_execute(statement: str) -> None:
    admin = Database(normalize_database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    try:
        async with admin.engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def create_postgres_database(prefix: str = "tipbot_test") -> str:
    """A new, empty PostgreSQL database; returns its URL.

    Under pytest-xdist each worker is its own session with its own database (named after the
    worker, e.g. ``tipbot_test_gw1_…``): the per-test TRUNCATE never reaches another worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        prefix = f"{prefix}_{worker}"
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(TEST_DATABASE_URL)).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


def migrated_sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{template}"))
    return template


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "tipbot.db"
    shutil.copy(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def truncate_all(url: str) -> None:
    """Empty every table (PostgreSQL), so each test starts from a migrated, empty schema."""
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await db.dispose()
