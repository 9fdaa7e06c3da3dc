"""consultation form drafts: the form's state, one row per person

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consult_drafts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("entry", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_consult_drafts")),
    )
    with op.batch_alter_table("consult_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consult_drafts_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consult_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consult_drafts_expires_at"))
    op.drop_table("consult_drafts")
