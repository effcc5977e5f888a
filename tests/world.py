"""Two events of two organizers with one row of every kind, for the route suites.

"This" event belongs to the organizer the suites sign in as; the "other"
event belongs to someone else, and none of its data may ever show up in
a page served for this one (and the other way round).
"""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from webapp.checkin.tokens import hash_token
from webapp.attendees.services import assign_holder
from webapp.cli import create_user
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    CheckIn,
    DeskToken,
    EventMembership,
    Role,
    Ticket,
    utcnow,
)
from webapp.tickets.services import create_ticket_type

from .conftest import PASSWORD


@dataclass
class EventRows:
    """The ids of one event's rows, and text that only this event shows."""

    event_id: int = 0
    ticket_type_id: int = 0
    ticket_id: int = 0
    free_ticket_id: int = 0
    holder_id: int = 0
    check_in_id: int = 0
    desk_token_id: int = 0
    staff_membership_id: int = 0
    audit_entry_id: int = 0
    revoked_token: str = ""
    markers: list[str] = field(default_factory=list)

    def url_values(self) -> dict[str, int]:
        """Values for the variables a route may take, by their usual names."""
        return {
            "event_id": self.event_id, "ticket_type_id": self.ticket_type_id,
            "type_id": self.ticket_type_id, "ticket_id": self.ticket_id,
            "holder_id": self.holder_id, "attendee_id": self.holder_id,
            "check_in_id": self.check_in_id, "checkin_id": self.check_in_id,
            "desk_token_id": self.desk_token_id, "token_id": self.desk_token_id,
            "entry_id": self.audit_entry_id,
            "membership_id": self.staff_membership_id,
            "token": "not-a-real-set-password-token",
        }


def build_event(label: str, organizer_email: str, staff_email: str) -> EventRows:
    """One organizer, one staff member and an event with a row of every kind."""
    organizer = create_user(organizer_email, PASSWORD, name=f"{label} organizer")
    staff = create_user(staff_email, PASSWORD, name=f"{label} staff")
    event = create_event(organizer, name=f"{label} Summit", venue=f"{label} Hall",
                         timezone="Europe/Berlin", starts_at=datetime(2027, 5, 1, 9),
                         ends_at=datetime(2027, 5, 2, 18))
    staff_membership = EventMembership(event=event, user=staff, role=Role.STAFF)
    db.session.add(staff_membership)
    ticket_type = create_ticket_type(event, f"{label} Pass", 3)
    tickets = db.session.execute(select(Ticket).where(
        Ticket.ticket_type_id == ticket_type.id).order_by(Ticket.id)).scalars().all()
    holder = assign_holder(event, tickets[0], f"{label}first", f"{label}last",
                           f"{label.lower()}.holder@example.org")
    check_in = CheckIn(event_id=event.id, ticket_id=tickets[0].id,
                       holder_name=holder.full_name, desk_name=f"{label} Desk",
                       user_id=staff.id)
    revoked_token = f"revoked-{label.lower()}-token"
    desk_token = DeskToken(event_id=event.id, desk_name=f"{label} Desk",
                           token_hash=hash_token(revoked_token),
                           created_by_id=organizer.id, revoked_at=utcnow())
    db.session.add_all([check_in, desk_token])
    db.session.commit()

    entry_id = db.session.execute(select(AuditEntry.id).where(
        AuditEntry.event_id == event.id).limit(1)).scalar_one()
    return EventRows(
        event_id=event.id, ticket_type_id=ticket_type.id, ticket_id=tickets[0].id,
        free_ticket_id=tickets[1].id, holder_id=holder.id, check_in_id=check_in.id,
        desk_token_id=desk_token.id, staff_membership_id=staff_membership.id,
        audit_entry_id=entry_id,
        revoked_token=revoked_token,
        markers=[f"{label} Summit", f"{label}first",
                 f"{label.lower()}.holder@example.org", tickets[0].code,
                 f"{label} Pass"],
    )


@dataclass
class World:
    this: EventRows
    other: EventRows
    organizer = "this.organizer@example.org"
    staff = "this.staff@example.org"
    other_organizer = "other.organizer@example.org"
    other_staff = "other.staff@example.org"


def build_world(app) -> World:
    with app.app_context():
        this = build_event("Alpha", World.organizer, World.staff)
        other = build_event("Omega", World.other_organizer, World.other_staff)
        return World(this=this, other=other)


#: Security bookkeeping that signing in and out changes by design.
SECURITY_TABLES = {"sign_ins", "failed_sign_ins"}


def data_snapshot(app) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table's rows, to prove nothing changed."""
    snapshot = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in SECURITY_TABLES:
                continue
            rows = db.session.execute(
                select(table).order_by(*table.primary_key.columns)).all()
            text = repr([tuple(row) for row in rows])
            digest = hashlib.sha256(text.encode()).hexdigest()
            snapshot[table.name] = (len(rows), digest[:16])
        db.session.rollback()
    return snapshot
