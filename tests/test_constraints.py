"""Each database constraint refuses bad rows that skip the forms.

Every case writes straight through the ORM, expects IntegrityError, and
checks that the error is recognised by the constraint's name on both
databases and turned into the error code its line in CONSTRAINT_MESSAGES
gives.
"""
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.database import transaction
from webapp.errors import (
    CONSTRAINT_MESSAGES,
    DomainError,
    conflict_from_integrity_error,
    constraint_name,
)
from webapp.extensions import db
from webapp.models import (
    CheckIn,
    DeskToken,
    Event,
    EventMembership,
    Role,
    Scan,
    ScanResult,
    Ticket,
    TicketHolder,
    TicketType,
    User,
    utcnow,
)


@pytest.fixture
def world(organizer, event, make_event, make_ticket_type, tickets_of, make_holder):
    """Two events of one organizer; the first ticket of event A has a holder."""
    other = make_event(organizer, "Other Conference")
    general = make_ticket_type(event, "General", 2)
    other_general = make_ticket_type(other, "General", 1)
    held, free = tickets_of(general)
    make_holder(event, held, "Ada", "Lovelace", "ada@example.org")
    return SimpleNamespace(
        organizer=organizer, event=event, other=other, general=general,
        other_general=other_general, held=held, free=free,
        other_ticket=tickets_of(other_general)[0])


HOLDERS_TICKET_KEY = "fk_ticket_holders_ticket_id_event_id_tickets"


def holder(world, **values) -> TicketHolder:
    values = {"event_id": world.event.id, "ticket_id": world.free.id,
              "first_name": "Eve", "last_name": "Second", "email": "eve@example.org",
              **values}
    return TicketHolder(**values)


def ticket(world, **values) -> Ticket:
    values = {"event_id": world.event.id, "ticket_type_id": world.general.id,
              "code": "NEWCODE234", **values}
    return Ticket(**values)


def check_in(world, **values) -> CheckIn:
    return CheckIn(event_id=world.event.id, ticket_id=world.held.id, **values)


def desk_scan(world, token_id: int) -> Scan:
    return Scan(event_id=world.event.id, raw_code=world.held.code,
                desk_token_id=token_id, request_id="req-1",
                result=ScanResult.CHECKED_IN)


def add_desk_token_and_scan(world):
    token = DeskToken(event_id=world.event.id, desk_name="North door",
                      token_hash="a" * 64)
    db.session.add(token)
    db.session.flush()
    db.session.add(desk_scan(world, token.id))
    db.session.flush()
    db.session.add(desk_scan(world, token.id))


# Each writes rows the named constraint must refuse.
VIOLATIONS = {
    "uq_ticket_holders_ticket_id_event_id": lambda w: db.session.add(
        holder(w, ticket_id=w.held.id)),
    "fk_ticket_holders_ticket_id_event_id_tickets": lambda w: db.session.add(
        holder(w, ticket_id=w.other_ticket.id)),
    "fk_tickets_ticket_type_id_event_id_ticket_types": lambda w: db.session.add(
        ticket(w, event_id=w.other.id)),
    "ck_ticket_types_capacity_range": lambda w: db.session.add(
        TicketType(event_id=w.event.id, name="Huge", capacity=100_001)),
    "ck_ticket_holders_lowercase_email": lambda w: db.session.add(
        holder(w, email="Eve@Example.org")),
    "ck_users_lowercase_email": lambda w: db.session.add(
        User(email="Bob@Example.org", password_hash="x")),
    "uq_users_email": lambda w: db.session.add(
        User(email=w.organizer.email, password_hash="x")),
    "ck_events_ends_after_start": lambda w: db.session.add(
        Event(name="Backwards", starts_at=datetime(2027, 5, 2),
              ends_at=datetime(2027, 5, 1))),
    "uq_ticket_types_event_id_name": lambda w: db.session.add(
        TicketType(event_id=w.event.id, name="General", capacity=1)),
    "uq_event_memberships_event_id_user_id": lambda w: db.session.add(
        EventMembership(event_id=w.event.id, user_id=w.organizer.id, role=Role.STAFF)),
    "uq_tickets_code": lambda w: db.session.add(ticket(w, code=w.held.code)),
    "uq_check_ins_active_ticket": lambda w: db.session.add_all(
        [check_in(w), check_in(w)]),
    "uq_scans_desk_token_id_request_id": add_desk_token_and_scan,
}


@pytest.mark.parametrize("name", list(VIOLATIONS))
def test_database_refuses_and_error_is_recognised_by_name(db_session, world, name):
    with pytest.raises(IntegrityError) as caught:
        VIOLATIONS[name](world)
        db.session.flush()

    assert constraint_name(caught.value) == name
    error = conflict_from_integrity_error(caught.value)
    assert (error.code, error.status) == (CONSTRAINT_MESSAGES[name].code,
                                          CONSTRAINT_MESSAGES[name].status)


@pytest.mark.parametrize("name, code, status, field", [
    ("uq_ticket_holders_ticket_id_event_id", "ticket_taken", 409, "ticket_code"),
    ("fk_ticket_holders_ticket_id_event_id_tickets", "ticket_not_in_event", 409,
     "ticket_code"),
    ("fk_tickets_ticket_type_id_event_id_ticket_types", "ticket_type_not_in_event", 409,
     "ticket_type"),
    ("ck_ticket_types_capacity_range", "capacity_out_of_range", 422, "capacity"),
    ("ck_events_ends_after_start", "ends_before_start", 422, "ends_at"),
    ("uq_tickets_code", "ticket_code_exists", 409, None),
    ("uq_check_ins_active_ticket", "already_checked_in", 409, "code"),
])
def test_transaction_turns_constraint_into_domain_error(db_session, world, name, code,
                                                        status, field):
    with pytest.raises(DomainError) as caught:
        with transaction():
            VIOLATIONS[name](world)

    refused = caught.value
    assert (refused.code, refused.status, refused.field) == (code, status, field)
    assert refused.constraint == name


def test_deleting_a_held_ticket_is_refused_as_the_holder_foreign_key(db_session, world):
    with pytest.raises(IntegrityError) as caught:
        db.session.delete(db.session.get(Ticket, world.held.id))
        db.session.flush()

    assert constraint_name(caught.value) == HOLDERS_TICKET_KEY


def test_moving_a_holder_to_another_events_ticket_is_refused(db_session, world):
    with pytest.raises(IntegrityError) as caught:
        stored = db.session.execute(select(TicketHolder)).scalar_one()
        stored.ticket_id = world.other_ticket.id
        db.session.flush()

    assert constraint_name(caught.value) == HOLDERS_TICKET_KEY


@pytest.mark.parametrize("capacity", [-1, 100_001])
def test_capacity_out_of_range_is_refused(db_session, world, capacity):
    with pytest.raises(IntegrityError) as caught:
        db.session.add(TicketType(event_id=world.event.id, name="Odd",
                                  capacity=capacity))
        db.session.flush()

    assert constraint_name(caught.value) == "ck_ticket_types_capacity_range"


def test_annulled_check_in_does_not_block_a_new_one(db_session, world):
    db.session.add_all([check_in(world, annulled_at=utcnow()), check_in(world)])
    db.session.flush()

    with pytest.raises(IntegrityError) as caught:
        db.session.add(check_in(world))
        db.session.flush()

    assert constraint_name(caught.value) == "uq_check_ins_active_ticket"


def test_every_mapped_constraint_exists_in_the_models(app):
    names = {constraint.name for table in db.metadata.tables.values()
             for constraint in (*table.constraints, *table.indexes)}

    assert set(CONSTRAINT_MESSAGES) - names == set()
