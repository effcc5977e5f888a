"""Ticket types, their capacity as rows of tickets, and the ticket list."""
import re

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, Scan, ScanResult, Ticket, TicketType
from webapp.tickets.codes import ALPHABET, format_code

from .helpers import field_errors, flashes

CODE = re.compile(f"^[{ALPHABET}]{{10}}$")


def type_url(event, ticket_type=None) -> str:
    if ticket_type is None:
        return f"/events/{event.id}/ticket-types/new"
    return f"/events/{event.id}/ticket-types/{ticket_type.id}/edit"


def ticket_ids(app, ticket_type) -> list[int]:
    with app.app_context():
        return db.session.execute(select(Ticket.id).where(
            Ticket.ticket_type_id == ticket_type.id).order_by(Ticket.id)
        ).scalars().all()


def test_create_type_makes_one_ticket_per_seat(app, signed_in, event):
    response = signed_in.post_form(type_url(event),
                                   {"name": " Student ", "capacity": "25"})

    assert response.status_code == 302
    with app.app_context():
        ticket_type = db.session.execute(select(TicketType)).scalar_one()
        codes = db.session.execute(select(Ticket.code)).scalars().all()
    assert (ticket_type.name, ticket_type.capacity) == ("Student", 25)
    assert len(codes) == 25 and all(CODE.match(code) for code in codes)
    assert not set("01OI") & set("".join(codes))
    assert flashes(signed_in.get("/")) == [
        "Ticket type “Student” created with 25 tickets."]


def test_raising_capacity_adds_free_tickets_with_unique_codes(
        app, signed_in, event, general, make_ticket_type):
    make_ticket_type(event, "Student", 300)
    before = ticket_ids(app, general)

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "405"})

    assert response.status_code == 302
    after = ticket_ids(app, general)
    assert len(after) == 405 and set(before) < set(after)
    with app.app_context():
        codes = db.session.execute(select(Ticket.code)).scalars().all()
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.CAPACITY_CHANGED)).scalar_one()
        assert db.session.get(TicketType, general.id).capacity == 405
    assert len(codes) == len(set(codes)) == 705
    assert all(CODE.match(code) for code in codes)
    assert entry.details["capacity"] == [5, 405]


def test_lowering_capacity_removes_only_free_tickets(app, signed_in, event, general,
                                                     tickets_of, make_holder):
    tickets = tickets_of(general)
    make_holder(event, tickets[1])
    make_holder(event, tickets[4], "Alan", "Turing", "alan@example.org")

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "3"})

    assert response.status_code == 302
    assert ticket_ids(app, general) == [tickets[0].id, tickets[1].id, tickets[4].id]


def test_capacity_below_held_is_refused_with_the_count(app, signed_in, event, general,
                                                       tickets_of, make_holder):
    tickets = tickets_of(general)
    make_holder(event, tickets[0])
    make_holder(event, tickets[3], "Alan", "Turing", "alan@example.org")

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "1"})

    message = ("2 tickets of this type are held, so the capacity cannot go below 2. "
               "Unassign or move attendees first.")
    assert response.status_code == 422
    assert field_errors(response) == [message]
    assert flashes(response) == [message]
    assert 'value="1"' in response.get_data(as_text=True)
    assert len(ticket_ids(app, general)) == 5
    with app.app_context():
        assert db.session.get(TicketType, general.id).capacity == 5


def test_scanned_free_tickets_are_kept_when_lowering(app, signed_in, event, general,
                                                     tickets_of):
    with app.app_context():
        for ticket in tickets_of(general)[1:]:
            db.session.add(Scan(event_id=event.id, raw_code=ticket.code,
                                ticket_id=ticket.id, result=ScanResult.NO_HOLDER))
        db.session.commit()

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "2"})

    assert response.status_code == 409
    assert field_errors(response) == [
        "Some free tickets of this type were already scanned at the door and are kept "
        "for the record; the capacity can go down to 4 at most."]
    assert len(ticket_ids(app, general)) == 5


@pytest.mark.parametrize("name", ["General", "general", "  GENERAL "])
def test_duplicate_type_name_is_refused_ignoring_case(app, signed_in, event, general,
                                                      name):
    response = signed_in.post_form(type_url(event), {"name": name, "capacity": "3"})

    assert response.status_code == 409
    assert field_errors(response) == [
        "This event already has a ticket type with that name."]
    with app.app_context():
        types = db.session.execute(
            select(func.count()).select_from(TicketType)).scalar()
    assert types == 1


