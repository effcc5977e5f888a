from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamp, utcnow


class SignIn(db.Model):
    """One signed-in browser session; signing out ends it for good.

    The cookie carries a random token whose hash is stored here, so a copy
    of the cookie taken before sign-out no longer signs anyone in.
    """

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)


class FailedSignIn(db.Model):
    """A sign-in attempt, stored before its password is checked and kept if it fails.

    Counted per account and address, per address and per account to slow
    guessing; a successful sign-in removes its own row.

    Kept in the database so that every server worker counts the same attempts.
    """

    __tablename__ = "failed_sign_ins"
    __table_args__ = (
        Index("ix_failed_sign_ins_email_attempted_at", "email", "attempted_at"),
        Index("ix_failed_sign_ins_address_attempted_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
