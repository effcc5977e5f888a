"""Check-in staff: organizers add people by email; new accounts get a password link."""
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..audit.trail import record
from ..errors import DomainError
from ..extensions import db
from ..models import AuditAction, Event, EventMembership, Role, User

# An account made for new staff has no password anyone knows; werkzeug
# refuses this hash for every password until the person sets one.
INVITED_PREFIX = "!invited:"
LINK_SALT = "admitone-set-password"
LINK_MAX_AGE_SECONDS = 7 * 24 * 3600


def add_staff(event: Event, email: str, *,
              organizer: User) -> tuple[EventMembership, bool]:
    """Make the person with this email check-in staff; create the account if needed."""
    user = db.session.execute(
        select(User).where(User.email == email)).scalar_one_or_none()
    created = user is None
    if created:
        user = User(email=email, password_hash=INVITED_PREFIX + secrets.token_hex(16))
        db.session.add(user)
        db.session.flush()
    membership = EventMembership(event_id=event.id, user_id=user.id, role=Role.STAFF)
    db.session.add(membership)
    db.session.flush()
    record(event, AuditAction.STAFF_ADDED, f"Added {email} as check-in staff",
           user=organizer, details={"email": email, "new_account": created})
    return membership, created


def staff_membership(event: Event, membership_id: int) -> EventMembership:
    membership = db.session.get(EventMembership, membership_id)
    if membership is None or membership.event_id != event.id \
            or membership.role is not Role.STAFF:
        raise DomainError("staff_not_found", "This person is not check-in staff of "
                          "this event.", status=404)
    return membership


def remove_staff(event: Event, membership_id: int, *, organizer: User) -> str:
    """Take a person off the event's staff; their account and past scans stay."""
    membership = staff_membership(event, membership_id)
    email = membership.user.email
    db.session.delete(membership)
    record(event, AuditAction.STAFF_REMOVED, f"Removed {email} from check-in staff",
           user=organizer, details={"email": email})
    return email


def staff_of(event: Event) -> list[EventMembership]:
    return list(db.session.execute(
        select(EventMembership).join(User, User.id == EventMembership.user_id)
        .where(EventMembership.event_id == event.id, EventMembership.role == Role.STAFF)
        .order_by(User.email)
    ).scalars())


def awaits_password(user: User) -> bool:
    return user.password_hash.startswith(INVITED_PREFIX)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def _fingerprint(user: User) -> str:
    # Part of the link: once a password is set the hash changes, so the
    # link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def set_password_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def user_for_token(token: str) -> User:
    """Return the account a set-password link is for, or refuse the link."""
    try:
        payload = _serializer().loads(token[:500], max_age=LINK_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise DomainError("link_expired", "This link has expired. Ask the organizer "
                          "for a new one.", status=410)
    except BadSignature:
        raise DomainError("link_invalid", "This link is not valid.", status=404)
    user = None
    if isinstance(payload, dict):
        user = db.session.get(User, payload.get("user"))
    if user is None or payload.get("fp") != _fingerprint(user):
        raise DomainError("link_used", "This link was already used. Sign in with your "
                          "password, or ask the organizer for help.", status=410)
    return user
