"""Signed-in sessions that sign-out really ends, and limits on guessing passwords."""
import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, func, select, update

from ..database import transaction
from ..extensions import db
from ..models import FailedSignIn, SignIn, User, utcnow

log = logging.getLogger(__name__)

SESSION_KEY = "sign_in"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def start_session(user: User) -> None:
    """Sign the user in with a brand-new session and a token stored as a hash."""
    token = secrets.token_urlsafe(32)
    with transaction():
        db.session.add(SignIn(user_id=user.id, token_hash=token_hash(token),
                              address=client_address()))
        db.session.execute(delete(FailedSignIn).where(FailedSignIn.email == user.email))

    # A shared desk laptop must not carry the previous user's session.
    session.clear()
    session[SESSION_KEY] = token
    login_user(user)


def end_session() -> None:
    """End the sign-in for good, then drop everything kept in the session."""
    token = session.get(SESSION_KEY)
    if token:
        with transaction():
            db.session.execute(
                update(SignIn).where(SignIn.token_hash == token_hash(token))
                .values(ended_at=utcnow()))
    logout_user()
    session.clear()


def signed_in_user(user_id: str) -> User | None:
    """The user of this session, if its sign-in has not ended."""
    token = session.get(SESSION_KEY)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    return db.session.execute(
        select(User).join(SignIn, SignIn.user_id == User.id)
        .where(User.id == int(user_id), SignIn.token_hash == token_hash(token),
               SignIn.ended_at.is_(None))
    ).scalar_one_or_none()


def sign_in_refusal(email: str) -> str | None:
    """Why a sign-in must wait, if too many recent attempts failed."""
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["SIGN_IN_WINDOW_SECONDS"])
    minutes = max(1, config["SIGN_IN_WINDOW_SECONDS"] // 60)
    recent = select(func.count()).select_from(FailedSignIn) \
        .where(FailedSignIn.attempted_at >= since)

    by_account = db.session.execute(
        recent.where(FailedSignIn.email == email)).scalar_one()
    if by_account >= config["SIGN_IN_FAILURES_PER_ACCOUNT"]:
        return (f"Too many failed sign-ins for this account. Wait {minutes} minutes "
                "and try again, or ask an organizer to check the password.")
    by_address = db.session.execute(
        recent.where(FailedSignIn.address == client_address())).scalar_one()
    if by_address >= config["SIGN_IN_FAILURES_PER_ADDRESS"]:
        return (f"Too many failed sign-ins from this network. Wait {minutes} minutes "
                "and try again.")
    return None


def record_failure(email: str) -> None:
    """Count a failed sign-in, and forget attempts older than a day."""
    with transaction():
        db.session.add(FailedSignIn(email=email[:254], address=client_address()))
        db.session.execute(delete(FailedSignIn).where(
            FailedSignIn.attempted_at < utcnow() - timedelta(days=1)))
    log.info("failed sign-in for %s from %s", email, client_address())
