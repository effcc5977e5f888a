"""`flask create-user` and `flask demo`."""
import pytest
from sqlalchemy import func, select

from webapp.demo import DEMO_EMAIL, DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import Event, Ticket, TicketHolder, TicketType, User
from webapp.tickets.codes import is_code

from .conftest import PASSWORD


@pytest.fixture
def runner(app, monkeypatch):
    monkeypatch.delenv("ADMITONE_PASSWORD", raising=False)
    return app.test_cli_runner()


def stored_user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar()
        if user is not None:
            db.session.expunge(user)
        return user


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_user_reads_password_from_environment(app, runner):
    result = runner.invoke(
        args=["create-user", " Door@Example.ORG ", "--name", "Door Lead"],
        env={"ADMITONE_PASSWORD": "a long secret"})

    assert result.exit_code == 0, result.output
    user = stored_user(app, "door@example.org")
    assert result.output == f"Created user door@example.org (id {user.id}).\n"
    assert user.name == "Door Lead"
    assert user.check_password("a long secret")
    assert user.password_hash != "a long secret"


def test_create_user_prompts_twice_for_password(app, runner):
    result = runner.invoke(args=["create-user", "prompt@example.org"],
                           input="typed secret\ntyped secret\n")

    assert result.exit_code == 0, result.output
    assert "Password: \nRepeat for confirmation: \n" in result.output
    assert stored_user(app, "prompt@example.org").check_password("typed secret")


def test_create_user_refuses_existing_email(app, runner, organizer):
    result = runner.invoke(args=["create-user", "ORGANIZER@example.org"],
                           env={"ADMITONE_PASSWORD": "another secret"})

    assert result.exit_code == 1
    assert result.output == (
        "Error: An account for ORGANIZER@example.org already exists.\n")
    assert count(app, User) == 1
    assert stored_user(app, "organizer@example.org").check_password(PASSWORD)


def test_create_user_refuses_short_password(app, runner):
    result = runner.invoke(args=["create-user", "short@example.org"],
                           env={"ADMITONE_PASSWORD": "seven77"})

    assert result.exit_code == 1
    assert result.output == "Error: The password must have at least 8 characters.\n"
    assert stored_user(app, "short@example.org") is None


def test_demo_loads_a_realistic_event_once(app, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert first.output == ("Loaded demo event “PyCon Demo 2027”.\n"
                            f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\n")
    assert second.output == ("Demo data is already loaded.\n"
                             f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\n")
    assert (count(app, Event), count(app, TicketType)) == (1, 4)
    assert count(app, Ticket) == 3000
    assert count(app, TicketHolder) == 2460  # most tickets are held
    with app.app_context():
        holders = db.session.execute(select(TicketHolder)).scalars().all()
        codes = db.session.execute(select(Ticket.code)).scalars().all()
    assert len({holder.email for holder in holders}) == 2460
    assert all(holder.email == holder.email.lower() for holder in holders)
    assert len({holder.last_name for holder in holders}) > 500  # names from Faker
    assert len(set(codes)) == 3000 and all(is_code(code) for code in codes)
    assert stored_user(app, DEMO_EMAIL).check_password(DEMO_PASSWORD)
