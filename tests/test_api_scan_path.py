"""The scanner API's fast path: its statements, its races, its pooled connections."""
import select
import time
from datetime import datetime, timezone

import psycopg2
import pytest
from sqlalchemy import insert, update

from webapp import create_app
from webapp.checkin import services
from webapp.extensions import db
from webapp.models import CheckIn, SetAsideHolder, Ticket

from .checkin_fixtures import (  # noqa: F401
    active_check_ins,
    door,
    make_desk_token,
    scan_results,
)
from .conftest import TEST_SECRET_KEY


@pytest.fixture
def device(client, door, make_desk_token):
    """Post scans as the scanner device "Scanner 1" of the event."""
    _token_id, token = make_desk_token(door.event)

    def post(code: str, request_id: str | None = None):
        body = {"code": code, **({"request_id": request_id} if request_id else {})}
        return client.post(f"/api/v1/events/{door.event.id}/check-ins", json=body,
                           headers={"Authorization": f"Bearer {token}"})
    return post


def test_voided_and_set_aside_tickets_are_409_with_their_codes(app, device, door):
    with app.app_context():
        db.session.execute(update(Ticket).where(Ticket.id == door.tickets[0].id)
                           .values(voided_at=datetime.now(timezone.utc)))
        db.session.execute(insert(SetAsideHolder).values(
            original_id=999, event_id=door.event.id, ticket_id=door.tickets[4].id,
            first_name="Set", last_name="Aside", email="aside@example.org",
            reason="The ticket already had an earlier holder."))
        db.session.commit()

    voided = device(door.code(0), "v-1")
    set_aside = device(door.code(4), "s-1")

    assert voided.status_code == set_aside.status_code == 409
    assert voided.get_json()["errors"][0]["code"] == "voided"
    assert set_aside.get_json()["errors"][0]["code"] == "set_aside"
    assert scan_results(app) == ["voided", "set_aside"]
    assert active_check_ins(app) == 0


def test_check_in_after_undo_is_a_new_entry(app, device, door):
    first = device(door.code(1), "u-1")
    with app.app_context():
        db.session.execute(
            update(CheckIn).values(annulled_at=datetime.now(timezone.utc)))
        db.session.commit()

    again = device(door.code(1), "u-2")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json()["data"]["id"] != first.get_json()["data"]["id"]
    assert active_check_ins(app, door.tickets[1].id) == 1


def test_a_scan_needs_few_statements_on_postgresql(app, dialect, device, door,
                                                count_queries):
    # The first uses prepare the statements on this connection.
    device(door.code(0), "warm-1")
    device("YYYYYYYYYY", "warm-2")

    with count_queries() as statements:
        checked_in = device(door.code(1), "r-1")
        refused = device("ZZZZZZZZZZ", "r-2")

    # PREPARE runs once per pooled connection, not per scan.
    verbs = [" ".join(s.split()[:2]) for s in statements
             if not s.lstrip().upper().startswith(("BEGIN", "PREPARE"))]
    assert (checked_in.status_code, refused.status_code) == (201, 404)
    if dialect == "postgresql":
        # An admit is read again under the ticket's lock before it is written.
        assert verbs == ["EXECUTE admitone_device_scan_lookup",
                         "SELECT tickets.id", "SELECT ticket_holders.id",
                         "EXECUTE admitone_insert_check_in",
                         "EXECUTE admitone_device_scan_lookup",
                         "EXECUTE admitone_insert_scan"], statements
    else:
        # Token, ticket, then the check-in, its scan and audit rows.
        assert [verb.split()[0] for verb in verbs] == \
            ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT",
             "SELECT", "SELECT", "SELECT", "INSERT"], statements


def test_device_that_loses_a_race_answers_already_checked_in(
        app, dialect, device, door, monkeypatch):
    """Another desk commits between the device's read and its insert."""
    if dialect == "sqlite":
        pytest.skip("SQLite requests start with BEGIN IMMEDIATE, one writer at a time; "
                    "test_checkin_race covers SQLite through gunicorn")
    real_decide = services.decide
    raced = []

    def decide_then_lose_the_race(event, answer, row):
        result = real_decide(event, answer, row)
        if not raced:
            raced.append(True)
            with app.app_context():  # a second connection: the other desk
                db.session.execute(insert(CheckIn).values(
                    event_id=door.event.id, ticket_id=door.tickets[0].id,
                    holder_name="Ada Lovelace", desk_name="South door",
                    checked_in_at=datetime.now(timezone.utc)))
                db.session.commit()
        return result

    monkeypatch.setattr(services, "decide", decide_then_lose_the_race)

    response = device(door.code(0), "race-1")
    retried = device(door.code(0), "race-1")

    error = response.get_json()["errors"][0]
    assert response.status_code == 409
    assert (error["code"], error["meta"]["desk_name"]) == \
        ("already_checked_in", "South door")
    assert (retried.status_code, retried.get_json()) == (409, response.get_json())
    assert active_check_ins(app) == 1
    assert scan_results(app) == ["already_checked_in"]


@pytest.fixture
def app_without_pre_ping(database_url):
    """The app as production configures it: no pool_pre_ping."""
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                      "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()


def backend_pid(app) -> int:
    with app.app_context():
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def terminate(database_url: str, pid: int) -> None:
    connection = psycopg2.connect(database_url.replace("+psycopg2", ""))
    connection.autocommit = True
    try:
        connection.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        connection.close()


def test_pool_keeps_live_connections_and_replaces_closed_ones(
        app, dialect, database_url, app_without_pre_ping):
    if dialect != "postgresql":
        pytest.skip("the checkout check is PostgreSQL's")
    with app_without_pre_ping.app_context():
        assert db.engine.pool._pre_ping is False
        pooled = db.engine.pool._pool.queue if hasattr(db.engine.pool, "_pool") else []

    first = backend_pid(app_without_pre_ping)
    second = backend_pid(app_without_pre_ping)
    terminate(database_url, first)
    for _wait in range(50):  # until the server's goodbye reaches the socket
        sockets = [record.dbapi_connection.fileno() for record in pooled]
        if select.select(sockets, [], [], 0)[0]:
            break
        time.sleep(0.05)
    third = backend_pid(app_without_pre_ping)

    assert first == second  # a live connection is reused as it is
    assert third != first  # the closed one was replaced, with no error
