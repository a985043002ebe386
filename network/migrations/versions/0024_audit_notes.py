"""audit notes: the words an audit event refers to, kept outside the hash chain

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 00:40:00

An audit event is never edited, not even by an erasure, so it holds ids, states, amounts and codes only. A
reason someone typed (voiding a deal, reversing an incentive, erasing a subscriber) or a token's label goes
to ``audit_notes``, which the event names by ``note_id`` and an erasure wipes or scrubs like any record.
Events written before this revision keep what they hold (editing them would break the chain).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_audit_notes_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_notes")),
    )
    op.create_index(op.f("ix_audit_notes_subscriber_id"), "audit_notes", ["subscriber_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_notes_subscriber_id"), table_name="audit_notes")
    op.drop_table("audit_notes")
