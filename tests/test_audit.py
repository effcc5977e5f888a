"""The audit trail: written with each change, read by organizers with filters."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from webapp.attendees import services as attendees
from webapp.database import transaction
from webapp.errors import DomainError
from webapp.events import services as events
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEntry,
    Event,
    Ticket,
    TicketHolder,
    TicketType,
)
from webapp.tickets import services as tickets

from .world import World, build_world


class Abandoned(Exception):
    """Raised inside a transaction after the change, to make it roll back."""


def audit_count(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(AuditEntry)).scalar_one()


def held_by(event_id: int) -> list[int]:
    return db.session.execute(select(Ticket.id).where(Ticket.event_id == event_id)
                              .order_by(Ticket.id)).scalars().all()


# Each existing change, done through its service; `rows` is what the caller
# passes in: the event, its type, a holder and a free ticket.
CHANGES = {
    AuditAction.EVENT_CREATED: lambda rows: events.create_event(
        rows["organizer"], name="New", venue="", timezone="UTC",
        starts_at=datetime(2027, 1, 1), ends_at=datetime(2027, 1, 2)),
    AuditAction.EVENT_EDITED: lambda rows: events.update_event(
        rows["event"], name="Renamed"),
    AuditAction.TICKET_TYPE_CREATED: lambda rows: tickets.create_ticket_type(
        rows["event"], "Student", 2),
    AuditAction.TICKET_TYPE_EDITED: lambda rows: tickets.update_ticket_type(
        rows["type"], "Renamed Pass", rows["type"].capacity),
    AuditAction.CAPACITY_CHANGED: lambda rows: tickets.update_ticket_type(
        rows["type"], rows["type"].name, 7),
    AuditAction.HOLDER_ASSIGNED: lambda rows: attendees.assign_holder(
        rows["event"], rows["free_ticket"], "Grace", "Hopper", "grace@example.org"),
    AuditAction.HOLDER_EDITED: lambda rows: attendees.update_holder(
        rows["holder"], last_name="King"),
    AuditAction.HOLDER_MOVED: lambda rows: attendees.move_holder(
        not_checked_in(rows["holder"]), rows["free_ticket"]),
    AuditAction.HOLDER_UNASSIGNED: lambda rows: attendees.unassign_holder(
        not_checked_in(rows["holder"])),
}


def not_checked_in(holder):
    """The world's holder is checked in; a checked-in holder cannot be moved."""
    from sqlalchemy import update

    from webapp.models import CheckIn, utcnow

    db.session.execute(update(CheckIn).where(CheckIn.ticket_id == holder.ticket_id)
                       .values(annulled_at=utcnow()))
    return holder


def rows_of(world: World) -> dict:
    from webapp.models import User

    this = world.this
    return {
        "organizer": db.session.execute(
            select(User).where(User.email == world.organizer)).scalar_one(),
        "event": db.session.get(Event, this.event_id),
        "type": db.session.get(TicketType, this.ticket_type_id),
        "holder": db.session.get(TicketHolder, this.holder_id),
        "free_ticket": db.session.get(Ticket, this.free_ticket_id),
    }


def entries_of(action: AuditAction) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == action)).scalar_one()


@pytest.mark.parametrize("action", list(CHANGES), ids=lambda action: action.value)
def test_change_writes_its_row_in_the_same_transaction(app, action):
    world = build_world(app)
    with app.test_request_context():
        before = entries_of(action)

        with pytest.raises(Abandoned):
            with transaction():
                CHANGES[action](rows_of(world))
                db.session.flush()
                assert entries_of(action) == before + 1  # written, not yet committed
                raise Abandoned
        after_rollback = entries_of(action)

        with transaction():
            CHANGES[action](rows_of(world))
        after_commit = entries_of(action)

    assert (after_rollback, after_commit) == (before, before + 1)


def test_refused_change_leaves_no_audit_row(app, signed_in, event, make_ticket_type,
                                            tickets_of, make_holder):
    speaker = make_ticket_type(event, "Speaker", 1)
    make_holder(event, tickets_of(speaker)[0])
    before = audit_count(app)

    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            with transaction():
                ticket = db.session.get(Ticket, tickets_of(speaker)[0].id)
                attendees.assign_holder(db.session.merge(event), ticket, "Alan",
                                        "Turing", "alan@example.org")

    assert refused.value.code == "ticket_taken"
    assert audit_count(app) == before


