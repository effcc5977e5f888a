"""Per-desk tokens for scanner devices: shown once, stored only as a hash."""
import hashlib
import secrets

from sqlalchemy import select, update

from ..audit.trail import record
from ..errors import Conflict, DomainError
from ..extensions import db
from ..models import AuditAction, DeskToken, Event, User, utcnow

TOKEN_PREFIX = "ao_"


def hash_token(token: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough: nobody
    # can search that space, and the scan path must stay cheap.
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_desk_token(event: Event, desk_name: str, *,
                      user: User) -> tuple[DeskToken, str]:
    """Make a token for one desk; the caller shows the plain token once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    desk_token = DeskToken(event_id=event.id, desk_name=desk_name,
                           token_hash=hash_token(token), created_by_id=user.id)
    db.session.add(desk_token)
    db.session.flush()
    record(event, AuditAction.DESK_TOKEN_CREATED,
           f"Created a token for desk {desk_name}", user=user,
           details={"desk_token_id": desk_token.id, "desk_name": desk_name})
    return desk_token, token


def revoke_desk_token(event: Event, desk_token_id: int, *, user: User) -> DeskToken:
    """Revoke a token; scans it made stay, new requests with it get 403."""
    desk_token = db.session.get(DeskToken, desk_token_id)
    if desk_token is None or desk_token.event_id != event.id:
        raise DomainError("desk_token_not_found", "There is no such desk token.",
                          status=404)
    revoked = db.session.execute(
        update(DeskToken).where(DeskToken.id == desk_token.id,
                                DeskToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session="fetch")
    ).rowcount
    if revoked == 0:
        raise Conflict("already_revoked", "This token was already revoked.")
    record(event, AuditAction.DESK_TOKEN_REVOKED,
           f"Revoked the token of desk {desk_token.desk_name}", user=user,
           details={"desk_token_id": desk_token.id, "desk_name": desk_token.desk_name})
    return desk_token


def desk_tokens_of(event: Event) -> list[DeskToken]:
    return list(db.session.execute(
        select(DeskToken).where(DeskToken.event_id == event.id)
        .order_by(DeskToken.revoked_at.is_not(None), DeskToken.desk_name, DeskToken.id)
    ).scalars())


def find_desk_token(token: str) -> DeskToken | None:
    return db.session.execute(
        select(DeskToken).where(DeskToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
