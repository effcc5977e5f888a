from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamp, utcnow


class AssignSubmission(db.Model):
    """An assign form that was sent and saved, by its one-time token.

    A second POST of the same form (a double click, a resent request)
    finds this row and answers with the first result instead of
    assigning another ticket. The unique token makes two concurrent
    sends collide in the database.
    """

    __tablename__ = "assign_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Empty once the holder is unassigned; the audit trail keeps who it was.
    holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_holders.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
