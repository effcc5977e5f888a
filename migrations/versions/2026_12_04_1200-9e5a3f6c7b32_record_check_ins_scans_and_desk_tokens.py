"""Record check-ins, every scan at the door, and scanner desks' tokens.

A partial unique index allows one check-in per ticket that is not
annulled. The tables are new, so no existing row can break it.

Revision ID: 9e5a3f6c7b32
Revises: 7c4e2d8b5a21
Create Date: 2026-12-04 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "9e5a3f6c7b32"
down_revision = "7c4e2d8b5a21"
branch_labels = None
depends_on = None

SCAN_RESULTS = ("checked_in", "already_checked_in", "unknown_code", "other_event",
                "no_holder", "set_aside", "voided")


def timestamp(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "desk_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("desk_name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_desk_tokens_created_by_id_users")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_desk_tokens_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_desk_tokens_token_hash")),
    )
    op.create_index(op.f("ix_desk_tokens_event_id"), "desk_tokens", ["event_id"])
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(201), nullable=False),
        timestamp("checked_in_at"),
        sa.Column("desk_name", sa.String(100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("desk_token_id", sa.Integer(), nullable=True),
        timestamp("annulled_at", nullable=True),
        sa.Column("annulled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["annulled_by_id"], ["users.id"],
                                name=op.f("fk_check_ins_annulled_by_id_users")),
        sa.ForeignKeyConstraint(["desk_token_id"], ["desk_tokens.id"],
                                name=op.f("fk_check_ins_desk_token_id_desk_tokens")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_check_ins_event_id_events")),
        sa.ForeignKeyConstraint(["ticket_id", "event_id"], ["tickets.id", "tickets.event_id"],
                                name=op.f("fk_check_ins_ticket_id_event_id_tickets")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_check_ins_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    op.create_index(op.f("ix_check_ins_event_id"), "check_ins", ["event_id"])
    op.create_index("uq_check_ins_active_ticket", "check_ins", ["ticket_id"], unique=True,
                    postgresql_where=sa.text("annulled_at IS NULL"),
                    sqlite_where=sa.text("annulled_at IS NULL"))
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("raw_code", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.Enum(*SCAN_RESULTS, name="scanresult", native_enum=False,
                                    length=40), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=True),
        sa.Column("desk_name", sa.String(100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("desk_token_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(100), nullable=True),
        timestamp("scanned_at"),
        sa.ForeignKeyConstraint(["check_in_id"], ["check_ins.id"],
                                name=op.f("fk_scans_check_in_id_check_ins")),
        sa.ForeignKeyConstraint(["desk_token_id"], ["desk_tokens.id"],
                                name=op.f("fk_scans_desk_token_id_desk_tokens")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_scans_event_id_events")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_scans_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_scans_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
        sa.UniqueConstraint("desk_token_id", "request_id",
                            name=op.f("uq_scans_desk_token_id_request_id")),
    )
    op.create_index(op.f("ix_scans_event_id"), "scans", ["event_id"])


def downgrade():
    op.drop_table("scans")
    op.drop_table("check_ins")
    op.drop_table("desk_tokens")
