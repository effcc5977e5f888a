"""Fixtures shared by the whole suite.

Every test that uses `app` runs twice: once on SQLite, once on PostgreSQL.
The schema is built by the real migrations, once per database per run;
each test starts from empty tables.
"""
import re
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import text

from webapp import create_app
from webapp.attendees.services import assign_holder
from webapp.cli import create_user
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.models import Event, Ticket, TicketType, User
from webapp.tickets.services import create_ticket_type

from .databases import IN_CI, SKIP_NOTICES, fresh_database

DATABASES = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TEST_SECRET_KEY = "test-secret-key-not-for-production"


def pytest_terminal_summary(terminalreporter):
    for notice in SKIP_NOTICES:
        terminalreporter.write_line(f"NOTICE: {notice}", yellow=True, bold=True)


def pytest_report_header():
    return f"AdmitOne test databases: {', '.join(DATABASES)} (CI={IN_CI})"


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    })
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Give every test using the app empty tables, whatever the previous test left."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        empty_all_tables()
    yield


@pytest.fixture
def db_session(app):
    """An app context with the session, for tests that call services directly."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


class WebClient:
    """A Flask test client that signs in and sends forms with a valid CSRF token."""

    def __init__(self, client):
        self.client = client
        self.csrf_token = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def fetch_csrf_token(self, url: str = "/login") -> str:
        match = CSRF_INPUT.search(self.client.get(url).get_data(as_text=True))
        assert match, f"no CSRF token on {url}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def login(self, email: str, password: str = PASSWORD):
        self.fetch_csrf_token("/login")
        response = self.client.post("/login", data={
            "email": email, "password": password, "csrf_token": self.csrf_token})
        self.fetch_csrf_token("/")  # sign-in starts a new session, with a new token
        return response

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token)
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def make_user(app):
    def make(email: str = "organizer@example.org", password: str = PASSWORD,
             name: str = "") -> User:
        with app.app_context():
            user = create_user(email, password, name)
            db.session.refresh(user)
            db.session.expunge(user)
            return user
    return make


@pytest.fixture
def make_event(app):
    def make(organizer: User, name: str = "Test Conference", **values) -> Event:
        from datetime import datetime

        values.setdefault("venue", "Main Hall")
        values.setdefault("timezone", "Europe/Berlin")
        values.setdefault("starts_at", datetime(2027, 5, 1, 9, 0))
        values.setdefault("ends_at", datetime(2027, 5, 2, 18, 0))
        with app.app_context():
            event = create_event(db.session.merge(organizer), name=name, **values)
            db.session.commit()
            db.session.refresh(event)
            db.session.expunge(event)
            return event
    return make


@pytest.fixture
def make_ticket_type(app):
    def make(event: Event, name: str = "General", capacity: int = 5) -> TicketType:
        with app.app_context():
            ticket_type = create_ticket_type(db.session.merge(event), name, capacity)
            db.session.commit()
            db.session.refresh(ticket_type)
            db.session.expunge(ticket_type)
            return ticket_type
    return make


@pytest.fixture
def tickets_of(app):
    def tickets(ticket_type: TicketType) -> list[Ticket]:
        with app.app_context():
            rows = db.session.execute(
                db.select(Ticket).where(Ticket.ticket_type_id == ticket_type.id)
                .order_by(Ticket.id)
            ).scalars().all()
            db.session.expunge_all()
            return rows
    return tickets


@pytest.fixture
def make_holder(app):
    def make(event: Event, ticket: Ticket, first_name: str = "Ada",
             last_name: str = "Lovelace", email: str = "ada@example.org"):
        with app.app_context():
            holder = assign_holder(db.session.merge(event), db.session.merge(ticket),
                                   first_name, last_name, email)
            db.session.commit()
            db.session.refresh(holder)
            db.session.expunge(holder)
            return holder
    return make


@pytest.fixture
def client(app):
    return WebClient(app.test_client())


@pytest.fixture
def organizer(make_user):
    return make_user("organizer@example.org")


@pytest.fixture
def event(organizer, make_event):
    return make_event(organizer)


@pytest.fixture
def general(event, make_ticket_type):
    """A ticket type "General" with five free tickets."""
    return make_ticket_type(event, "General", 5)


@pytest.fixture
def signed_in(client, organizer):
    """A client signed in as the event's organizer."""
    response = client.login(organizer.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        # `event` in this module is the fixture, hence the longer name.
        sqlalchemy_event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sqlalchemy_event.remove(engine, "before_cursor_execute", before)
    return counting
