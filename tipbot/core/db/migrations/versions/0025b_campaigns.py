"""campaigns: segments, per-language texts, schedules, a photo and a button for broadcasts;
per-recipient due times; which wording of a tip a delivery showed

Revision ID: 0025b_campaigns
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0025b_campaigns"
down_revision = "0023_helpdesk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("segment", sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(sa.Column("texts", sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(
            sa.Column("timing", sa.String(length=16), server_default="now", nullable=False)
        )
        batch.add_column(sa.Column("send_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("photo", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("button", sa.String(length=512), nullable=True))
        batch.create_index(batch.f("ix_broadcasts_send_at"), ["send_at"], unique=False)
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            "ix_broadcast_recipients_due", ["broadcast_id", "status", "due_at"], unique=False
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("variant", sa.SmallInteger(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("variant")
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.drop_index("ix_broadcast_recipients_due")
        batch.drop_column("due_at")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_index(batch.f("ix_broadcasts_send_at"))
        for column in ("button", "photo", "send_at", "timing", "texts", "segment"):
            batch.drop_column(column)
