"""Every time is shown at the venue's clock, with its zone, and the date if needed."""
import csv
import io
from datetime import datetime, timezone

import pytest

from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, CheckIn
from webapp.times import Clock, event_iso, event_time

# 2027-05-01 07:12:05 UTC is 09:12:05 in Berlin (summer time, CEST).
MOMENT = datetime(2027, 5, 1, 7, 12, 5, tzinfo=timezone.utc)
THREE_DAYS = Clock("Europe/Berlin", datetime(2027, 5, 1, 9), datetime(2027, 5, 3, 18))
ONE_DAY = Clock("Europe/Berlin", datetime(2027, 5, 1, 9), datetime(2027, 5, 1, 23))


@pytest.mark.parametrize("value, clock, options, shown", [
    (MOMENT, THREE_DAYS, {}, "Sat 1 May 09:12 CEST"),
    (MOMENT, ONE_DAY, {}, "09:12 CEST"),
    (MOMENT, ONE_DAY, {"seconds": True, "date": True}, "Sat 1 May 09:12:05 CEST"),
    (MOMENT.replace(tzinfo=None), THREE_DAYS, {}, "Sat 1 May 09:12 CEST"),  # SQLite
    (datetime(2027, 1, 5, 23, 30, tzinfo=timezone.utc), THREE_DAYS, {},
     "Wed 6 Jan 00:30 CET"),
    (MOMENT, Clock("America/Sao_Paulo"), {}, "Sat 1 May 04:12 -03"),
    (None, THREE_DAYS, {}, ""),
])
def test_event_time(value, clock, options, shown):
    assert event_time(value, clock, **options) == shown


def test_event_iso_carries_the_venue_offset():
    assert event_iso(MOMENT, THREE_DAYS) == "2027-05-01T09:12:05+02:00"
    assert event_iso(MOMENT.replace(tzinfo=None), "Asia/Kolkata") == (
        "2027-05-01T12:42:05+05:30")


@pytest.fixture
def checked_in(app, event, general, tickets_of, make_holder):
    """Ada, checked in at 09:12:05 Berlin time on the first day of the event."""
    ticket = tickets_of(general)[0]
    make_holder(event, ticket)
    with app.app_context():
        db.session.add(CheckIn(event_id=event.id, ticket_id=ticket.id,
                               holder_name="Ada Lovelace", desk_name="Desk 2",
                               checked_in_at=MOMENT))
        db.session.add(AuditEntry(event_id=event.id, actor="x",
                                  action=AuditAction.CHECKED_IN,
                                  summary="Checked in Ada", created_at=MOMENT))
        db.session.commit()
    return ticket


def test_pages_and_exports_show_the_venue_time(signed_in, event, checked_in):
    attendees = signed_in.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    audit = signed_in.get(f"/events/{event.id}/audit").get_data(as_text=True)
    export = signed_in.get(f"/events/{event.id}/exports/check-ins.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))

    assert "Sat 1 May 09:12 CEST" in attendees
    assert "Sat 1 May 09:12:05 CEST" in audit
    assert rows[1][0] == "2027-05-01T09:12:05+02:00"


def test_the_desk_search_shows_the_venue_time(signed_in, event, checked_in):
    signed_in.post_form(f"/events/{event.id}/desk/name", {"desk_name": "Desk 1"})

    page = signed_in.post_form(f"/events/{event.id}/desk/scan", {"q": "Ada"})

    assert "Checked in Sat 1 May 09:12 CEST at Desk 2" in page.get_data(as_text=True)
