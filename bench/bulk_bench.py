"""Time the bulk page on PostgreSQL against a plain psycopg2 insert of the same rows.

Run from the project root:  python -m bench.bulk_bench [rows]

Creates its own database on the local server (ADMITONE_TEST_PG) and drops it
at the end. The baseline inserts the same number of holder rows with one
psycopg2 execute_values call; the page's preview and commit go through the
Flask test client, so they include form parsing, the classification, the
insert, the audit row and rendering the page.
"""
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from psycopg2.extras import execute_values  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests.conftest import CSRF_INPUT, PASSWORD, TEST_SECRET_KEY  # noqa: E402
from tests.databases import fresh_postgres_database  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.cli import create_user  # noqa: E402
from webapp.events.services import create_event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Ticket, utcnow  # noqa: E402
from webapp.tickets.services import create_ticket_type  # noqa: E402

DIGEST = re.compile(r'name="previewed_digest" type="hidden" value="([0-9a-f]+)"')


def set_up(app, rows: int) -> tuple[int, list[str], list[int]]:
    """An event with two types of `rows` tickets: for the page and for the baseline."""
    from datetime import datetime

    with app.app_context():
        upgrade()
        organizer = create_user("bench@example.org", PASSWORD, "")
        event = create_event(db.session.merge(organizer), name="Bench",
                             starts_at=datetime(2027, 1, 1),
                             ends_at=datetime(2027, 1, 2))
        page_type = create_ticket_type(event, "Page", rows)
        baseline_type = create_ticket_type(event, "Baseline", rows)
        db.session.commit()
        codes = db.session.execute(
            select(Ticket.code).where(Ticket.ticket_type_id == page_type.id)
            .order_by(Ticket.id)).scalars().all()
        baseline_ids = db.session.execute(
            select(Ticket.id).where(Ticket.ticket_type_id == baseline_type.id)
            .order_by(Ticket.id)).scalars().all()
        return event.id, codes, baseline_ids


def people(count: int) -> list[tuple[str, str, str]]:
    return [(f"First{n}", f"Last{n}", f"person{n}@example.org") for n in range(count)]


def time_baseline(url: str, event_id: int, ticket_ids: list[int]) -> float:
    """One execute_values call for all rows, committed: the floor for this insert."""
    now = utcnow()
    values = [(event_id, ticket_id, first, last, email, now, now)
              for ticket_id, (first, last, email)
              in zip(ticket_ids, people(len(ticket_ids)))]
    connection = psycopg2.connect(url)
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            execute_values(cursor, "INSERT INTO ticket_holders (event_id, ticket_id, "
                           "first_name, last_name, email, created_at, updated_at) "
                           "VALUES %s", values, page_size=len(values))
        connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()


def time_page(app, event_id: int, codes: list[str]) -> tuple[float, float, int]:
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                "csrf_token": token})
    token = CSRF_INPUT.search(client.get("/").get_data(as_text=True)).group(1)
    rows = list(zip(codes, *zip(*people(len(codes)))))
    data = {name: [row[i] for row in rows] for i, name in
            enumerate(("ticket", "first_name", "last_name", "email"))}
    data["csrf_token"] = token

    started = time.perf_counter()
    previewed = client.post(f"/events/{event_id}/bulk/check", data=data)
    preview_seconds = time.perf_counter() - started
    assert previewed.status_code == 200, previewed.status_code
    data["previewed_digest"] = DIGEST.search(previewed.get_data(as_text=True)).group(1)

    started = time.perf_counter()
    committed = client.post(f"/events/{event_id}/bulk/commit", data=data)
    commit_seconds = time.perf_counter() - started
    assert committed.status_code == 200, committed.get_data(as_text=True)[:500]
    assigned = int(re.search(r"<th>Assigned</th><td>(\d+)</td>",
                             committed.get_data(as_text=True)).group(1))
    return preview_seconds, commit_seconds, assigned


def main(rows: int = 10_000) -> None:
    with fresh_postgres_database("bench") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET_KEY,
                          "WTF_CSRF_SSL_STRICT": False})
        event_id, codes, baseline_ids = set_up(app, rows)
        baseline = time_baseline(url, event_id, baseline_ids)
        preview_seconds, commit_seconds, assigned = time_page(app, event_id, codes)
        with app.app_context():
            db.engine.dispose()

    assert assigned == rows, f"only {assigned} of {rows} rows were assigned"
    print(f"rows: {rows:,} (PostgreSQL, Flask test client)")
    lines = [("baseline: psycopg2 execute_values + commit", baseline, ""),
             ("page preview (classify every row, render)", preview_seconds,
              f"{preview_seconds / baseline:5.1f}x baseline"),
             ("page commit (classify again, insert, audit)", commit_seconds,
              f"{commit_seconds / baseline:5.1f}x baseline (aim: 5x or less)")]
    for label, seconds, ratio in lines:
        print(f"{label:<45} {seconds * 1000:7.0f} ms  {ratio}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
