"""consultation: at most one open or claimed request per person

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('open', 'claimed')")


def upgrade() -> None:
    op.create_index(
        "uq_consult_requests_one_active_per_person",
        "consult_requests",
        ["user_id"],
        unique=True,
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_consult_requests_one_active_per_person", table_name="consult_requests")
