"""helpdesk: a request's rating and comment, and when staff first answered it

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


def upgrade() -> None:
    op.add_column("consult_requests", sa.Column("rating", sa.SmallInteger(), nullable=True))
    op.add_column("consult_requests", sa.Column("rating_comment", sa.Text(), nullable=True))
    op.add_column(
        "consult_requests",
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("consult_requests") as batch:
        batch.drop_column("first_response_at")
        batch.drop_column("rating_comment")
        batch.drop_column("rating")
