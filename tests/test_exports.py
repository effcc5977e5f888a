"""CSV exports: readable by spreadsheets, inert as formulas, for organizers only."""
import csv
import io

import pytest
from sqlalchemy import select

from webapp.exports.csv_rows import neutralise
from webapp.extensions import db
from webapp.models import CheckIn, EventMembership, Role, TicketHolder, User
from webapp.tickets.codes import format_code

from .conftest import WebClient


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


def check_in(app, event, ticket, *, desk="North door", annulled=False, user_email=None):
    from webapp.models import utcnow

    with app.app_context():
        user_id = db.session.execute(select(User.id).where(
            User.email == user_email)).scalar() if user_email else None
        db.session.add(CheckIn(event_id=event.id, ticket_id=ticket.id,
                               holder_name="Ada L", desk_name=desk, user_id=user_id,
                               annulled_at=utcnow() if annulled else None))
        db.session.commit()


def test_attendees_csv_lists_type_code_and_check_in(app, signed_in, event, general,
                                                    tickets_of, make_holder):
    tickets = tickets_of(general)
    make_holder(event, tickets[0], "Zoë", "Ñúñez", "zoe@example.org")
    make_holder(event, tickets[1], "Ada", "Lovelace", "ada@example.org")
    check_in(app, event, tickets[0])

    response = signed_in.get(f"/events/{event.id}/exports/attendees.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert 'filename="event-' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["First name", "Last name", "Email", "Ticket type", "Ticket code",
                       "Checked in", "Checked in at"]
    assert rows[1] == ["Ada", "Lovelace", "ada@example.org", "General",
                       format_code(tickets[1].code), "no", ""]
    assert rows[2][:6] == ["Zoë", "Ñúñez", "zoe@example.org", "General",
                           format_code(tickets[0].code), "yes"]
    # ISO 8601 at the venue: Europe/Berlin is one or two hours ahead of UTC
    offset = rows[2][6][-6:]
    assert len(rows[2][6]) == 25 and offset in ("+01:00", "+02:00") and len(rows) == 3


def test_check_ins_csv_keeps_annulled_entries(app, signed_in, organizer, event, general,
                                              tickets_of, make_holder):
    tickets = tickets_of(general)
    check_in(app, event, tickets[0], desk="South", annulled=True,
             user_email=organizer.email)
    check_in(app, event, tickets[0], desk="North")

    rows = read_csv(signed_in.get(f"/events/{event.id}/exports/check-ins.csv"))

    assert rows[0][:6] == ["Checked in at", "Ticket code", "Ticket type",
                           "Holder", "Desk", "Staff"]
    assert [(row[1], row[4], row[5], bool(row[6])) for row in rows[1:]] == [
        (format_code(tickets[0].code), "South", organizer.email, True),
        (format_code(tickets[0].code), "North", "", False)]


@pytest.mark.parametrize("value, exported", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rReturn", "'\rReturn"),
    ("Ada", "Ada"), ("O'Neil = fine", "O'Neil = fine"), ("", ""),
])
def test_neutralise(value, exported):
    assert neutralise(value) == exported


def test_formula_cells_are_inert_in_export_only(app, signed_in, event, general,
                                                tickets_of, make_holder):
    holder = make_holder(event, tickets_of(general)[0], "=cmd|' /C calc'!A0", "+Evil",
                         "@attacker@example.org")

    rows = read_csv(signed_in.get(f"/events/{event.id}/exports/attendees.csv"))

    assert rows[1][:3] == ["'=cmd|' /C calc'!A0", "'+Evil", "'@attacker@example.org"]
    with app.app_context():
        stored = db.session.get(TicketHolder, holder.id)
        assert (stored.first_name, stored.last_name) == ("=cmd|' /C calc'!A0", "+Evil")


def test_export_runs_a_fixed_number_of_queries(app, signed_in, event, make_ticket_type,
                                               tickets_of, make_holder, count_queries):
    big = make_ticket_type(event, "Big", 1200)
    for number, ticket in enumerate(tickets_of(big)[:3]):
        make_holder(event, ticket, "Few", str(number), f"few{number}@example.org")
    url = f"/events/{event.id}/exports/attendees.csv"
    with count_queries() as few:
        assert len(read_csv(signed_in.get(url))) == 4

    with app.app_context():
        db.session.execute(db.insert(TicketHolder), [
            {"event_id": event.id, "ticket_id": ticket.id, "first_name": "Many",
             "last_name": str(number), "email": f"many{number}@example.org"}
            for number, ticket in enumerate(tickets_of(big)[3:])])
        db.session.commit()
    with count_queries() as many:
        assert len(read_csv(signed_in.get(url))) == 1201

    assert len(many) == len(few)


@pytest.mark.parametrize("path", ["attendees.csv", "check-ins.csv"])
def test_exports_are_for_organizers_only(app, event, general, tickets_of, make_holder,
                                         make_user, path):
    make_holder(event, tickets_of(general)[0])
    staff = make_user("staff@example.org")
    with app.app_context():
        db.session.add(EventMembership(event_id=event.id, user_id=staff.id,
                                       role=Role.STAFF))
        db.session.commit()
    staff_client, anonymous = WebClient(app.test_client()), app.test_client()
    staff_client.login(staff.email)

    as_staff = staff_client.get(f"/events/{event.id}/exports/{path}")
    as_anonymous = anonymous.get(f"/events/{event.id}/exports/{path}")

    assert as_staff.status_code == 404 and b"ada@example.org" not in as_staff.get_data()
    assert as_anonymous.status_code == 302
    assert as_anonymous.headers["Location"].startswith("/login")
