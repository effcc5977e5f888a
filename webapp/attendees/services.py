"""Assigning attendees to tickets: the writes behind the forms, with their audit rows."""
import logging

from sqlalchemy import delete, select

from ..audit.trail import record
from ..errors import Conflict
from ..extensions import db
from ..models import AuditAction, CheckIn, Event, Ticket, TicketHolder, TicketType, User
from ..tickets.codes import format_code
from ..times import event_time

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


def lock_ticket(ticket_id: int) -> None:
    """Hold the ticket's row until commit; desk scans lock it too.

    On PostgreSQL this orders a scan and a move or unassign of the same
    ticket one after the other, so neither decides on a stale read.
    SQLite runs one writer at a time already.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            select(Ticket.id).where(Ticket.id == ticket_id)
            .with_for_update(key_share=True))


def active_check_in(ticket_id: int) -> tuple[CheckIn, str] | None:
    """The ticket's check-in that is not annulled, with who made it."""
    return db.session.execute(
        select(CheckIn, User.email).outerjoin(User, User.id == CheckIn.user_id)
        .where(CheckIn.ticket_id == ticket_id, CheckIn.annulled_at.is_(None))
    ).first()


def checked_in_message(holder_name: str, check_in: CheckIn, by: str | None,
                       event: Event) -> str:
    when = event_time(check_in.checked_in_at, event)
    who = f" by {by}" if by else ""
    return (f"{holder_name} was checked in at {when} at {check_in.desk_name}{who}; "
            "annul the check-in first.")


def refuse_if_checked_in(holder: TicketHolder) -> None:
    """One ticket admits one person: a checked-in holder stays on their ticket.

    Locks the holder's ticket first, then reads afresh, so a desk scan
    committing meanwhile is seen here, and a scan waiting on the lock
    sees this request's change.
    """
    lock_ticket(holder.ticket_id)
    ticket_now = db.session.execute(
        select(TicketHolder.ticket_id).where(TicketHolder.id == holder.id)).scalar()
    if ticket_now is None:
        raise Conflict("holder_gone", f"{holder.full_name} was unassigned a moment "
                       "ago by someone else.")
    if ticket_now != holder.ticket_id:
        raise Conflict("changed_meanwhile", f"{holder.full_name} was moved or "
                       "unassigned a moment ago by someone else. Reload the page.")
    found = active_check_in(holder.ticket_id)
    if found is not None:
        check_in, by = found
        event = db.session.get(Event, holder.event_id)
        raise Conflict("holder_checked_in",
                       checked_in_message(holder.full_name, check_in, by, event),
                       field="ticket_code")


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
    refuse_if_checked_in(holder)
    lock_ticket(ticket.id)
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
    refuse_if_checked_in(holder)
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
