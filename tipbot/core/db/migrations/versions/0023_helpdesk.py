"""helpdesk: ratings, response and last-message times, assignment, staff who acted, blocks

Revision ID: 0023_helpdesk
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_helpdesk"
# The head of main at branch time (0006); the integrator chains the parallel revisions.
down_revision = "0006"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite, which would lose the partial unique index).
    for column in (
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("first_response_at", _WHEN, nullable=True),
        sa.Column("assigned_to", sa.BigInteger(), nullable=True),
        sa.Column("assigned_to_name", sa.String(length=128), nullable=True),
        sa.Column("last_person_at", _WHEN, nullable=True),
        sa.Column("last_staff_at", _WHEN, nullable=True),
        sa.Column("nudged_at", _WHEN, nullable=True),
    ):
        op.add_column("consult_requests", column)
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("last_acted_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_staff_members_username", "staff_members", ["username"])
    op.create_table(
        "consult_blocks",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("blocked_by", sa.BigInteger(), nullable=False),
        sa.Column("notice_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("consult_blocks")
    op.drop_index("ix_staff_members_username", table_name="staff_members")
    op.drop_table("staff_members")
    with op.batch_alter_table("consult_requests") as batch:
        for column in (
            "nudged_at",
            "last_staff_at",
            "last_person_at",
            "assigned_to_name",
            "assigned_to",
            "first_response_at",
            "rating_comment",
            "rating",
        ):
            batch.drop_column(column)
