from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamp, utcnow

NAME_LENGTH = 100
EMAIL_LENGTH = 254


class TicketHolder(db.Model):
    """The attendee a ticket is assigned to. One ticket, at most one holder."""

    __tablename__ = "ticket_holders"
    __table_args__ = (
        # The rule of the product: a ticket has at most one holder ...
        UniqueConstraint("ticket_id", "event_id"),
        # ... and the ticket belongs to the holder's event.
        ForeignKeyConstraint(["ticket_id", "event_id"], ["tickets.id", "tickets.event_id"]),
        CheckConstraint("email = lower(email)", name="lowercase_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    ticket_id: Mapped[int] = mapped_column()
    first_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    last_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    ticket: Mapped["Ticket"] = relationship(  # noqa: F821
        back_populates="holder",
        primaryjoin="TicketHolder.ticket_id == Ticket.id",
        foreign_keys=[ticket_id],
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<TicketHolder {self.id} ticket={self.ticket_id}>"


class SetAsideHolder(db.Model):
    """A holder row that broke a rule when the rule arrived, kept out of the way.

    Migrations move such rows here instead of deleting them, so an organizer
    can see who was affected and reassign them by hand.
    """

    __tablename__ = "set_aside_holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The row's id in ticket_holders, so a downgrade can put it back.
    original_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    ticket_id: Mapped[int] = mapped_column(Integer, index=True)
    first_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    last_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    created_at: Mapped[datetime | None] = mapped_column(Timestamp)
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reason: Mapped[str] = mapped_column(Text)
    set_aside_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
