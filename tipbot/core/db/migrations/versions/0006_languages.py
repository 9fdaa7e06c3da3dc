"""languages: each person's language, and the language a consultation request was made in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subscribers", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column("consult_requests", sa.Column("language", sa.String(length=16), nullable=True))
    # Until now only Telegram's tag was kept; it is resolved to a catalog when used.
    op.execute("UPDATE subscribers SET language = language_code")


def downgrade() -> None:
    with op.batch_alter_table("consult_requests") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("language")
