"""erasure requests and profile review

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_erasure_requests_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_requests_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_erasure_requests_subscriber_id"), ["subscriber_id"], unique=False
        )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_state", sa.String(length=16), server_default="clear", nullable=False)
        )
        batch_op.add_column(sa.Column("review_reasons", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_profiles_review_state"), ["review_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_review_state"))
        batch_op.drop_column("review_reasons")
        batch_op.drop_column("review_state")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_requests_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_erasure_requests_state"))
    op.drop_table("erasure_requests")
