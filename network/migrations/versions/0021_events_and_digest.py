"""subscriber events (invitations, waiting list, check-in, one-to-ones) and the digest

Revision ID: 0021
Revises: 0006
Create Date: 2026-12-07 17:30:00

One-to-ones are suggested introductions (the existing double opt-in); ``event_one_to_ones`` ties them to
the event. A digest delivery keeps the kinds and ids it carried, never text.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=120), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_digest_deliveries_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_deliveries")),
    )
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_deliveries_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_digest_deliveries_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "digest_preferences",
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("frequency_days", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("quiet_from", sa.Integer(), nullable=False),
        sa.Column("quiet_to", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_digest_preferences_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("subscriber_id", name=op.f("pk_digest_preferences")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("host_id", sa.String(length=40), nullable=True),
        sa.Column("checkin_code_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["host_id"], ["subscribers.id"], name=op.f("fk_events_host_id_subscribers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_tenant"), ["tenant"], unique=False)

    op.create_table(
        "event_invitations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("subscriber_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waitlisted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_invitations_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_event_invitations_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_invitations")),
        sa.UniqueConstraint("event_id", "subscriber_id", name=op.f("uq_event_invitations_event_id")),
    )
    with op.batch_alter_table("event_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_invitations_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_invitations_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_invitations_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "event_one_to_ones",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("introduction_id", sa.String(length=40), nullable=False),
        sa.Column("proposed_time", sa.String(length=120), nullable=True),
        sa.Column("follow_up_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_one_to_ones_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["introduction_id"],
            ["introductions.id"],
            name=op.f("fk_event_one_to_ones_introduction_id_introductions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_one_to_ones")),
        sa.UniqueConstraint("event_id", "introduction_id", name=op.f("uq_event_one_to_ones_event_id")),
    )
    with op.batch_alter_table("event_one_to_ones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_one_to_ones_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_one_to_ones_follow_up_due_at"), ["follow_up_due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_one_to_ones_introduction_id"), ["introduction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_one_to_ones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_one_to_ones_introduction_id"))
        batch_op.drop_index(batch_op.f("ix_event_one_to_ones_follow_up_due_at"))
        batch_op.drop_index(batch_op.f("ix_event_one_to_ones_event_id"))

    op.drop_table("event_one_to_ones")
    with op.batch_alter_table("event_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_invitations_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_event_invitations_state"))
        batch_op.drop_index(batch_op.f("ix_event_invitations_event_id"))

    op.drop_table("event_invitations")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_tenant"))
        batch_op.drop_index(batch_op.f("ix_events_state"))
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))

    op.drop_table("events")
    op.drop_table("digest_preferences")
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_deliveries_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_digest_deliveries_sent_at"))

    op.drop_table("digest_deliveries")
