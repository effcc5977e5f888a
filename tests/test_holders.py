"""Assigning, editing, moving and unassigning holders through the pages."""
import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, TicketHolder
from webapp.tickets.codes import format_code

from .helpers import field_errors, flashes


def holder_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(TicketHolder)).scalar_one()


def assign_url(event) -> str:
    return f"/events/{event.id}/attendees/new"


def attendee(code="", type_id=0, first="Grace", last="Hopper", email="grace@example.org"):
    return {"ticket_code": code, "ticket_type": str(type_id), "first_name": first,
            "last_name": last, "email": email}


def test_assign_by_code_creates_holder_and_audit_row(app, signed_in, event, general, tickets_of):
    ticket = tickets_of(general)[0]

    response = signed_in.post_form(assign_url(event), attendee(code=ticket.code.lower(),
                                                               email=" Grace@Example.ORG "))

    assert response.status_code == 302
    with app.app_context():
        holder = db.session.execute(select(TicketHolder)).scalar_one()
        assert (holder.ticket_id, holder.email) == (ticket.id, "grace@example.org")
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.HOLDER_ASSIGNED)).scalar_one()
        assert entry.holder_id == holder.id and entry.actor == "organizer@example.org"


def test_assign_next_free_ticket_of_type(app, signed_in, event, general, tickets_of):
    response = signed_in.post_form(assign_url(event), attendee(type_id=general.id))

    assert response.status_code == 302
    with app.app_context():
        holder = db.session.execute(select(TicketHolder)).scalar_one()
        assert holder.ticket_id == tickets_of(general)[0].id


def test_second_holder_for_same_ticket_is_refused_on_the_field(
        app, signed_in, event, general, tickets_of, make_holder):
    ticket = tickets_of(general)[0]
    first = make_holder(event, ticket, "Ada", "Lovelace", "ada@example.org")

    response = signed_in.post_form(assign_url(event), attendee(code=format_code(ticket.code)))

    assert response.status_code == 409
    assert field_errors(response) == [
        f"Ticket {format_code(ticket.code)} is already held by Ada Lovelace."]
    page = response.get_data(as_text=True)
    assert f"/events/{event.id}/attendees/{first.id}" in page  # link to the holder
    assert 'value="grace@example.org"' in page  # the input comes back
    assert holder_count(app) == 1


def test_no_free_ticket_of_type_is_refused(app, signed_in, event, make_ticket_type,
                                           tickets_of, make_holder):
    speaker = make_ticket_type(event, "Speaker", 1)
    make_holder(event, tickets_of(speaker)[0])

    response = signed_in.post_form(assign_url(event), attendee(type_id=speaker.id))

    assert response.status_code == 409
    assert field_errors(response) == [
        "No free ticket of this type is left. Raise its capacity or choose another type."]
    assert holder_count(app) == 1


def test_ticket_of_another_event_is_refused(app, signed_in, organizer, event, make_event,
                                            make_ticket_type, tickets_of):
    other_event = make_event(organizer, "Other Conference")
    foreign_ticket = tickets_of(make_ticket_type(other_event, "General", 1))[0]

    response = signed_in.post_form(assign_url(event), attendee(code=foreign_ticket.code))

    assert response.status_code == 422
    assert field_errors(response) == [
        f"Ticket {format_code(foreign_ticket.code)} belongs to another event."]
    assert holder_count(app) == 0


def test_type_of_another_event_is_not_a_choice(app, signed_in, organizer, event, general,
                                               make_event, make_ticket_type):
    other_type = make_ticket_type(make_event(organizer, "Other"), "VIP", 3)

    response = signed_in.post_form(assign_url(event), attendee(type_id=other_type.id))

    assert response.status_code == 422
    assert "Choose one of this event's ticket types." in field_errors(response)
    assert holder_count(app) == 0


@pytest.mark.parametrize("field, value, message", [
    ("ticket_code", "ZZZZZ-ZZZZZ", "No ticket has the code ZZZZZ-ZZZZZ. Check it and try again."),
    ("first_name", "", "Enter a first name."),
    ("last_name", "   ", "Enter a last name."),
    ("email", "not-an-email", "Enter a valid email address, like name@example.org."),
    ("email", "", "Enter an email address."),
    ("first_name", "A" * 101, "Field cannot be longer than 100 characters."),
    ("first_name", "Gr\x00ace", "This field must not contain NUL characters."),
    ("ticket_type", "abc", "Choose one of this event's ticket types."),
    ("ticket_type", "99999999999999999999", "Choose one of this event's ticket types."),
])
def test_bad_input_gets_message_on_field(app, signed_in, event, general, tickets_of,
                                         field, value, message):
    data = attendee(code=tickets_of(general)[0].code)
    data[field] = value

    response = signed_in.post_form(assign_url(event), data)

    assert response.status_code == 422
    assert message in field_errors(response)
    assert holder_count(app) == 0


