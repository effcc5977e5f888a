"""Many browsers at once through a real gunicorn server with several workers.

Each client signs in with its own session and waits at a barrier, so the
requests reach the workers together. The database must end in a state the
rules allow, and every loser must get a 409 that says why, never a 5xx.
"""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, Ticket, TicketHolder, TicketType
from webapp.tickets.codes import format_code

from .live import LiveClient, flash_texts, live_server  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.slow]

CLIENTS = 20
TAKEN_FLASH = ("Someone else was assigned this ticket a moment ago. "
               "Nothing was saved; pick another ticket.")
SOLD_OUT_FIELD = ("No free ticket of this type is left. Raise its capacity "
                  "or choose another type.")
SOLD_OUT_FLASH = "No free ticket of this type is left."
NOT_MOVED = "The attendee was not moved; see the message below."
BELOW_HELD = (r"(\d+) tickets of this type are held, so the capacity cannot go below "
              r"\1\. Unassign or move attendees first\.")
ASSIGNED_MEANWHILE = ("A ticket of this type was assigned while the capacity was being "
                      "changed. Nothing was saved; check the counts and try again.")
FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>(.*?)</p>', re.S)


def field_errors(page: str) -> list[str]:
    import html

    return [html.unescape(text) for text in FIELD_ERROR.findall(page)]


def signed_in_clients(server, email: str, count: int = CLIENTS) -> list[LiveClient]:
    clients = []
    for _ in range(count):
        client = LiveClient(server.url)
        client.login(email)
        clients.append(client)
    return clients


def all_at_once(clients, send) -> list:
    """Call send(index, client) in one thread per client, released together."""
    barrier = threading.Barrier(len(clients))

    def run(index):
        barrier.wait(timeout=60)
        return send(index, clients[index])

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(run, range(len(clients))))


def attendee(index: int, **ticket) -> dict:
    return {"ticket_code": "", "ticket_type": "0", "first_name": f"Racer{index}",
            "last_name": "Parallel", "email": f"racer{index}@example.org", **ticket}


def holders_of(app, ticket_type) -> list[TicketHolder]:
    with app.app_context():
        rows = db.session.execute(
            select(TicketHolder).join(Ticket, Ticket.id == TicketHolder.ticket_id)
            .where(Ticket.ticket_type_id == ticket_type.id)
        ).scalars().all()
        db.session.expunge_all()
        return rows


def assert_no_server_errors(responses, server) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert "database is locked" not in server.log_text()
    assert server.tracebacks() == 0


def test_twenty_clients_assigning_one_ticket_give_it_one_holder(
        app, live_server, organizer, event, general, tickets_of):
    ticket = tickets_of(general)[0]
    clients = signed_in_clients(live_server, organizer.email)
    url = f"/events/{event.id}/attendees/new"

    responses = all_at_once(clients, lambda index, client: client.post_form(
        url, attendee(index, ticket_code=format_code(ticket.code))))

    assert_no_server_errors(responses, live_server)
    holders = holders_of(app, general)
    assert len(holders) == 1 and holders[0].ticket_id == ticket.id
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (CLIENTS - 1)

    held_by = (f"Ticket {format_code(ticket.code)} is already held by "
               f"{holders[0].full_name}.")
    for response in (r for r in responses if r.status_code == 409):
        outcome = [field_errors(response.text), flash_texts(response.text)]
        # The validator saw the holder, or the unique constraint caught the race.
        assert outcome in ([[held_by], []], [[TAKEN_FLASH], [TAKEN_FLASH]])
        index = re.search(r'name="first_name"[^>]*value="Racer(\d+)"', response.text)
        assert index, "the typed attendee must come back in the form"
        assert f'value="racer{index.group(1)}@example.org"' in response.text


def test_twenty_clients_taking_next_free_ticket_fill_capacity_exactly(
        app, live_server, organizer, event, make_ticket_type):
    ten = make_ticket_type(event, "Workshop", 10)
    clients = signed_in_clients(live_server, organizer.email)
    url = f"/events/{event.id}/attendees/new"

    responses = all_at_once(clients, lambda index, client: client.post_form(
        url, attendee(index, ticket_type=str(ten.id))))

    assert_no_server_errors(responses, live_server)
    holders = holders_of(app, ten)
    assert len(holders) == 10
    assert len({holder.ticket_id for holder in holders}) == 10
    assert sorted(r.status_code for r in responses) == [302] * 10 + [409] * 10
    for response in (r for r in responses if r.status_code == 409):
        outcome = [field_errors(response.text), flash_texts(response.text)]
        assert outcome in ([[SOLD_OUT_FIELD], []],
                                     [[SOLD_OUT_FLASH], [SOLD_OUT_FLASH]])


