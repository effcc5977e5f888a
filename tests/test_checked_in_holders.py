"""A checked-in holder stays on their ticket until the check-in is annulled."""
import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import CheckIn, TicketHolder
from webapp.tickets.codes import format_code

from .checkin_fixtures import door  # noqa: F401
from .helpers import field_errors, flashes


@pytest.fixture
def at_desk(signed_in, door):
    """The organizer, signed in at Desk 2 of the event."""
    response = signed_in.post_form(f"/events/{door.event.id}/desk/name",
                                   {"desk_name": "Desk 2"})
    assert response.status_code == 302
    return signed_in


def scan(client, door, index):
    return client.post_form(f"/events/{door.event.id}/desk/scan",
                            {"q": door.code(index)})


def holder_url(door, index, action=""):
    return f"/events/{door.event.id}/attendees/{door.holders[index].id}{action}"


def move_to(client, door, index, ticket_index):
    return client.post_form(holder_url(door, index, "/move"), {
        "move-ticket_code": format_code(door.code(ticket_index)),
        "move-ticket_type": "0",
        "move-csrf_token": client.csrf_token})


def checked_in_text(app, door, index) -> str:
    """The sentence the refusal must show, with the time at the venue."""
    with app.app_context():
        check_in = db.session.execute(select(CheckIn).where(
            CheckIn.ticket_id == door.tickets[index].id)).scalar_one()
        when = check_in.checked_in_at
    from webapp.times import event_time
    name = door.holders[index].full_name
    return (f"{name} was checked in at {event_time(when, door.event)} at Desk 2 "
            "by organizer@example.org; annul the check-in first.")


def ticket_of(app, holder) -> int | None:
    with app.app_context():
        return db.session.execute(select(TicketHolder.ticket_id).where(
            TicketHolder.id == holder.id)).scalar()


def test_moving_a_checked_in_holder_is_refused_on_the_ticket_field(app, at_desk, door):
    assert scan(at_desk, door, 0).status_code == 200

    response = move_to(at_desk, door, 0, 3)

    assert response.status_code == 409
    assert field_errors(response) == [checked_in_text(app, door, 0)]
    assert ticket_of(app, door.holders[0]) == door.tickets[0].id
    assert scan(at_desk, door, 3).status_code == 409  # T2 still has no holder


def test_unassigning_a_checked_in_holder_is_refused_with_a_link(app, at_desk, door):
    assert scan(at_desk, door, 2).status_code == 200

    response = at_desk.post_form(holder_url(door, 2, "/unassign"), {})

    assert response.status_code == 409
    assert flashes(response) == [
        f"Alan Turing was not unassigned: {checked_in_text(app, door, 2)}"]
    page = response.get_data(as_text=True)
    assert 'href="#check-in"' in page and "Annul the check-in" in page
    assert ticket_of(app, door.holders[2]) == door.tickets[2].id


def test_holder_page_shows_the_check_in_and_annulling_frees_the_holder(
        app, at_desk, door):
    assert "Not checked in." in at_desk.get(holder_url(door, 0)).get_data(as_text=True)
    scan(at_desk, door, 0)
    page = at_desk.get(holder_url(door, 0)).get_data(as_text=True)
    with app.app_context():
        check_in_id = db.session.execute(select(CheckIn.id)).scalar_one()
    assert "Checked in</strong>" in page and "by organizer@example.org" in page

    undone = at_desk.post_form(f"/events/{door.event.id}/desk/undo", {
        "check_in_id": str(check_in_id), "back": f"holder-{door.holders[0].id}"})
    assert undone.status_code == 302 and undone.location.endswith(holder_url(door, 0))

    assert move_to(at_desk, door, 0, 3).status_code == 302
    assert ticket_of(app, door.holders[0]) == door.tickets[3].id
    assert scan(at_desk, door, 3).status_code == 200


def test_service_refuses_even_when_the_form_is_skipped(app, at_desk, door):
    from webapp.attendees import services
    from webapp.errors import Conflict

    scan(at_desk, door, 1)
    with app.test_request_context(method="POST"):
        holder = db.session.get(TicketHolder, door.holders[1].id)
        with pytest.raises(Conflict) as refused:
            services.unassign_holder(holder)
        db.session.rollback()
    assert refused.value.code == "holder_checked_in"
    assert refused.value.field == "ticket_code"
