"""Fixtures for the door: an event with holders, staff, desk tokens, counts.

Import them into a test module with
`from .checkin_fixtures import door, staff, make_desk_token  # noqa: F401`.
"""
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from webapp.checkin.tokens import create_desk_token
from webapp.extensions import db
from webapp.models import CheckIn, Event, EventMembership, Role, Scan, Ticket, User

DESK = "North door"


@dataclass
class Door:
    event: Event
    tickets: list[Ticket]
    holders: list

    def code(self, index: int) -> str:
        return self.tickets[index].code


@pytest.fixture
def door(event, general, tickets_of, make_holder) -> Door:
    """The event's five General tickets; the first three have holders."""
    tickets = tickets_of(general)
    people = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing")]
    holders = [make_holder(event, ticket, first, last, f"{first.lower()}@example.org")
               for ticket, (first, last) in zip(tickets, people)]
    return Door(event, tickets, holders)


def add_member(app, event: Event, user: User, role: Role = Role.STAFF) -> None:
    with app.app_context():
        db.session.add(EventMembership(event_id=event.id, user_id=user.id, role=role))
        db.session.commit()


@pytest.fixture
def staff(app, make_user, event):
    """A check-in staff member of the event."""
    user = make_user("staff@example.org")
    add_member(app, event, user)
    return user


@pytest.fixture
def make_desk_token(app, organizer):
    def make(event: Event, desk_name: str = "Scanner 1") -> tuple[int, str]:
        with app.app_context():
            desk_token, token = create_desk_token(
                db.session.merge(event), desk_name, user=db.session.merge(organizer))
            db.session.commit()
            return desk_token.id, token
    return make


def active_check_ins(app, ticket_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(CheckIn).where(CheckIn.annulled_at.is_(None))
        if ticket_id is not None:
            query = query.where(CheckIn.ticket_id == ticket_id)
        return db.session.execute(query).scalar_one()


def scan_results(app) -> list[str]:
    with app.app_context():
        return [result.value for result in db.session.execute(
            select(Scan.result).order_by(Scan.id)).scalars()]


@pytest.fixture
def second_client(app):
    """Another browser, for a second person at the same time."""
    from .conftest import WebClient

    return WebClient(app.test_client())
