"""insight: the consultation funnel's day x step counters (aggregate only, never a person)

Revision ID: 0025_insight
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_insight"
down_revision = "0025b_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funnel_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "step", name=op.f("pk_funnel_counts")),
    )


def downgrade() -> None:
    op.drop_table("funnel_counts")
