"""budget: replicas' heartbeats and groups' send slots, for one Telegram budget

Revision ID: 0021b_budget
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0021b_budget"
down_revision = "0024_shaping"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_replicas",
        sa.Column("replica_id", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.Float(), nullable=False),
        sa.Column("beat_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("replica_id", name=op.f("pk_send_replicas")),
    )
    op.create_table(
        "send_group_slots",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_send_group_slots")),
    )


def downgrade() -> None:
    op.drop_table("send_group_slots")
    op.drop_table("send_replicas")
