from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TitledEnum, Timestamp, enum_column, utcnow


class Role(TitledEnum):
    ORGANIZER = "organizer", "Organizer"
    STAFF = "staff", "Check-in staff"


class Event(db.Model):
    """One occasion with a start, an end, a venue and a time zone."""

    __tablename__ = "events"
    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    #: IANA name such as "Europe/Berlin"; start and end are local times there.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    memberships: Mapped[list["EventMembership"]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.name!r}>"


class EventMembership(db.Model):
    """What one user may do in one event."""

    __tablename__ = "event_memberships"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="memberships")
    user: Mapped["User"] = relationship()  # noqa: F821
