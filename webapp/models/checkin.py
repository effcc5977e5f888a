from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TitledEnum, Timestamp, enum_column, utcnow


class ScanResult(TitledEnum):
    """The answer to one scan at the door; the value is the stable reason code."""

    CHECKED_IN = "checked_in", "Checked in"
    ALREADY_CHECKED_IN = "already_checked_in", "Already checked in"
    UNKNOWN_CODE = "unknown_code", "Unknown code"
    OTHER_EVENT = "other_event", "Ticket of another event"
    NO_HOLDER = "no_holder", "Ticket has no holder"
    SET_ASIDE = "set_aside", "Ticket set aside"
    VOIDED = "voided", "Ticket voided"


class DeskToken(db.Model):
    """A secret that lets one scanner device check tickets in for one event."""

    __tablename__ = "desk_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    desk_name: Mapped[str] = mapped_column(String(100))
    #: Only a hash is stored; the token itself is shown once, when created.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class CheckIn(db.Model):
    """One entry of a ticket at the door. Undoing it annuls the row, never deletes it."""

    __tablename__ = "check_ins"
    __table_args__ = (
        ForeignKeyConstraint(["ticket_id", "event_id"], ["tickets.id", "tickets.event_id"]),
        # The door rule: at most one entry per ticket that is not annulled.
        Index(
            "uq_check_ins_active_ticket",
            "ticket_id",
            unique=True,
            postgresql_where=text("annulled_at IS NULL"),
            sqlite_where=text("annulled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    ticket_id: Mapped[int] = mapped_column()
    #: Who held the ticket when it was scanned, kept even if the holder changes later.
    holder_name: Mapped[str] = mapped_column(String(201), default="")
    checked_in_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    desk_name: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    desk_token_id: Mapped[int | None] = mapped_column(ForeignKey("desk_tokens.id"))
    annulled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    annulled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    ticket: Mapped["Ticket"] = relationship(  # noqa: F821
        primaryjoin="CheckIn.ticket_id == Ticket.id", foreign_keys=[ticket_id], viewonly=True
    )
    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])  # noqa: F821


class Scan(db.Model):
    """Every scan at the door with its answer, failures included.

    A device's request id is unique per desk token, so a retried request
    finds the first answer instead of scanning twice.
    """

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("desk_token_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    raw_code: Mapped[str] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    result: Mapped[ScanResult] = mapped_column(enum_column(ScanResult))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))
    desk_name: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    desk_token_id: Mapped[int | None] = mapped_column(ForeignKey("desk_tokens.id"))
    request_id: Mapped[str | None] = mapped_column(String(100))
    scanned_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
