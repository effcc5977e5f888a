"""A database that goes away: plain 503 pages, never a traceback, then recovery."""
import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import OperationalError

from webapp import create_app
from webapp.extensions import db

from .conftest import TEST_SECRET_KEY, WebClient
from .figures import count, note_status
from .live import free_port

PLAIN_503 = "The database is not reachable right now. Please try again in a moment."


@pytest.fixture
def unreachable_app(tmp_path):
    """The app pointed at a PostgreSQL port where nothing listens."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI":
            f"postgresql://postgres@127.0.0.1:{free_port()}/gone",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "connect_args": {"connect_timeout": 2}},
    })
    yield app
    with app.app_context():
        db.engine.dispose()


def assert_plain_503(response) -> None:
    note_status(response.status_code, database_down=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert PLAIN_503 in page
    assert "Traceback" not in page and "psycopg2" not in page
    assert response.headers["Retry-After"] == "5"


def test_signed_in_pages_answer_503_while_loading_the_user(app, signed_in, event,
                                                           unreachable_app):
    """The session is valid, but the user cannot be loaded: 503, not 500."""
    stranded = unreachable_app.test_client()
    stranded.set_cookie("session", signed_in.get_cookie("session").value)
    count("faults injected")

    for path in ("/", f"/events/{event.id}", f"/events/{event.id}/attendees",
                 "/no-such-page", f"/events/{event.id}/exports/attendees.csv"):
        assert_plain_503(stranded.get(path))


def test_sign_in_answers_503_and_the_form_page_still_shows(unreachable_app):
    client = WebClient(unreachable_app.test_client())
    count("faults injected")

    form_page = client.get("/login")
    client.fetch_csrf_token("/login")
    response = client.post("/login", data={"email": "ada@example.org", "password": "x",
                                           "csrf_token": client.csrf_token})

    assert form_page.status_code == 200
    assert_plain_503(response)


def test_json_clients_get_a_json_503(signed_in, unreachable_app):
    stranded = unreachable_app.test_client()
    stranded.set_cookie("session", signed_in.get_cookie("session").value)

    response = stranded.get("/", headers={"Accept": "application/json"})

    note_status(response.status_code, database_down=True)
    assert response.status_code == 503
    assert response.get_json() == {"errors": [{
        "status": "503", "title": "Database unavailable", "detail": PLAIN_503}]}


@pytest.fixture
def failing_statements(app):
    """Make statements that match a text fail as a dropped connection would."""
    matches: list[str] = []

    def fail(conn, cursor, statement, parameters, context, executemany):
        if any(text in statement for text in matches):
            lost = Exception("server closed the connection unexpectedly")
            raise OperationalError(statement, parameters, lost)

    with app.app_context():
        engine = db.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", fail)
    yield matches
    sqlalchemy_event.remove(engine, "before_cursor_execute", fail)


def test_failure_while_rendering_a_template_is_a_503(app, signed_in, event, general,
                                                     tickets_of, make_holder,
                                                     failing_statements):
    holder = make_holder(event, tickets_of(general)[0])
    # The edit page loads the ticket type lazily, from inside the template.
    failing_statements.append("FROM ticket_types")
    count("faults injected")

    broken = signed_in.get(f"/events/{event.id}/attendees/{holder.id}")
    failing_statements.clear()
    recovered = signed_in.get(f"/events/{event.id}/attendees/{holder.id}")

    assert_plain_503(broken)
    assert recovered.status_code == 200
    assert "Lovelace" in recovered.get_data(as_text=True)


def test_failure_while_saving_is_a_503_and_saves_nothing(app, signed_in, event, general,
                                                        tickets_of, make_holder,
                                                        failing_statements):
    holder = make_holder(event, tickets_of(general)[0])
    failing_statements.append("INSERT INTO audit_entries")
    count("faults injected")

    response = signed_in.post_form(f"/events/{event.id}/attendees/{holder.id}", {
        "first_name": "Ada", "last_name": "King", "email": "ada@example.org"})

    assert_plain_503(response)
    with app.app_context():
        from webapp.models import TicketHolder

        assert db.session.get(TicketHolder, holder.id).last_name == "Lovelace"
