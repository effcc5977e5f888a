"""Signed-in sessions that sign-out really ends, and limits on guessing passwords."""
import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cache

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

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


@dataclass(frozen=True)
class Limit:
    """One sign-in limit: which attempts it counts and what it tells the person."""

    config_key: str
    message: str


# The (account, address) pair is limited tightly, so that guessing from one
# place cannot lock the account out everywhere else; the account alone has
# a far higher ceiling that only a guesser spread over many addresses reaches.
PAIR = Limit("SIGN_IN_FAILURES_PER_PAIR",
             "Too many failed sign-ins for this account from this network. Try "
             "again in {minutes}, or ask an organizer to check the password.")
ADDRESS = Limit("SIGN_IN_FAILURES_PER_ADDRESS",
                "Too many failed sign-ins from this network. Try again in {minutes}.")
ACCOUNT = Limit("SIGN_IN_FAILURES_PER_ACCOUNT",
                "Too many failed sign-ins for this account from many places. Try "
                "again in {minutes}, or ask an organizer to check the password.")


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after_seconds: int


def begin_attempt(email: str) -> tuple[int | None, Refusal | None]:
    """Count an attempt before its password is checked; refuse it if over a limit.

    The attempt is stored and committed first and counted after, so of many
    simultaneous attempts at most the limit see a count within it. An
    attempt that is refused is forgotten again: a guesser who keeps trying
    does not push the account towards its ceiling.
    """
    address = client_address()
    with transaction():
        attempt = FailedSignIn(email=email[:254], address=address)
        db.session.add(attempt)
        db.session.execute(delete(FailedSignIn).where(
            FailedSignIn.attempted_at < utcnow() - timedelta(days=1)))
    attempt_id = attempt.id

    refusal = over_limit(email[:254], address)
    if refusal is not None:
        with transaction():
            db.session.execute(
                delete(FailedSignIn).where(FailedSignIn.id == attempt_id))
        log.info("sign-in for %s from %s refused: too many failures", email, address)
        return None, refusal
    return attempt_id, None


def over_limit(email: str, address: str) -> Refusal | None:
    config = current_app.config
    window = config["SIGN_IN_WINDOW_SECONDS"]
    since = utcnow() - timedelta(seconds=window)
    recent = select(FailedSignIn.attempted_at).where(FailedSignIn.attempted_at >= since)
    counted = {
        PAIR: recent.where(FailedSignIn.email == email,
                           FailedSignIn.address == address),
        ADDRESS: recent.where(FailedSignIn.address == address),
        ACCOUNT: recent.where(FailedSignIn.email == email),
    }
    for limit, attempts in counted.items():
        allowed = config[limit.config_key]
        total = db.session.execute(
            select(func.count()).select_from(attempts.subquery())).scalar_one()
        if total > allowed:  # the count includes this attempt
            # The wait ends when enough of the oldest attempts leave the window.
            freeing = db.session.execute(
                attempts.order_by(FailedSignIn.attempted_at)
                .offset(total - allowed - 1).limit(1)).scalar_one()
            # SQLite gives back naive times; every time stored is UTC.
            freeing = freeing.replace(tzinfo=freeing.tzinfo or timezone.utc)
            seconds = max(1, math.ceil(
                (freeing + timedelta(seconds=window) - utcnow()).total_seconds()))
            return Refusal(limit.message.format(minutes=in_minutes(seconds)), seconds)
    return None


def in_minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def end_attempt(attempt_id: int, email: str) -> None:
    """Forget a successful attempt and earlier failures from the same place."""
    with transaction():
        db.session.execute(delete(FailedSignIn).where(
            (FailedSignIn.id == attempt_id)
            | ((FailedSignIn.email == email)
               & (FailedSignIn.address == client_address()))))


@cache
def dummy_password_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def password_matches(user: User | None, password: str) -> bool:
    """Check the password; an unknown email costs the same hashing as a known one."""
    if user is None or not user.has_usable_password():
        check_password_hash(dummy_password_hash(), password)
        return False
    return user.check_password(password)
