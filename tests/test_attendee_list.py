"""The attendee list: search, sort, pages, and a query count that does not grow."""
import html
import re

import pytest
from sqlalchemy import insert

from webapp.extensions import db
from webapp.models import CheckIn, TicketHolder, utcnow

PEOPLE = [("Ada", "Lovelace", "ada@example.org"),
          ("Alan", "Turing", "alan@example.org"),
          ("Grace", "Hopper", "grace@navy.example"),
          ("Edsger", "Dijkstra", "ed@example.org"),
          ("Barbara", "Liskov", "barbara@mit.example")]
ROW_NAME = re.compile(r'<td><a href="/events/\d+/attendees/\d+">(.*?)</a></td>')


@pytest.fixture
def people(event, general, tickets_of, make_holder):
    """Five holders on the five General tickets, in PEOPLE order."""
    tickets = tickets_of(general)
    holders = [make_holder(event, ticket, *person)
               for ticket, person in zip(tickets, PEOPLE)]
    return dict(zip((last for _first, last, _email in PEOPLE), zip(holders, tickets)))


def listed_names(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(name) for name in ROW_NAME.findall(page)]


def attendees(client, event, query: str = ""):
    return client.get(f"/events/{event.id}/attendees{query}")


@pytest.mark.parametrize("query, names", [
    ("", ["Dijkstra, Edsger", "Hopper, Grace", "Liskov, Barbara", "Lovelace, Ada",
          "Turing, Alan"]),
    ("?q=LOVE", ["Lovelace, Ada"]),
    ("?q=ada+lovelace", ["Lovelace, Ada"]),
    ("?q=al", ["Turing, Alan"]),
    ("?q=example.org", ["Dijkstra, Edsger", "Lovelace, Ada", "Turing, Alan"]),
    ("?q=navy", ["Hopper, Grace"]),
    ("?q=%25", []),
    ("?q=_", []),
    ("?q=nobody", []),
])
def test_search_by_name_and_email(signed_in, event, people, query, names):
    assert listed_names(attendees(signed_in, event, query)) == names


def test_search_by_code_prefix_typed_loosely(signed_in, event, people):
    _holder, ticket = people["Hopper"]
    typed = f"{ticket.code[:3].lower()}-{ticket.code[3:6].lower()}"

    names = listed_names(attendees(signed_in, event, f"?q={typed}"))

    assert "Hopper, Grace" in names
    assert all(people[name.split(",")[0]][1].code.startswith(ticket.code[:6])
               for name in names)


def test_search_shows_count_and_keeps_query(signed_in, event, people):
    response = attendees(signed_in, event, "?q=example.org&sort=email")

    page = response.get_data(as_text=True)

    assert "3 attendees matching “example.org”" in page
    assert 'value="example.org"' in page
    assert '<option value="email" selected>' in page


@pytest.mark.parametrize("sort, names", [
    ("email", ["Lovelace, Ada", "Turing, Alan", "Liskov, Barbara", "Dijkstra, Edsger",
               "Hopper, Grace"]),
    ("assigned", ["Liskov, Barbara", "Dijkstra, Edsger", "Hopper, Grace",
                  "Turing, Alan", "Lovelace, Ada"]),
    ("nonsense", ["Dijkstra, Edsger", "Hopper, Grace", "Liskov, Barbara",
                  "Lovelace, Ada", "Turing, Alan"]),
])
def test_sort_orders(signed_in, event, people, sort, names):
    assert listed_names(attendees(signed_in, event, f"?sort={sort}")) == names


def test_sort_by_code(signed_in, event, people):
    by_code = sorted(people, key=lambda last: people[last][1].code)

    names = listed_names(attendees(signed_in, event, "?sort=code"))

    assert [name.split(",")[0] for name in names] == by_code


def test_pages_split_the_list_and_keep_search_and_sort(app, signed_in, event, people,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDEES_PER_PAGE", 2)

    pages = [listed_names(attendees(signed_in, event, f"?sort=name&page={n}"))
             for n in (1, 2, 3)]
    first = attendees(signed_in, event, "?sort=email").get_data(as_text=True)

    assert pages == [["Dijkstra, Edsger", "Hopper, Grace"],
                     ["Liskov, Barbara", "Lovelace, Ada"], ["Turing, Alan"]]
    assert "Page 1 of 3" in first
    assert 'href="?q=&amp;sort=email&amp;page=2"' in first
    assert listed_names(attendees(signed_in, event, "?page=999")) == ["Turing, Alan"]


def test_checked_in_attendee_shows_the_time(app, signed_in, event, people):
    holder, ticket = people["Turing"]
    with app.app_context():
        db.session.add(CheckIn(event_id=event.id, ticket_id=ticket.id,
                               checked_in_at=utcnow().replace(year=2027, month=5, day=1,
                                                              hour=9, minute=5)))
        db.session.commit()

    page = attendees(signed_in, event, "?q=turing").get_data(as_text=True)

    # 09:05 UTC is 11:05 at the venue (Europe/Berlin, summer time)
    assert "Sat 1 May 11:05 CEST" in page


def fill_event(app, event, ticket_type, tickets) -> None:
    """Give every ticket a holder, in one statement, and check a few in."""
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(TicketHolder), [
            {"event_id": event.id, "ticket_id": ticket.id, "first_name": f"First{n}",
             "last_name": f"Last{n:04d}", "email": f"person{n}@example.org",
             "created_at": now, "updated_at": now}
            for n, ticket in enumerate(tickets)])
        db.session.execute(insert(CheckIn), [
            {"event_id": event.id, "ticket_id": ticket.id, "holder_name": "x",
             "desk_name": "North", "checked_in_at": now} for ticket in tickets[:50]])
        db.session.commit()


@pytest.mark.parametrize("path, row", [
    ("attendees", ROW_NAME),
    ("tickets", re.compile(r'<td class="code">')),
])
def test_list_query_count_does_not_grow_with_page_size(
        app, signed_in, event, make_ticket_type, tickets_of, count_queries, monkeypatch,
        path, row):
    ticket_type = make_ticket_type(event, "General", 250)
    fill_event(app, event, ticket_type, tickets_of(ticket_type))
    counts = {}

    for per_page in (10, 200):
        monkeypatch.setitem(app.config, "ATTENDEES_PER_PAGE", per_page)
        with count_queries() as statements:
            response = signed_in.get(f"/events/{event.id}/{path}")
        assert len(row.findall(response.get_data(as_text=True))) == per_page
        counts[per_page] = len(statements)

    assert counts[10] == counts[200]
    assert counts[10] <= 8  # user, membership, count, page, types; BEGIN on SQLite
