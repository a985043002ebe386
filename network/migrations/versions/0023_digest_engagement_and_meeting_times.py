"""digest engagement by the message it went out as; one-to-one times proposed and agreed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 21:45:00

``digest_deliveries.message_ref`` is the channel's id of the digest message (WhatsApp ``wamid``, Slack
``channel:ts``): a read status or a reply naming it marks the digest opened or acted on. A one-to-one keeps
who proposed its time and when the other side agreed. Plain ADD COLUMNs (no SQLite batch copy). Two
composite indexes on introductions serve the digest's per-subscriber questions (benchmarks/digest_bench.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("digest_deliveries", sa.Column("message_ref", sa.String(length=200), nullable=True))
    op.create_index("ix_digest_deliveries_message_ref", "digest_deliveries", ["message_ref"])
    op.add_column("event_one_to_ones", sa.Column("proposed_by", sa.String(length=40), nullable=True))
    op.add_column("event_one_to_ones", sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_introductions_requester_state", "introductions", ["requester_id", "state"])
    op.create_index("ix_introductions_target_state", "introductions", ["target_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_introductions_target_state", table_name="introductions")
    op.drop_index("ix_introductions_requester_state", table_name="introductions")
    with op.batch_alter_table("event_one_to_ones", schema=None) as batch_op:
        batch_op.drop_column("agreed_at")
        batch_op.drop_column("proposed_by")
    op.drop_index("ix_digest_deliveries_message_ref", table_name="digest_deliveries")
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_column("message_ref")
