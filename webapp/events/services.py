"""Creating and changing events, and the counts their pages show."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..audit.trail import record
from ..extensions import db
from ..models import (
    AuditAction,
    CheckIn,
    Event,
    EventMembership,
    Role,
    Ticket,
    TicketHolder,
    TicketType,
    User,
)

EVENT_FIELDS = ("name", "venue", "timezone", "starts_at", "ends_at")


def create_event(organizer: User, **values) -> Event:
    event = Event(**values)
    event.memberships.append(EventMembership(user=organizer, role=Role.ORGANIZER))
    db.session.add(event)
    db.session.flush()
    record(event, AuditAction.EVENT_CREATED, f"Created event {event.name}", user=organizer)
    return event


def update_event(event: Event, **values) -> None:
    before = {name: str(getattr(event, name)) for name in EVENT_FIELDS}
    for name, value in values.items():
        setattr(event, name, value)
    after = {name: str(getattr(event, name)) for name in EVENT_FIELDS}
    changed = {name: [before[name], after[name]] for name in EVENT_FIELDS
               if before[name] != after[name]}
    if changed:
        record(event, AuditAction.EVENT_EDITED, f"Edited {', '.join(changed)}",
               details={"changes": changed})


@dataclass
class TypeCounts:
    ticket_type: TicketType
    tickets: int
    held: int
    checked_in: int

    @property
    def free(self) -> int:
        return self.tickets - self.held


def counts_by_type(event: Event) -> list[TypeCounts]:
    """Tickets, holders and active check-ins per ticket type, in one query."""
    held = (select(func.count()).select_from(TicketHolder)
            .join(Ticket, Ticket.id == TicketHolder.ticket_id)
            .where(Ticket.ticket_type_id == TicketType.id)
            .scalar_subquery())
    tickets = (select(func.count()).select_from(Ticket)
               .where(Ticket.ticket_type_id == TicketType.id).scalar_subquery())
    checked_in = (select(func.count()).select_from(CheckIn)
                  .join(Ticket, Ticket.id == CheckIn.ticket_id)
                  .where(Ticket.ticket_type_id == TicketType.id,
                         CheckIn.annulled_at.is_(None))
                  .scalar_subquery())
    rows = db.session.execute(
        select(TicketType, tickets, held, checked_in)
        .where(TicketType.event_id == event.id)
        .order_by(TicketType.name)
    ).all()
    return [TypeCounts(*row) for row in rows]


def events_of(user: User) -> list[tuple[Event, Role]]:
    return db.session.execute(
        select(Event, EventMembership.role)
        .join(EventMembership, EventMembership.event_id == Event.id)
        .where(EventMembership.user_id == user.id)
        .order_by(Event.starts_at.desc())
    ).all()
