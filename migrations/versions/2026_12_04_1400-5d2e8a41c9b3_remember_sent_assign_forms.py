"""Remember each sent assign form by its token, so a repeat assigns nothing.

The table is new; no existing row is touched.

Revision ID: 5d2e8a41c9b3
Revises: c4d81f2e6a57
Create Date: 2026-12-04 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "5d2e8a41c9b3"
down_revision = "c4d81f2e6a57"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assign_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_assign_submissions_event_id_events")),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["ticket_holders.id"], ondelete="SET NULL",
            name=op.f("fk_assign_submissions_holder_id_ticket_holders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assign_submissions")),
        sa.UniqueConstraint("token", name=op.f("uq_assign_submissions_token")),
    )
    op.create_index(op.f("ix_assign_submissions_event_id"), "assign_submissions",
                    ["event_id"])
    op.create_index(op.f("ix_assign_submissions_holder_id"), "assign_submissions",
                    ["holder_id"])


def downgrade():
    op.drop_table("assign_submissions")
