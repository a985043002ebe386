"""a person's message is stored once per channel message id

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 01:00:00

A turn run again after its worker died, or after the database dropped mid-turn, stored the person's message
a second time (issue 20's fault run: 1 in 40). The assistant now looks for the message first
(``network.conversations.add_inbound``); this partial unique index on (conversation, external id) of user
messages makes a second copy impossible. Copies stored before it keep their text and place in the thread but
lose their external id, so the index can be built.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INBOUND = "role = 'user' AND external_id IS NOT NULL"


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE messages SET external_id = NULL WHERE role = 'user' AND external_id IS NOT NULL "
            "AND seq > (SELECT MIN(m0.seq) FROM messages AS m0 "
            "WHERE m0.conversation_id = messages.conversation_id AND m0.role = 'user' "
            "AND m0.external_id = messages.external_id)"
        )
    )
    op.create_index(
        "uq_messages_inbound",
        "messages",
        ["conversation_id", "external_id"],
        unique=True,
        sqlite_where=sa.text(INBOUND),
        postgresql_where=sa.text(INBOUND),
    )


def downgrade() -> None:
    op.drop_index("uq_messages_inbound", table_name="messages")
