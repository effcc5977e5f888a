"""Eight desks scan the same fifty tickets at once through gunicorn: one entry each."""
import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from webapp.extensions import db
from webapp.models import CheckIn, Ticket, TicketHolder, utcnow

from .checkin_fixtures import add_member, make_desk_token  # noqa: F401
from .live import LiveClient, live_server  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.slow]

TICKETS = 50
PAGE_DESKS = 4
DEVICE_DESKS = 4


@pytest.fixture
def fifty_holders(app, event, make_ticket_type):
    ticket_type = make_ticket_type(event, "General", TICKETS)
    with app.app_context():
        tickets = db.session.execute(
            select(Ticket.id, Ticket.code).where(Ticket.ticket_type_id == ticket_type.id)
        ).all()
        now = utcnow()
        db.session.execute(insert(TicketHolder), [
            {"event_id": event.id, "ticket_id": ticket_id, "first_name": f"Guest{n}",
             "last_name": "Racer", "email": f"guest{n}@example.org", "created_at": now,
             "updated_at": now}
            for n, (ticket_id, _code) in enumerate(tickets)])
        db.session.commit()
    return [code for _id, code in tickets]


def page_desk(live_server, email: str):
    client = LiveClient(live_server.url)
    client.login(email)

    def scan(event_id: int, code: str) -> tuple[int, str]:
        response = client.post_form(f"/events/{event_id}/desk/scan", {"q": code},
                                    headers={"Accept": "application/json"})
        body = response.json() if response.status_code < 500 else {}
        return response.status_code, body.get("answer", {}).get("result", "?")
    return client, scan


def device_desk(live_server, token: str):
    client = LiveClient(live_server.url)

    def scan(event_id: int, code: str) -> tuple[int, str]:
        response = client.post(client.url(f"/api/v1/events/{event_id}/check-ins"),
                               json={"code": code, "request_id": f"{code}-{token[-6:]}"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=60)
        if response.status_code >= 500:
            return response.status_code, "?"
        body = response.json()
        result = body["data"]["attributes"]["result"] if "data" in body \
            else body["errors"][0]["code"]
        return response.status_code, result
    return scan


def test_eight_desks_one_entry_per_ticket(app, live_server, event, fifty_holders,
                                          make_user, make_desk_token):
    scanners = []
    for n in range(PAGE_DESKS):
        user = make_user(f"desk{n}@example.org")
        add_member(app, event, user)
        client, scan = page_desk(live_server, user.email)
        named = client.post_form(f"/events/{event.id}/desk/name", {"desk_name": f"Desk {n}"})
        assert named.status_code == 302
        scanners.append(scan)
    for n in range(DEVICE_DESKS):
        _id, token = make_desk_token(event, f"Scanner {n}")
        scanners.append(device_desk(live_server, token))

    barrier = threading.Barrier(len(scanners))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(scan, seed: int):
        codes = list(fifty_holders)
        random.Random(seed).shuffle(codes)
        barrier.wait()
        for code in codes:
            answer = scan(event.id, code)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=run, args=(scan, seed))
               for seed, scan in enumerate(scanners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    results = Counter(result for _status, result in answers)
    statuses = Counter(status for status, _result in answers)
    assert len(answers) == TICKETS * len(scanners)
    assert results == {"checked_in": TICKETS,
                       "already_checked_in": TICKETS * (len(scanners) - 1)}
    assert not [status for status in statuses if status >= 500]
    assert set(statuses) <= {200, 201, 409}
    with app.app_context():
        per_ticket = db.session.execute(
            select(CheckIn.ticket_id, func.count()).where(CheckIn.annulled_at.is_(None))
            .group_by(CheckIn.ticket_id)).all()
    assert len(per_ticket) == TICKETS and {count for _id, count in per_ticket} == {1}
    assert live_server.tracebacks() == 0
    print(f"races decided by the index so far: "
          f"{live_server.log_text().count('lost a race')}")
