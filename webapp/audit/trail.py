"""Writing the audit trail: rows added to the session of the change they record."""
from typing import Any

from flask_login import current_user

from ..extensions import db
from ..models import AuditAction, AuditEntry, Event, User, utcnow


def record(
    event: Event | int,
    action: AuditAction,
    summary: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    holder_id: int | None = None,
    ticket_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry; it commits or rolls back with the change itself."""
    if user is None and actor is None and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditEntry(**entry_values(event, action, summary, user=user, actor=actor,
                                      holder_id=holder_id, ticket_id=ticket_id,
                                      details=details))
    db.session.add(entry)
    return entry


def entry_values(event: Event | int, action: AuditAction, summary: str, *,
                 user: User | None = None, actor: str | None = None,
                 holder_id: int | None = None, ticket_id: int | None = None,
                 details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns of an audit entry, for a service that inserts it with Core."""
    return {
        "event_id": event if isinstance(event, int) else event.id,
        "user_id": user.id if user else None,
        "actor": actor or (user.email if user else ""),
        "action": action,
        "summary": summary,
        "holder_id": holder_id,
        "ticket_id": ticket_id,
        "details": details or {},
        "created_at": utcnow(),
    }
