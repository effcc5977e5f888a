"""Desks scanning while the organizer moves and unassigns the same holders.

Through the real gunicorn server: afterwards no active check-in may sit
on a ticket without a holder (or with another holder), no person may be
checked in twice, and nobody gets a 5xx.
"""
from collections import Counter

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import CheckIn, TicketHolder

from .checkin_fixtures import add_member, make_desk_token  # noqa: F401
from .live import live_server  # noqa: F401
from .test_races import all_at_once, assert_no_server_errors, signed_in_clients

pytestmark = [pytest.mark.live, pytest.mark.slow]

ROUNDS = 4
HOLDERS = 4  # per round: two are unassigned, two moved to free tickets


def desk_clients(server, event, email: str, count: int):
    clients = signed_in_clients(server, email, count)
    for index, client in enumerate(clients):
        response = client.post_form(f"/events/{event.id}/desk/name",
                                    {"desk_name": f"Desk {index + 1}"})
        assert response.status_code == 302
    return clients


def active_check_ins_with_holders(app) -> list[tuple[str, str | None]]:
    """Each active check-in's name, and the name of its ticket's holder now."""
    with app.app_context():
        rows = db.session.execute(
            select(CheckIn.holder_name, TicketHolder.first_name, TicketHolder.last_name)
            .outerjoin(TicketHolder, TicketHolder.ticket_id == CheckIn.ticket_id)
            .where(CheckIn.annulled_at.is_(None))
        ).all()
    return [(name, f"{first} {last}" if first else None) for name, first, last in rows]


def test_desks_scanning_while_holders_are_moved_and_unassigned(
        app, live_server, organizer, make_user, event, make_ticket_type, tickets_of,
        make_holder):
    add_member(app, event, make_user("staff@example.org"))
    tickets = tickets_of(make_ticket_type(event, "Door", ROUNDS * HOLDERS * 2))
    desks = desk_clients(live_server, event, "staff@example.org", HOLDERS + 2)
    offices = signed_in_clients(live_server, organizer.email, HOLDERS)
    statuses = Counter()

    for round_ in range(ROUNDS):
        held = tickets[round_ * HOLDERS * 2:][:HOLDERS]
        free = tickets[round_ * HOLDERS * 2 + HOLDERS:][:2]
        holders = [make_holder(event, ticket, f"Guest{round_}x{index}", "Racing",
                               f"guest{round_}x{index}@example.org")
                   for index, ticket in enumerate(held)]
        scanned = [ticket.code for ticket in held] + [ticket.code for ticket in free]

        def send(index, client):
            if index < len(desks):
                return client.post_form(f"/events/{event.id}/desk/scan",
                                        {"q": scanned[index]})
            which = index - len(desks)
            url = f"/events/{event.id}/attendees/{holders[which].id}"
            if which < 2:
                return client.post_form(f"{url}/unassign", {})
            return client.post_form(f"{url}/move", {
                "move-ticket_code": free[which - 2].code, "move-ticket_type": "0",
                "move-csrf_token": client.csrf_token})

        responses = all_at_once(desks + offices, send)
        assert_no_server_errors(responses, live_server)
        statuses.update(response.status_code for response in responses)

    check_ins = active_check_ins_with_holders(app)
    assert [pair for pair in check_ins if pair[0] != pair[1]] == []
    names = Counter(name for name, _holder in check_ins)
    assert [name for name, times in names.items() if times > 1] == []
    assert set(statuses) <= {200, 302, 409}
    assert statuses[200] > 0  # some desks did check people in


def test_scanner_devices_racing_moves_and_unassigns(
        app, live_server, organizer, event, make_ticket_type, tickets_of, make_holder,
        make_desk_token):
    """The same race through the JSON API, whose read takes no lock."""
    import requests

    tickets = tickets_of(make_ticket_type(event, "Door", ROUNDS * HOLDERS * 2))
    tokens = [make_desk_token(event, f"Scanner {index}")[1]
              for index in range(HOLDERS + 2)]
    offices = signed_in_clients(live_server, organizer.email, HOLDERS)
    devices = [requests.Session() for _token in tokens]
    statuses = Counter()

    for round_ in range(ROUNDS):
        held = tickets[round_ * HOLDERS * 2:][:HOLDERS]
        free = tickets[round_ * HOLDERS * 2 + HOLDERS:][:2]
        holders = [make_holder(event, ticket, f"Device{round_}x{index}", "Racing",
                               f"device{round_}x{index}@example.org")
                   for index, ticket in enumerate(held)]
        scanned = [ticket.code for ticket in held] + [ticket.code for ticket in free]

        def send(index, client):
            if index < len(devices):
                return client.post(
                    f"{live_server.url}/api/v1/events/{event.id}/check-ins",
                    json={"code": scanned[index], "request_id": f"r{round_}-{index}"},
                    headers={"Authorization": f"Bearer {tokens[index]}"}, timeout=60)
            which = index - len(devices)
            url = f"/events/{event.id}/attendees/{holders[which].id}"
            if which < 2:
                return client.post_form(f"{url}/unassign", {})
            return client.post_form(f"{url}/move", {
                "move-ticket_code": free[which - 2].code, "move-ticket_type": "0",
                "move-csrf_token": client.csrf_token})

        responses = all_at_once(devices + offices, send)
        assert_no_server_errors(responses, live_server)
        statuses.update(response.status_code for response in responses)

    check_ins = active_check_ins_with_holders(app)
    assert [pair for pair in check_ins if pair[0] != pair[1]] == []
    assert set(statuses) <= {201, 302, 409}
    assert statuses[201] > 0
