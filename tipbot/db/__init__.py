"""Database access: models, engine and migrations."""

from tipbot.db.engine import Database
from tipbot.db.migrate import upgrade

__all__ = ["Database", "upgrade"]
