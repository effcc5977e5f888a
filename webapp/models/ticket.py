from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamp, utcnow

MAX_CAPACITY = 100_000


class TicketType(db.Model):
    """A kind of admission for an event; it has exactly `capacity` tickets."""

    __tablename__ = "ticket_types"
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        # The target of the tickets' composite foreign key.
        UniqueConstraint("id", "event_id"),
        CheckConstraint(f"capacity >= 0 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    def __repr__(self) -> str:
        return f"<TicketType {self.id} {self.name!r}>"


class Ticket(db.Model):
    """One admission. Its code is what the holder shows at the door."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("code"),
        # The target of the holders' composite foreign key.
        UniqueConstraint("id", "event_id"),
        # A ticket's type belongs to the ticket's own event.
        ForeignKeyConstraint(
            ["ticket_type_id", "event_id"], ["ticket_types.id", "ticket_types.event_id"]
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_type_id: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(16))
    #: Set when an organizer voids the ticket; a voided ticket admits nobody.
    voided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    ticket_type: Mapped[TicketType] = relationship(
        foreign_keys=[ticket_type_id],
        primaryjoin="Ticket.ticket_type_id == TicketType.id",
    )
    holder: Mapped["TicketHolder | None"] = relationship(  # noqa: F821
        back_populates="ticket", uselist=False, viewonly=True,
        primaryjoin="Ticket.id == TicketHolder.ticket_id",
        foreign_keys="TicketHolder.ticket_id",
    )

    @property
    def display_code(self) -> str:
        from ..tickets.codes import format_code

        return format_code(self.code)

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.code}>"