def test_renaming_into_another_types_name_is_refused(signed_in, event, general,
                                                     make_ticket_type):
    student = make_ticket_type(event, "Student", 2)

    url = type_url(event, student)
    clash = signed_in.post_form(url, {"name": "GENERAL", "capacity": "2"})
    own = signed_in.post_form(url, {"name": "STUDENT", "capacity": "2"})

    assert clash.status_code == 409
    assert own.status_code == 302


def test_same_type_name_in_another_event_is_fine(signed_in, organizer, general,
                                                  make_event):
    other = make_event(organizer, "Other Conference")

    response = signed_in.post_form(type_url(other),
                                   {"name": "General", "capacity": "1"})

    assert response.status_code == 302


@pytest.fixture
def listed(event, general, make_ticket_type, tickets_of, make_holder):
    """General: 5 tickets, 2 held; Student: 3 tickets, 1 held."""
    student = make_ticket_type(event, "Student", 3)
    general_tickets, student_tickets = tickets_of(general), tickets_of(student)
    make_holder(event, general_tickets[0], "Ada", "Lovelace", "ada@example.org")
    make_holder(event, general_tickets[2], "Alan", "Turing", "alan@example.org")
    make_holder(event, student_tickets[1], "Grace", "Hopper", "grace@example.org")
    return {"general": general_tickets, "student": student_tickets,
            "student_type": student}


def listed_codes(response) -> list[str]:
    return re.findall(r'<td class="code">([A-Z0-9-]+)</td>',
                      response.get_data(as_text=True))


def test_ticket_list_filters_by_status_type_and_code(signed_in, event, general, listed):
    base = f"/events/{event.id}/tickets"
    everything = signed_in.get(base)
    free = signed_in.get(f"{base}?status=free")
    held = signed_in.get(f"{base}?status=held")
    student_free = signed_in.get(f"{base}?status=free&type={listed['student_type'].id}")
    wanted = listed["general"][3]
    by_code = signed_in.get(f"{base}?code={wanted.code[:6].lower()}")

    assert len(listed_codes(everything)) == 8 and "8 tickets" in everything.text
    assert len(listed_codes(free)) == 5 and "Ada Lovelace" not in free.text
    assert set(listed_codes(held)) == {format_code(t.code) for t in (
        listed["general"][0], listed["general"][2], listed["student"][1])}
    assert set(listed_codes(student_free)) == {
        format_code(listed["student"][0].code), format_code(listed["student"][2].code)}
    assert format_code(wanted.code) in listed_codes(by_code)
    assert all(code.replace("-", "").startswith(wanted.code[:6])
               for code in listed_codes(by_code))


def test_ticket_list_pages(app, signed_in, event, general, listed, monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDEES_PER_PAGE", 3)

    pages = [listed_codes(signed_in.get(f"/events/{event.id}/tickets?page={n}"))
             for n in (1, 2, 3, 4)]

    assert [len(codes) for codes in pages] == [3, 3, 2, 0]
    assert len(set(pages[0] + pages[1] + pages[2])) == 8
    assert "Page 1 of 3" in signed_in.get(f"/events/{event.id}/tickets").text


def test_ticket_assigned_while_lowering_gives_capacity_conflict(
        app, signed_in, event, general, tickets_of, make_holder, monkeypatch):
    """An assignment committed after the free tickets were counted (a race)."""
    from webapp.tickets import services

    held = tickets_of(general)[4]
    make_holder(event, held)
    monkeypatch.setattr(services, "lock_removable_tickets",
                        lambda ticket_type, count: [held.id])

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "4"})

    message = ("A ticket of this type was assigned while the capacity was being "
               "changed. Nothing was saved; check the counts and try again.")
    assert response.status_code == 409
    assert field_errors(response) == [message] and flashes(response) == [message]
    assert len(ticket_ids(app, general)) == 5
    with app.app_context():
        assert db.session.get(TicketType, general.id).capacity == 5


def test_assignments_during_lowering_are_not_blamed_on_the_door(
        app, signed_in, event, general, tickets_of, make_holder, monkeypatch):
    """Holders committed after the first count: the answer names the held count."""
    from webapp.tickets import services

    for ticket in tickets_of(general)[:4]:
        make_holder(event, ticket)
    counts = iter([1])  # the first count predates three assignments
    real_count = services.held_count
    monkeypatch.setattr(services, "held_count",
                        lambda kind: next(counts, None) or real_count(kind))

    response = signed_in.post_form(type_url(event, general),
                                   {"name": "General", "capacity": "2"})

    assert response.status_code == 422
    assert field_errors(response) == [
        "4 tickets of this type are held, so the capacity cannot go below 4. "
        "Unassign or move attendees first."]
    assert len(ticket_ids(app, general)) == 5
