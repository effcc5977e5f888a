"""Ticket types and their tickets. A type with capacity N has exactly N tickets."""
import logging

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..audit.trail import record
from ..errors import Conflict, DomainError
from ..extensions import db
from ..models import (
    AuditAction,
    CheckIn,
    Event,
    Scan,
    Ticket,
    TicketHolder,
    TicketType,
    utcnow,
)
from .codes import new_codes

log = logging.getLogger(__name__)


def add_tickets(ticket_type: TicketType, count: int) -> None:
    """Insert `count` free tickets with fresh codes in one statement."""
    if count <= 0:
        return
    now = utcnow()
    rows = [
        {"event_id": ticket_type.event_id, "ticket_type_id": ticket_type.id,
         "code": code, "created_at": now}
        for code in new_codes(count)
    ]
    db.session.execute(insert(Ticket), rows)


def create_ticket_type(event: Event, name: str, capacity: int) -> TicketType:
    ticket_type = TicketType(event_id=event.id, name=name, capacity=capacity)
    db.session.add(ticket_type)
    db.session.flush()
    add_tickets(ticket_type, capacity)
    record(event, AuditAction.TICKET_TYPE_CREATED,
           f"Created ticket type {name} with capacity {capacity}",
           details={"ticket_type_id": ticket_type.id, "capacity": capacity})
    return ticket_type


def held_count(ticket_type: TicketType) -> int:
    return db.session.execute(
        select(func.count()).select_from(TicketHolder)
        .join(Ticket, Ticket.id == TicketHolder.ticket_id)
        .where(Ticket.ticket_type_id == ticket_type.id)
    ).scalar_one()


def removable_query(ticket_type: TicketType):
    """Free tickets never scanned at the door, newest first."""
    return (
        select(Ticket.id)
        .where(
            Ticket.ticket_type_id == ticket_type.id,
            ~exists().where(TicketHolder.ticket_id == Ticket.id),
            ~exists().where(CheckIn.ticket_id == Ticket.id),
            ~exists().where(Scan.ticket_id == Ticket.id),
        )
        .order_by(Ticket.id.desc())
    )


def lock_removable_tickets(ticket_type: TicketType, count: int) -> list[int]:
    """Lock up to `count` free tickets to delete, skipping ones being assigned.

    An assignment that locked its ticket first is skipped (SKIP LOCKED);
    one that committed between our snapshot and our lock is found by the
    second, fresh read. Assigning by code waits for our lock on the
    ticket (its foreign key check), then finds the ticket gone.
    """
    query = removable_query(ticket_type).limit(count)
    if db.engine.dialect.name != "postgresql":
        return list(db.session.execute(query).scalars())
    locked = list(db.session.execute(
        query.with_for_update(skip_locked=True)).scalars())
    if not locked:
        return []
    still_free = set(db.session.execute(
        removable_query(ticket_type).where(Ticket.id.in_(locked))).scalars())
    return [ticket_id for ticket_id in locked if ticket_id in still_free]


def scanned_free_count(ticket_type: TicketType) -> int:
    """Free tickets kept for the record because the door scanned them."""
    scanned = exists().where(CheckIn.ticket_id == Ticket.id) | exists().where(
        Scan.ticket_id == Ticket.id)
    return db.session.execute(
        select(func.count()).select_from(Ticket).where(
            Ticket.ticket_type_id == ticket_type.id, scanned,
            ~exists().where(TicketHolder.ticket_id == Ticket.id))
    ).scalar_one()


def below_held(held: int) -> DomainError:
    return DomainError(
        "capacity_below_held",
        f"{held} tickets of this type are held, so the capacity cannot go "
        f"below {held}. Unassign or move attendees first.",
        field="capacity",
    )


def assigned_meanwhile() -> Conflict:
    return Conflict(
        "ticket_assigned_meanwhile",
        "A ticket of this type was assigned while the capacity was being changed. "
        "Nothing was saved; check the counts and try again.",
        field="capacity",
    )


def why_not_removable(ticket_type: TicketType, capacity: int) -> DomainError:
    """Name the true reason too few free tickets could be taken away.

    Counted afresh: the first counts predate assignments that committed
    while this request waited, and those are not door scans.
    """
    held = held_count(ticket_type)
    if capacity < held:
        return below_held(held)
    scanned = scanned_free_count(ticket_type)
    lowest = held + scanned
    if scanned and capacity < lowest:
        return Conflict(
            "tickets_in_use",
            "Some free tickets of this type were already scanned at the door and "
            f"are kept for the record; the capacity can go down to {lowest} at most.",
            field="capacity",
        )
    return assigned_meanwhile()


def remove_tickets(ticket_ids: list[int]) -> None:
    """Delete free tickets, or refuse if one was assigned since it was counted free.

    The tickets are locked and checked free, so this is a backstop: the
    holders' foreign key refuses the delete, which is about capacity here,
    not about a ticket code the user typed.
    """
    try:
        with db.session.begin_nested():
            db.session.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
    except IntegrityError as error:
        raise assigned_meanwhile() from error


def update_ticket_type(ticket_type: TicketType, name: str, capacity: int) -> None:
    """Rename a type and set its capacity, adding or removing free tickets.

    The type's row is locked first, so two organizers changing the same
    capacity at once take turns instead of both counting the old tickets.
    """
    db.session.execute(
        select(TicketType.id).where(TicketType.id == ticket_type.id).with_for_update()
    )
    db.session.refresh(ticket_type)
    old_name, old_capacity = ticket_type.name, ticket_type.capacity

    if capacity < old_capacity:
        held = held_count(ticket_type)
        if capacity < held:
            raise below_held(held)
        to_remove = lock_removable_tickets(ticket_type, old_capacity - capacity)
        if len(to_remove) < old_capacity - capacity:
            raise why_not_removable(ticket_type, capacity)
        remove_tickets(to_remove)
    elif capacity > old_capacity:
        add_tickets(ticket_type, capacity - old_capacity)

    ticket_type.name = name
    ticket_type.capacity = capacity
    if capacity != old_capacity:
        record(ticket_type.event_id, AuditAction.CAPACITY_CHANGED,
               f"Capacity of {name} changed from {old_capacity} to {capacity}",
               details={"ticket_type_id": ticket_type.id,
                        "capacity": [old_capacity, capacity]})
    if name != old_name:
        record(ticket_type.event_id, AuditAction.TICKET_TYPE_EDITED,
               f"Ticket type {old_name} renamed to {name}",
               details={"ticket_type_id": ticket_type.id, "name": [old_name, name]})
