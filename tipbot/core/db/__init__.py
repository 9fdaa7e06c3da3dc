"""Database access: models, engine and migrations."""

from tipbot.core.db.engine import Database
from tipbot.core.db.migrate import upgrade

__all__ = ["Database", "upgrade"]
