"""shaping (issue 24): weekdays, snooze, welcome series, recap, tried and saved tips, stop reasons

Revision ID: 0024_shaping
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_shaping"
down_revision = "0025_insight"
branch_labels = None
depends_on = None


def _per_person_tip(name: str) -> None:
    op.create_table(
        name,
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("tip_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["subscribers.user_id"],
            name=op.f(f"fk_{name}_user_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "tip_id", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.add_column(
        "subscribers",
        sa.Column("send_days", sa.SmallInteger(), server_default="127", nullable=False),
    )
    op.add_column("subscribers", sa.Column("snooze_delivery_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "subscribers", sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("subscribers", sa.Column("welcome_day", sa.SmallInteger(), nullable=True))
    op.add_column(
        "subscribers",
        sa.Column("recap_on", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column("subscribers", sa.Column("recap_week", sa.Integer(), nullable=True))
    op.add_column("deliveries", sa.Column("snoozed_at", sa.DateTime(timezone=True), nullable=True))
    _per_person_tip("tip_tried")
    _per_person_tip("saved_tips")
    op.create_table(
        "stop_reasons",
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reason", name=op.f("pk_stop_reasons")),
    )


def downgrade() -> None:
    op.drop_table("stop_reasons")
    op.drop_table("saved_tips")
    op.drop_table("tip_tried")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("snoozed_at")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("recap_week")
        batch.drop_column("recap_on")
        batch.drop_column("welcome_day")
        batch.drop_column("snoozed_until")
        batch.drop_column("snooze_delivery_id")
        batch.drop_column("send_days")
