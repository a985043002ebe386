"""the operator's outcomes: memberships from the BSS, churn events and NPS answers

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 17:50:00

Subscribers gain ``bss_customer_id`` (the TMF629 customer a membership comes from); a subscriber who leaves
the operator becomes ``churned`` (states are plain strings, no schema change).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN and a unique index, not a batch table copy: on SQLite the copy drops `subscribers`,
    # which every other table references, and with foreign keys on (network/db.py) an installation that
    # already had subscribers could not upgrade ("FOREIGN KEY constraint failed" on DROP TABLE subscribers)
    op.add_column("subscribers", sa.Column("bss_customer_id", sa.String(length=64), nullable=True))
    op.create_index("uq_subscribers_bss_customer_id", "subscribers", ["bss_customer_id"], unique=True)

    op.create_table(
        "churn_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("bss_customer_id", sa.String(length=64), nullable=True),
        sa.Column("engaged", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("counterparts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_churn_events_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_events")),
        sa.UniqueConstraint("subscriber_id", "occurred_at", name=op.f("uq_churn_events_subscriber_id")),
    )
    with op.batch_alter_table("churn_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_churn_events_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_churn_events_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "nps_responses",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_nps_responses_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nps_responses")),
    )
    with op.batch_alter_table("nps_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nps_responses_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nps_responses_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_nps_responses_asked_at"), ["asked_at"], unique=False)


def downgrade() -> None:
    op.drop_table("nps_responses")
    op.drop_table("churn_events")
    op.drop_index("uq_subscribers_bss_customer_id", table_name="subscribers")
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("bss_customer_id")