def test_neither_code_nor_type_is_refused(app, signed_in, event, general):
    response = signed_in.post_form(assign_url(event), attendee())

    assert response.status_code == 422
    assert field_errors(response) == ["Enter a ticket code or choose a ticket type."]


def test_missing_csrf_token_returns_form_with_input(app, signed_in, event, general, tickets_of):
    data = attendee(code=tickets_of(general)[0].code)
    data["csrf_token"] = "forged"

    response = signed_in.post_form(assign_url(event), data)

    assert response.status_code == 400
    assert "This form expired or did not come from this site." in response.get_data(as_text=True)
    assert 'value="grace@example.org"' in response.get_data(as_text=True)
    assert holder_count(app) == 0


def test_constraint_backstop_gives_409_flash_and_keeps_input(
        app, signed_in, event, general, tickets_of, make_holder, monkeypatch):
    """The validator missed the holder (as in a race); the unique constraint refuses."""
    from webapp.attendees import forms

    ticket = tickets_of(general)[0]
    make_holder(event, ticket, "Ada", "Lovelace", "ada@example.org")

    def validator_that_sees_no_holder(form, field):
        form.ticket = db.session.get(forms.Ticket, ticket.id)

    monkeypatch.setattr(forms.TicketChoiceMixin, "validate_ticket_code",
                        validator_that_sees_no_holder)

    response = signed_in.post_form(assign_url(event), attendee(code=ticket.code))

    assert response.status_code == 409
    assert flashes(response) == ["Someone else was assigned this ticket a moment ago. "
                                 "Nothing was saved; pick another ticket."]
    assert field_errors(response) == ["Someone else was assigned this ticket a moment ago. "
                                      "Nothing was saved; pick another ticket."]
    assert 'value="grace@example.org"' in response.get_data(as_text=True)
    assert holder_count(app) == 1


def test_edit_holder_keeps_own_ticket_and_records_changes(
        app, signed_in, event, general, tickets_of, make_holder):
    holder = make_holder(event, tickets_of(general)[0])

    response = signed_in.post_form(f"/events/{event.id}/attendees/{holder.id}", {
        "first_name": "Augusta Ada", "last_name": "King", "email": "ADA@example.org"})

    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(TicketHolder, holder.id)
        assert (stored.first_name, stored.last_name) == ("Augusta Ada", "King")
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.HOLDER_EDITED)).scalar_one()
        assert entry.details["changes"]["last_name"] == ["Lovelace", "King"]


def test_move_holder_to_free_ticket_and_refuse_held_one(
        app, signed_in, event, general, tickets_of, make_holder):
    tickets = tickets_of(general)
    ada = make_holder(event, tickets[0], "Ada", "Lovelace", "ada@example.org")
    make_holder(event, tickets[1], "Alan", "Turing", "alan@example.org")
    move_url = f"/events/{event.id}/attendees/{ada.id}/move"

    def move_to(ticket):
        return signed_in.post_form(move_url, {
            "move-ticket_code": ticket.code, "move-ticket_type": "0",
            "move-csrf_token": signed_in.csrf_token})

    refused, to_own, moved = move_to(tickets[1]), move_to(tickets[0]), move_to(tickets[2])

    assert refused.status_code == 409
    assert field_errors(refused) == [
        f"Ticket {format_code(tickets[1].code)} is already held by Alan Turing."]
    assert to_own.status_code == 302
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(TicketHolder, ada.id).ticket_id == tickets[2].id


def test_unassign_frees_ticket_and_keeps_audit(app, signed_in, event, general, tickets_of,
                                               make_holder):
    holder = make_holder(event, tickets_of(general)[0])

    response = signed_in.post_form(f"/events/{event.id}/attendees/{holder.id}/unassign")

    assert response.status_code == 302
    assert holder_count(app) == 0
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.HOLDER_UNASSIGNED)).scalar_one()
        assert entry.details["email"] == "ada@example.org"


def test_unassign_without_csrf_is_refused(app, signed_in, event, general, tickets_of,
                                          make_holder):
    holder = make_holder(event, tickets_of(general)[0])

    response = signed_in.client.post(f"/events/{event.id}/attendees/{holder.id}/unassign")

    assert response.status_code == 400
    assert holder_count(app) == 1


def test_editing_a_holder_deleted_meanwhile_is_a_conflict(app, dialect, event, general,
                                                         tickets_of, make_holder):
    """Another organizer unassigned the holder after this request loaded it."""
    from sqlalchemy import delete

    from webapp.database import transaction
    from webapp.errors import DomainError

    if dialect == "sqlite":
        pytest.skip("SQLite runs one writing request at a time; the later one gets 404")
    holder = make_holder(event, tickets_of(general)[0])
    with app.app_context():
        loaded = db.session.get(TicketHolder, holder.id)
        with db.engine.begin() as other_request:
            other_request.execute(
                delete(TicketHolder).where(TicketHolder.id == holder.id))

        with pytest.raises(DomainError) as caught:
            with transaction():
                loaded.first_name = "Augusta"

    assert (caught.value.code, caught.value.status) == ("changed_meanwhile", 409)
