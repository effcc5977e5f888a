"""Track signed-in sessions and failed sign-ins, so sign-out and rate limits hold.

Both tables are new; no existing row is touched.

Revision ID: c4d81f2e6a57
Revises: 9e5a3f6c7b32
Create Date: 2026-12-04 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d81f2e6a57"
down_revision = "9e5a3f6c7b32"
branch_labels = None
depends_on = None


def timestamp(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        timestamp("created_at"),
        timestamp("ended_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_sign_ins_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_ins_token_hash")),
    )
    op.create_index(op.f("ix_sign_ins_user_id"), "sign_ins", ["user_id"])
    op.create_table(
        "failed_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        timestamp("attempted_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_sign_ins")),
    )
    op.create_index("ix_failed_sign_ins_email_attempted_at", "failed_sign_ins",
                    ["email", "attempted_at"])
    op.create_index("ix_failed_sign_ins_address_attempted_at", "failed_sign_ins",
                    ["address", "attempted_at"])


def downgrade():
    op.drop_table("failed_sign_ins")
    op.drop_table("sign_ins")
