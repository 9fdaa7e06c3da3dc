"""inbox: every update kept from its acknowledgement to Telegram until it is handled

Revision ID: 0027_inbox
Revises: 0021b_budget
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_inbox"
down_revision = "0021b_budget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index(op.f("ix_inbox_updates_chat_id"), "inbox_updates", ["chat_id"])
    op.create_index(op.f("ix_inbox_updates_handled_at"), "inbox_updates", ["handled_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_updates_handled_at"), table_name="inbox_updates")
    op.drop_index(op.f("ix_inbox_updates_chat_id"), table_name="inbox_updates")
    op.drop_table("inbox_updates")
