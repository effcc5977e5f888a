"""Creating, editing and seeing events."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from webapp.events.forms import TIMEZONE_CHOICES
from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, Event, EventMembership, Role

from .helpers import field_errors, flashes


def event_form(**values) -> dict:
    return {"name": "PyCon Test", "venue": "Hall A", "timezone": "Europe/Berlin",
            "starts_at": "2027-05-01T09:00", "ends_at": "2027-05-02T18:00", **values}


def test_create_event_makes_creator_organizer(app, signed_in, organizer):
    response = signed_in.post_form("/events/new", event_form(name="  PyCon Test  "))

    assert response.status_code == 302
    with app.app_context():
        event = db.session.execute(select(Event)).scalar_one()
        membership = db.session.execute(select(EventMembership)).scalar_one()
        entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert response.headers["Location"] == f"/events/{event.id}"
    assert (event.name, event.venue, event.timezone) == ("PyCon Test", "Hall A",
                                                        "Europe/Berlin")
    assert (event.starts_at, event.ends_at) == (datetime(2027, 5, 1, 9),
                                                datetime(2027, 5, 2, 18))
    assert (membership.user_id, membership.role) == (organizer.id, Role.ORGANIZER)
    assert entry.action is AuditAction.EVENT_CREATED
    assert flashes(signed_in.get(f"/events/{event.id}")) == [
        "Event “PyCon Test” created. Add ticket types next."]


def test_edit_event_saves_and_records_changes(app, signed_in, event):
    page = signed_in.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Test Conference"' in page and 'value="2027-05-01T09:00"' in page

    response = signed_in.post_form(f"/events/{event.id}/edit", event_form(
        name="Renamed Conference", timezone="Asia/Tokyo"))

    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Event, event.id)
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EVENT_EDITED)).scalar_one()
    assert (stored.name, stored.timezone) == ("Renamed Conference", "Asia/Tokyo")
    assert entry.details["changes"]["name"] == ["Test Conference", "Renamed Conference"]


@pytest.mark.parametrize("url", ["/events/new", "/events/{id}/edit"])
def test_end_before_start_is_refused_with_message(app, signed_in, event, url):
    response = signed_in.post_form(url.format(id=event.id), event_form(
        name="Backwards", starts_at="2027-05-02T09:00", ends_at="2027-05-01T09:00"))

    assert response.status_code == 422
    assert field_errors(response) == ["The event must end after it starts."]
    assert 'value="Backwards"' in response.get_data(as_text=True)
    with app.app_context():
        names = db.session.execute(select(Event.name)).scalars().all()
    assert names == ["Test Conference"]


def test_event_may_end_when_it_starts(signed_in):
    response = signed_in.post_form("/events/new", event_form(
        starts_at="2027-05-01T09:00", ends_at="2027-05-01T09:00"))

    assert response.status_code == 302


def test_time_zone_choices_are_iana_names(signed_in):
    page = signed_in.get("/events/new").get_data(as_text=True)

    assert {"UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"} <= set(
        TIMEZONE_CHOICES)
    assert "localtime" not in TIMEZONE_CHOICES and "Factory" not in TIMEZONE_CHOICES
    assert TIMEZONE_CHOICES == sorted(TIMEZONE_CHOICES)
    assert '<option selected value="UTC">UTC</option>' in page
    assert page.count("<option ") == len(TIMEZONE_CHOICES)


@pytest.mark.parametrize("zone", ["localtime", "Europe/Atlantis", "utc"])
def test_unknown_time_zone_is_refused(signed_in, zone):
    response = signed_in.post_form("/events/new", event_form(timezone=zone))

    assert response.status_code == 422
    assert field_errors(response) == ["Not a valid choice."]


def test_event_list_shows_only_the_users_events(app, client, organizer, event,
                                                make_user, make_event):
    other = make_user("other@example.org")
    make_event(other, "Someone Else's Summit")
    staffer = make_user("staff@example.org")
    with app.app_context():
        db.session.add(EventMembership(event_id=event.id, user_id=staffer.id,
                                       role=Role.STAFF))
        db.session.commit()

    client.login(organizer.email)
    organizer_page = client.get("/").get_data(as_text=True)
    client.post_form("/logout")
    client.login(staffer.email)
    staff_page = client.get("/").get_data(as_text=True)

    assert f'href="/events/{event.id}"' in organizer_page
    assert "Someone Else&#39;s Summit" not in organizer_page
    assert "Test Conference" in staff_page and "Check-in staff" in staff_page
    # Staff see the event but none of its organizer pages.
    assert f'href="/events/{event.id}"' not in staff_page
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}/attendees").status_code == 404


def test_overview_counts_per_ticket_type(signed_in, event, make_ticket_type, tickets_of,
                                         make_holder):
    general = make_ticket_type(event, "General", 4)
    make_ticket_type(event, "Speaker", 2)
    make_holder(event, tickets_of(general)[0])

    page = signed_in.get(f"/events/{event.id}").get_data(as_text=True)

    table = page[page.index('id="type-counts"'):page.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[dh]>(.*?)</t[dh]>", table, re.S)]
    assert cells[6:] == ["General", "4", "1", "3", "0", "Edit",
                         "Speaker", "2", "0", "2", "0", "Edit",
                         "All", "6", "1", "5", "0", ""]
