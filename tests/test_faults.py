"""PostgreSQL faults under load: cut connections, and a server stopped and restarted.

Both go through gunicorn with several workers. The app must answer 503
(never a traceback) while the database is away, recover by itself, and
keep every row whose request was answered as saved.
"""
import glob
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import psycopg2
import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from webapp import create_app
from webapp.cli import create_user
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.models import TicketHolder
from webapp.tickets.services import create_ticket_type

from .conftest import PASSWORD, TEST_SECRET_KEY
from .figures import count, note_status
from .live import LiveClient, flash_texts, free_port, start_gunicorn, stop_gunicorn
from .live import live_server  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.slow]
PLAIN_503 = "The database is not reachable right now."


def assign(client: LiveClient, event_id: int, type_id: int, email: str):
    return client.post_form(f"/events/{event_id}/attendees/new", {
        "ticket_code": "", "ticket_type": str(type_id), "first_name": "Load",
        "last_name": email.split("@")[0], "email": email})


def stored_emails(app) -> set[str]:
    with app.app_context():
        emails = set(db.session.execute(select(TicketHolder.email)).scalars())
        db.session.remove()
        return emails


def terminate_backends(database_url: str) -> int:
    """Cut every connection to the test database but this one."""
    name = database_url.rsplit("/", 1)[1]
    connection = psycopg2.connect(database_url.replace("+psycopg2", ""))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) "
                           "FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_cut_connections_mid_load(app, dialect, live_server, database_url, organizer,
                                  event, make_ticket_type):
    if dialect != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    ticket_type = make_ticket_type(event, "Load", 400)
    clients = [LiveClient(live_server.url) for _ in range(6)]
    for client in clients:
        client.login(organizer.email)
    answers: dict[str, int] = {}
    odd: list[str] = []
    load_done = threading.Event()

    def load(number: int):
        client = clients[number % len(clients)]
        for step in range(25):
            email = f"load{number}-{step}@example.org"
            response = assign(client, event.id, ticket_type.id, email)
            answers[email] = response.status_code
            if response.status_code not in (302, 503):
                odd.append(f"{response.status_code}: {flash_texts(response.text)}")

    def cut_repeatedly():
        while not load_done.wait(0.4):
            count("backends terminated", terminate_backends(database_url))
            count("faults injected")

    cutter = threading.Thread(target=cut_repeatedly)
    cutter.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(load, range(6)))
    load_done.set()
    cutter.join()
    after = [assign(client, event.id, ticket_type.id, f"after{n}@example.org")
             .status_code for n, client in enumerate(clients)]

    for status in [*answers.values(), *after]:
        note_status(status, database_down=True)
    saved = {email for email, status in answers.items() if status == 302}
    stored = stored_emails(app)
    lost = saved - stored
    count("lost rows", len(lost))
    assert set(answers.values()) <= {302, 503}, (odd, live_server.log_text()[-3000:])
    assert lost == set()
    assert stored - {f"after{n}@example.org" for n in range(6)} <= set(answers)
    assert after == [302] * 6  # recovered, without restarting the app
    assert live_server.tracebacks() == 0


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    return Path(found[-1]).parent


class OwnPostgres:
    """A PostgreSQL server of this test's own, in a temporary directory."""

    def __init__(self):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="admitone-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / tool), *args],
                       check=True, capture_output=True, timeout=120, cwd=self.dir)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"),
                 "-w", "-o", options, "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"),
                        "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_postgres():
    if os.geteuid() != 0:
        pytest.skip("starting a PostgreSQL server as the postgres user needs root")
    server = OwnPostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def app_on_own_postgres(own_postgres):
    """The schema, an organizer and an event on the test's own server."""
    connection = psycopg2.connect(own_postgres.url("postgres"))
    connection.autocommit = True
    connection.cursor().execute("CREATE DATABASE admitone")
    connection.close()
    url = own_postgres.url("admitone")
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                      "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        organizer = create_user("organizer@example.org", PASSWORD)
        event = create_event(organizer, name="Restart Fest", venue="", timezone="UTC",
                             starts_at=datetime(2027, 1, 1),
                             ends_at=datetime(2027, 1, 2))
        ticket_type = create_ticket_type(event, "General", 100)
        db.session.commit()
        ids = (event.id, ticket_type.id)
        db.session.remove()
        db.engine.dispose()
    yield app, url, ids
    with app.app_context():
        db.engine.dispose()


def test_server_stopped_and_restarted(own_postgres, app_on_own_postgres, tmp_path):
    app, url, (event_id, type_id) = app_on_own_postgres
    server = start_gunicorn(url, tmp_path / "gunicorn.log", workers=2)
    try:
        client = LiveClient(server.url)
        client.login("organizer@example.org")
        before = [assign(client, event_id, type_id, f"before{n}@example.org")
                  .status_code for n in range(10)]

        own_postgres.stop()
        count("faults injected")
        paths = ("/", f"/events/{event_id}", f"/events/{event_id}/attendees")
        down = [client.get(client.url(path), timeout=30, allow_redirects=False)
                for path in paths]
        down.append(assign(client, event_id, type_id, "during@example.org"))
        sign_in_page = LiveClient(server.url).get(client.url("/login"), timeout=30)

        own_postgres.start()
        first_after = client.get(client.url(f"/events/{event_id}"), timeout=30)
        after = [assign(client, event_id, type_id, f"after{n}@example.org").status_code
                 for n in range(10)]
        tracebacks = server.tracebacks()
        log_text = server.log_text()
    finally:
        stop_gunicorn(server)

    for response in down:
        note_status(response.status_code, database_down=True)
    for status in [*before, first_after.status_code, *after]:
        note_status(status)
    expected = {f"before{n}@example.org" for n in range(10)} | \
        {f"after{n}@example.org" for n in range(10)}
    stored = stored_emails(app)
    count("lost rows", len(expected - stored))
    assert before == [302] * 10
    assert [response.status_code for response in down] == [503] * 4
    for response in down:
        assert PLAIN_503 in response.text and "Traceback" not in response.text
    assert sign_in_page.status_code == 200  # anonymous: the form needs no database
    assert first_after.status_code == 200, log_text[-3000:]  # no app restart needed
    assert after == [302] * 10
    assert stored == expected
    assert tracebacks == 0
