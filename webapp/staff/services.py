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
JOIN_SALT = "admitone-join-event"
LINK_MAX_AGE_SECONDS = 7 * 24 * 3600


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == email)).scalar_one_or_none()


def add_new_staff(event: Event, email: str, *, organizer: User) -> EventMembership:
    """Create an account without a password and make it check-in staff.

    Nobody knows the account's password yet, so the membership grants
    nothing until the person sets one from the organizer's link.
    """
    user = User(email=email, password_hash=INVITED_PREFIX + secrets.token_hex(16))
    db.session.add(user)
    db.session.flush()
    return start_membership(event, user, added_by=organizer, new_account=True)


def start_membership(event: Event, user: User, *, added_by: User,
                     new_account: bool) -> EventMembership:
    membership = EventMembership(event_id=event.id, user_id=user.id, role=Role.STAFF)
    db.session.add(membership)
    db.session.flush()
    record(event, AuditAction.STAFF_ADDED, f"Added {user.email} as check-in staff",
           user=added_by, details={"email": user.email, "new_account": new_account})
    return membership


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


def _join_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=JOIN_SALT)


def join_token(event: Event, user: User, *, organizer: User) -> str:
    """A link for an existing account to join the event as staff, once confirmed.

    Its password alone must not open another organizer's event: whoever
    invited the account first may know that password.
    """
    return _join_serializer().dumps(
        {"event": event.id, "user": user.id, "by": organizer.id})


def invitation_for(token: str, user: User) -> tuple[Event, User]:
    """The event and inviting organizer of a join link meant for `user`."""
    try:
        payload = _join_serializer().loads(token[:500], max_age=LINK_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise DomainError("link_expired", "This link has expired. Ask the organizer "
                          "for a new one.", status=410)
    except BadSignature:
        raise DomainError("link_invalid", "This link is not valid.", status=404)
    if not isinstance(payload, dict) or payload.get("user") != user.id:
        # Same answer as a forged link: do not confirm whose link it is.
        raise DomainError("link_invalid", "This link is not valid for the account "
                          "you are signed in with.", status=404)
    event = db.session.get(Event, payload.get("event"))
    organizer = db.session.get(User, payload.get("by"))
    if event is None or organizer is None or not organizes(event, organizer):
        # An organizer who left the event can no longer bring people in.
        raise DomainError("link_invalid", "This link is not valid.", status=404)
    return event, organizer


def organizes(event: Event, user: User) -> bool:
    return db.session.execute(select(EventMembership.role).where(
        EventMembership.event_id == event.id, EventMembership.user_id == user.id)
    ).scalar_one_or_none() is Role.ORGANIZER


def join(event: Event, user: User, *, organizer: User) -> EventMembership:
    """Start the membership a join link offers, unless the person already has one."""
    # TODO: a link handed out before the person was removed still works
    # until it expires; a stored invitation row would let removal revoke it.
    existing = db.session.execute(select(EventMembership).where(
        EventMembership.event_id == event.id, EventMembership.user_id == user.id)
    ).scalar_one_or_none()
    if existing is not None:
        raise DomainError("already_member", f"You already belong to {event.name} "
                          f"({existing.role.title.lower()}).", status=409)
    return start_membership(event, user, added_by=organizer, new_account=False)
