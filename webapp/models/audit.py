from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TitledEnum, Timestamp, enum_column, utcnow


class AuditAction(TitledEnum):
    EVENT_CREATED = "event_created", "Event created"
    EVENT_EDITED = "event_edited", "Event edited"
    TICKET_TYPE_CREATED = "ticket_type_created", "Ticket type created"
    TICKET_TYPE_EDITED = "ticket_type_edited", "Ticket type edited"
    CAPACITY_CHANGED = "capacity_changed", "Capacity changed"
    HOLDER_ASSIGNED = "holder_assigned", "Attendee assigned"
    HOLDER_EDITED = "holder_edited", "Attendee edited"
    HOLDER_MOVED = "holder_moved", "Attendee moved"
    HOLDER_UNASSIGNED = "holder_unassigned", "Attendee unassigned"
    BULK_IMPORTED = "bulk_imported", "Bulk assignment"
    CHECKED_IN = "checked_in", "Checked in"
    CHECK_IN_ANNULLED = "check_in_annulled", "Check-in annulled"
    STAFF_ADDED = "staff_added", "Staff added"
    STAFF_REMOVED = "staff_removed", "Staff removed"
    DESK_TOKEN_CREATED = "desk_token_created", "Desk token created"
    DESK_TOKEN_REVOKED = "desk_token_revoked", "Desk token revoked"


class AuditEntry(db.Model):
    """Who did what to an event, written in the same transaction as the change."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_event_id_created_at", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who acted, as shown then: a user's email or a desk's name.
    actor: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction), index=True)
    #: Plain ids, not foreign keys: the trail outlives the rows it speaks of.
    holder_id: Mapped[int | None] = mapped_column(index=True)
    ticket_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Before and after values, counts, and the like.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    user: Mapped["User | None"] = relationship()  # noqa: F821
