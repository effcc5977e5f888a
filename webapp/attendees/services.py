"""Assigning attendees to tickets: the writes behind the forms, with their audit rows."""
import logging

from sqlalchemy import delete, select

from ..audit.trail import record
from ..errors import Conflict
from ..extensions import db
from ..models import AuditAction, Event, Ticket, TicketHolder, TicketType
from ..tickets.codes import format_code

log = logging.getLogger(__name__)

DETAIL_FIELDS = ("first_name", "last_name", "email")
PICK_ATTEMPTS = 5


def next_free_ticket(event: Event, ticket_type_id: int) -> Ticket:
    """Pick a free ticket of the type and lock it for this transaction.

    SKIP LOCKED lets two organizers taking "the next free ticket" at the
    same moment get different tickets instead of colliding. SQLite has no
    row locks, but it runs one writer at a time, which gives the same result.
    """
    query = (
        select(Ticket)
        .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .where(Ticket.event_id == event.id, Ticket.ticket_type_id == ticket_type_id,
               Ticket.voided_at.is_(None), TicketHolder.id.is_(None))
        .order_by(Ticket.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=Ticket, skip_locked=True)
    for _attempt in range(PICK_ATTEMPTS):
        ticket = db.session.execute(query).scalar_one_or_none()
        if ticket is None:
            raise Conflict("sold_out", "No free ticket of this type is left.",
                           field="ticket_type")
        # The lock waits for nothing if the ticket's previous taker already
        # committed, but the query's snapshot predates that holder; a fresh
        # statement sees it, and the next pick skips the ticket.
        holder_now = db.session.execute(
            select(TicketHolder.id).where(TicketHolder.ticket_id == ticket.id)).first()
        if holder_now is None:
            return ticket
    raise Conflict("busy", "Many tickets of this type are being assigned right now. "
                   "Nothing was saved; please send again.", field="ticket_type")


def assign_holder(event: Event, ticket: Ticket, first_name: str, last_name: str,
                  email: str) -> TicketHolder:
    holder = TicketHolder(event_id=event.id, ticket_id=ticket.id, first_name=first_name,
                          last_name=last_name, email=email)
    db.session.add(holder)
    db.session.flush()
    record(event, AuditAction.HOLDER_ASSIGNED,
           f"Assigned {holder.full_name} to ticket {format_code(ticket.code)}",
           holder_id=holder.id, ticket_id=ticket.id,
           details={name: getattr(holder, name) for name in DETAIL_FIELDS})
    return holder


def update_holder(holder: TicketHolder, **values) -> None:
    changes = {name: [getattr(holder, name), value] for name, value in values.items()
               if getattr(holder, name) != value}
    if not changes:
        return
    for name, (_before, after) in changes.items():
        setattr(holder, name, after)
    record(holder.event_id, AuditAction.HOLDER_EDITED,
           f"Edited {holder.full_name}: {', '.join(changes)}",
           holder_id=holder.id, ticket_id=holder.ticket_id, details={"changes": changes})


def move_holder(holder: TicketHolder, ticket: Ticket) -> None:
    if ticket.id == holder.ticket_id:
        return
    old_ticket = holder.ticket
    holder.ticket_id = ticket.id
    db.session.flush()
    record(holder.event_id, AuditAction.HOLDER_MOVED,
           f"Moved {holder.full_name} from ticket {format_code(old_ticket.code)} "
           f"to {format_code(ticket.code)}",
           holder_id=holder.id, ticket_id=ticket.id,
           details={"ticket": [old_ticket.code, ticket.code]})


def unassign_holder(holder: TicketHolder) -> None:
    """Delete the holder row, refusing if another request just deleted it.

    The ORM only warns when a delete matches no row, so two organizers
    clicking "Unassign" at once would both succeed and both be audited.
    """
    code = format_code(holder.ticket.code)
    deleted = db.session.execute(
        delete(TicketHolder).where(TicketHolder.id == holder.id)
    ).rowcount
    if not deleted:
        raise Conflict("holder_gone", f"{holder.full_name} was unassigned a moment "
                       "ago by someone else.")
    record(holder.event_id, AuditAction.HOLDER_UNASSIGNED,
           f"Unassigned {holder.full_name} from ticket {code}",
           holder_id=holder.id, ticket_id=holder.ticket_id,
           details={name: getattr(holder, name) for name in DETAIL_FIELDS})
