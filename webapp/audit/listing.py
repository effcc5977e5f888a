"""The audit page's query: filter by person, action and attendee, one page at a time."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditAction, AuditEntry, Event
from ..pages import database_id, id_arg

MAX_ATTENDEE_SEARCH = 200


@dataclass
class AuditFilters:
    """What the organizer asked for; unknown values simply filter nothing."""

    user_id: int | None = None
    action: AuditAction | None = None
    attendee: str = ""

    @classmethod
    def from_args(cls, args) -> "AuditFilters":
        action = args.get("action", "")
        attendee = args.get("attendee", "").replace("\x00", "").strip()
        return cls(
            user_id=id_arg(args, "user"),
            action=AuditAction._value2member_map_.get(action),
            attendee=attendee[:MAX_ATTENDEE_SEARCH],
        )

    def as_args(self) -> dict:
        return {"user": self.user_id or "", "action": self.action or "",
                "attendee": self.attendee}


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def audit_page(event: Event, filters: AuditFilters, *, page: int = 1,
               per_page: int = 50) -> AuditPage:
    """Return one page of the event's trail, newest first."""
    query = select(AuditEntry).where(AuditEntry.event_id == event.id)
    if filters.user_id:
        query = query.where(AuditEntry.user_id == filters.user_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.attendee.isascii() and filters.attendee.isdigit():
        holder_id = database_id(filters.attendee) or 0
        query = query.where(AuditEntry.holder_id == holder_id)
    elif filters.attendee:
        # Summaries name the attendee as they were then, which is what an
        # organizer remembers after a rename or an unassignment.
        pattern = "%" + filters.attendee.lower().replace("\\", "\\\\") \
            .replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(AuditEntry.holder_id.is_not(None),
                            func.lower(AuditEntry.summary).like(pattern, escape="\\"))

    total = db.session.execute(
        select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = db.session.execute(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return AuditPage(entries=list(entries), total=total, page=page, pages=pages)


def people_in_trail(event: Event) -> list[tuple[int, str]]:
    """The users who appear in the event's trail, for the person filter."""
    return db.session.execute(
        select(AuditEntry.user_id, func.max(AuditEntry.actor))
        .where(AuditEntry.event_id == event.id, AuditEntry.user_id.is_not(None))
        .group_by(AuditEntry.user_id).order_by(func.max(AuditEntry.actor))
    ).all()


def is_change(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def changes_of(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """Before and after values from an entry's details, as (what, before, after)."""
    details = entry.details or {}
    pairs = {**(details.get("changes") or {}),
             **{key: value for key, value in details.items() if key != "changes"}}
    return [(key.replace("_", " "), value[0], value[1])
            for key, value in sorted(pairs.items()) if is_change(value)]


def facts_of(entry: AuditEntry) -> list[tuple[str, object]]:
    """Single values from an entry's details: the email at the time, a count."""
    details = entry.details or {}
    return [(key.replace("_", " "), value) for key, value in sorted(details.items())
            if key != "changes" and not is_change(value) and not key.endswith("_id")]