def test_twenty_holders_moving_to_one_free_ticket_leave_one_there(
        app, live_server, organizer, event, make_ticket_type, tickets_of, make_holder):
    ticket_type = make_ticket_type(event, "General", CLIENTS + 1)
    *held, target = tickets_of(ticket_type)
    holders = [make_holder(event, ticket, f"Mover{n}", "Parallel",
                           f"mover{n}@example.org") for n, ticket in enumerate(held)]
    clients = signed_in_clients(live_server, organizer.email)

    responses = all_at_once(clients, lambda index, client: client.post(
        client.url(f"/events/{event.id}/attendees/{holders[index].id}/move"),
        data={"move-csrf_token": client.csrf_token, "move-ticket_type": "0",
              "move-ticket_code": format_code(target.code)},
        allow_redirects=False, timeout=60))

    assert_no_server_errors(responses, live_server)
    assert sorted(r.status_code for r in responses) == [302] + [409] * (CLIENTS - 1)
    on_target = [h for h in holders_of(app, ticket_type) if h.ticket_id == target.id]
    assert len(on_target) == 1
    assert len(holders_of(app, ticket_type)) == CLIENTS
    held_by = (f"Ticket {format_code(target.code)} is already held by "
               f"{on_target[0].full_name}.")
    for response in (r for r in responses if r.status_code == 409):
        outcome = [field_errors(response.text), flash_texts(response.text)]
        assert outcome in ([[held_by], [NOT_MOVED]], [[TAKEN_FLASH], [TAKEN_FLASH]])


def test_ten_clients_unassigning_one_holder_all_get_answers(
        app, live_server, organizer, event, general, tickets_of, make_holder):
    holder = make_holder(event, tickets_of(general)[0])
    clients = signed_in_clients(live_server, organizer.email, 10)
    url = f"/events/{event.id}/attendees/{holder.id}/unassign"

    responses = all_at_once(clients, lambda index, client: client.post_form(url, {}))

    assert_no_server_errors(responses, live_server)
    assert holders_of(app, general) == []
    assert sorted(r.status_code for r in responses)[:2] in ([302, 404], [302, 409])
    assert [r.status_code for r in responses].count(302) == 1
    for response in (r for r in responses if r.status_code == 409):
        assert flash_texts(response.text) == [
            "Ada Lovelace was unassigned a moment ago by someone else."]
    with app.app_context():
        audited = db.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.HOLDER_UNASSIGNED)).scalar_one()
    assert audited == 1


def test_lowering_capacity_while_clients_assign_keeps_tickets_and_holders_consistent(
        app, live_server, organizer, event, make_ticket_type):
    workshop = make_ticket_type(event, "Workshop", 12)
    clients = signed_in_clients(live_server, organizer.email, 12)
    assign_url = f"/events/{event.id}/attendees/new"
    edit_url = f"/events/{event.id}/ticket-types/{workshop.id}/edit"

    def send(index, client):
        if index % 4 == 0:  # three organizers lower the capacity to 6, staggered
            time.sleep(0.04 * index)  # so some land among the assignments
            return client.post_form(edit_url, {"name": "Workshop", "capacity": "6"})
        return client.post_form(assign_url,
                                attendee(index, ticket_type=str(workshop.id)))

    responses = all_at_once(clients, send)

    assert_no_server_errors(responses, live_server)
    assert {r.status_code for r in responses} <= {302, 409, 422}
    assigned = sum(1 for i, r in enumerate(responses) if i % 4 and r.status_code == 302)
    with app.app_context():
        capacity = db.session.get(TicketType, workshop.id).capacity
        tickets = db.session.execute(select(func.count()).select_from(Ticket).where(
            Ticket.ticket_type_id == workshop.id)).scalar_one()
    assert tickets == capacity
    assert len(holders_of(app, workshop)) == assigned <= capacity
    lowered = [r for i, r in enumerate(responses)
               if i % 4 == 0 and r.status_code == 302]
    assert capacity == (6 if lowered else 12)
    for response in (r for i, r in enumerate(responses) if i % 4 == 0):
        refused = flash_texts(response.text)
        assert response.status_code == 302 or [response.status_code, refused] == [
            409, [ASSIGNED_MEANWHILE]] or response.status_code == 422 and re.fullmatch(
            BELOW_HELD, refused[0])
