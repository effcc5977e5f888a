"""Create accounts, events, ticket types, tickets, holders and the audit trail.

Ticket holders start without the one-holder-per-ticket rule; the next
revision adds it, after setting aside the rows that break it.

Revision ID: 3b1f0c2a9d10
Revises:
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3b1f0c2a9d10"
down_revision = None
branch_labels = None
depends_on = None

AUDIT_ACTIONS = (
    "event_created", "event_edited", "ticket_type_created", "ticket_type_edited",
    "capacity_changed", "holder_assigned", "holder_edited", "holder_moved",
    "holder_unassigned", "bulk_imported", "checked_in", "check_in_annulled",
    "staff_added", "staff_removed", "desk_token_created", "desk_token_revoked",
)


def timestamp(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_lowercase_email")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint("ends_at >= starts_at", name=op.f("ck_events_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_table(
        "event_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("organizer", "staff", name="role", native_enum=False,
                                  length=40), nullable=False),
        timestamp("created_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_event_memberships_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_event_memberships_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_memberships")),
        sa.UniqueConstraint("event_id", "user_id",
                            name=op.f("uq_event_memberships_event_id_user_id")),
    )
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint("capacity >= 0 AND capacity <= 100000",
                           name=op.f("ck_ticket_types_capacity_range")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_ticket_types_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_types")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_ticket_types_event_id_name")),
        sa.UniqueConstraint("id", "event_id", name=op.f("uq_ticket_types_id_event_id")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ticket_type_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        timestamp("voided_at", nullable=True),
        timestamp("created_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_tickets_event_id_events")),
        sa.ForeignKeyConstraint(["ticket_type_id", "event_id"],
                                ["ticket_types.id", "ticket_types.event_id"],
                                name=op.f("fk_tickets_ticket_type_id_event_id_ticket_types")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("code", name=op.f("uq_tickets_code")),
        sa.UniqueConstraint("id", "event_id", name=op.f("uq_tickets_id_event_id")),
    )
    op.create_index(op.f("ix_tickets_ticket_type_id"), "tickets", ["ticket_type_id"])
    op.create_table(
        "ticket_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.CheckConstraint("email = lower(email)",
                           name=op.f("ck_ticket_holders_lowercase_email")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_ticket_holders_event_id_events")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_ticket_holders_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_holders")),
    )
    op.create_index(op.f("ix_ticket_holders_email"), "ticket_holders", ["email"])
    op.create_index(op.f("ix_ticket_holders_event_id"), "ticket_holders", ["event_id"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.Enum(*AUDIT_ACTIONS, name="auditaction", native_enum=False,
                                    length=40), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        timestamp("created_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_audit_entries_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_audit_entries_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_action"), "audit_entries", ["action"])
    op.create_index("ix_audit_entries_event_id_created_at", "audit_entries",
                    ["event_id", "created_at"])
    op.create_index(op.f("ix_audit_entries_holder_id"), "audit_entries", ["holder_id"])


def downgrade():
    op.drop_table("audit_entries")
    op.drop_table("ticket_holders")
    op.drop_table("tickets")
    op.drop_table("ticket_types")
    op.drop_table("event_memberships")
    op.drop_table("events")
    op.drop_table("users")
