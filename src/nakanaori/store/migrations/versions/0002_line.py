"""line tables

Revision ID: 0002_line
Revises: 0001_journal
Create Date: 2026-11-29

LINE bot tables: line_accounts (conversation state), line_reminders (push with retry key),
line_webhook_events (redelivery dedupe), line_group_notices (groups told once).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_line"
down_revision: str | Sequence[str] | None = "0001_journal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_group_notices",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_line_group_notices")),
    )
    op.create_table(
        "line_webhook_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_line_webhook_events")),
    )
    op.create_table(
        "line_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.Column("last_advice", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_line_accounts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_line_accounts")),
        sa.UniqueConstraint("line_user_id", name=op.f("uq_line_accounts_line_user_id")),
    )
    op.create_table(
        "line_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retry_key", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["planned_steps.id"],
            name=op.f("fk_line_reminders_step_id_planned_steps"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_line_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_reminders")),
        sa.UniqueConstraint("retry_key", name=op.f("uq_line_reminders_retry_key")),
    )
    with op.batch_alter_table("line_reminders", schema=None) as batch_op:
        batch_op.create_index("ix_line_reminders_status_due_at", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_reminders_step_id"), ["step_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_reminders_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("line_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_reminders_user_id"))
        batch_op.drop_index(batch_op.f("ix_line_reminders_step_id"))
        batch_op.drop_index("ix_line_reminders_status_due_at")

    op.drop_table("line_reminders")
    op.drop_table("line_accounts")
    op.drop_table("line_webhook_events")
    op.drop_table("line_group_notices")
