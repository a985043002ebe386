"""webhook endpoint scopes: what an endpoint may receive beyond ids and states

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:00:00

``webhook_endpoints.scopes`` is a JSON list; ``contacts`` lets ``introduction.accepted`` deliveries carry the
two parties' contact details (built at delivery time, never stored in the outbox). Existing endpoints get
``[]``: nothing changes for them. A plain ADD COLUMN with a server default (no SQLite batch copy).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_endpoints", sa.Column("scopes", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_column("scopes")