def audit_url(event_id: int, **args) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return f"/events/{event_id}/audit" + (f"?{query}" if query else "")


def summaries(response) -> list[str]:
    import re

    page = response.get_data(as_text=True)
    table = page.split('id="audit"', 1)[1]
    return [re.sub(r"\s+", " ", cell).strip() for cell in
            re.findall(r"<tr>\s*(?:<td>[^<]*</td>\s*){3}<td>(.*?)(?: <span|</td>)",
                       table, re.S)]


@pytest.fixture
def trail(app, signed_in, event, general, tickets_of, make_holder):
    """Two holders assigned, one edited, as the signed-in organizer."""
    ticket_ids = tickets_of(general)
    ada = make_holder(event, ticket_ids[0], "Ada", "Lovelace", "ada@example.org")
    alan = make_holder(event, ticket_ids[1], "Alan", "Turing", "alan@example.org")
    response = signed_in.post_form(f"/events/{event.id}/attendees/{ada.id}", {
        "first_name": "Ada", "last_name": "King", "email": "ada@example.org"})
    assert response.status_code == 302
    return {"ada": ada, "alan": alan}


def test_audit_page_shows_before_and_after(signed_in, event, trail):
    response = signed_in.get(audit_url(event.id, action="holder_edited"))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "last name: <del>Lovelace</del> → <ins>King</ins>" in page
    assert summaries(response) == ["Edited Ada King: last_name"]


@pytest.mark.parametrize("args, expected", [
    ({"action": "holder_assigned"}, ["Assigned Alan Turing to ticket", "Assigned Ada "
                                     "Lovelace to ticket"]),
    ({"attendee": "turing"}, ["Assigned Alan Turing to ticket"]),
    ({"attendee": "ALAN"}, ["Assigned Alan Turing to ticket"]),
    ({"action": "holder_unassigned"}, []),
    ({"action": "no_such_action", "attendee": "turing"},
     ["Assigned Alan Turing to ticket"]),
])
def test_audit_filters(signed_in, event, trail, args, expected):
    response = signed_in.get(audit_url(event.id, **args))

    assert response.status_code == 200
    shown = [summary.split(" ticket ")[0] + " ticket" if " ticket " in summary
             else summary for summary in summaries(response)]
    assert shown == expected


def test_audit_filter_by_holder_id_and_person(app, signed_in, event, trail):
    by_id = signed_in.get(audit_url(event.id, attendee=trail["ada"].id))
    with app.app_context():
        organizer_id = db.session.execute(select(AuditEntry.user_id).where(
            AuditEntry.action == AuditAction.HOLDER_EDITED)).scalar_one()
    by_person = signed_in.get(audit_url(event.id, user=organizer_id))
    nobody = signed_in.get(audit_url(event.id, user=organizer_id + 1000))

    assert [s.split(":")[0].split(" to ")[0] for s in summaries(by_id)] == [
        "Edited Ada King", "Assigned Ada Lovelace"]
    # The holders were assigned by fixtures, with no signed-in user.
    assert summaries(by_person) == ["Edited Ada King: last_name",
                                    "Created event Test Conference"]
    assert summaries(nobody) == []
    assert "No entries match these filters." in nobody.get_data(as_text=True)


def test_audit_pages(signed_in, event, trail, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDEES_PER_PAGE", 2)

    first = signed_in.get(audit_url(event.id))
    last = signed_in.get(audit_url(event.id, page=999))

    assert len(summaries(first)) == 2 and "Page 1 of 3" in first.get_data(as_text=True)
    assert summaries(last) == ["Created event Test Conference"]
    assert "Page 3 of 3" in last.get_data(as_text=True)


def test_audit_is_for_organizers_only(app, event, make_user, trail):
    from webapp.models import EventMembership, Role

    from .conftest import WebClient

    staff = make_user("staff@example.org")
    with app.app_context():
        db.session.add(EventMembership(event_id=event.id, user_id=staff.id,
                                       role=Role.STAFF))
        db.session.commit()
    client = WebClient(app.test_client())
    client.login("staff@example.org")

    response = client.get(audit_url(event.id))

    assert response.status_code == 404
    assert "Lovelace" not in response.get_data(as_text=True)
