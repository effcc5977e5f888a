"""The migrations, up and down, on a database of each test's own.

The revision that brings the one-holder rule must keep every holder row:
the earliest holder of a ticket stays, the others and any holder of
another event's ticket move to set_aside_holders, and the downgrade puts
them all back as they were.
"""
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from webapp import create_app
from webapp.extensions import db

from .conftest import DATABASES, TEST_SECRET_KEY
from .databases import fresh_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

WITHOUT_RULE = "3b1f0c2a9d10"
WITH_RULE = "7c4e2d8b5a21"
OTHER_EVENT = "The ticket belongs to another event."

holders = sa.table(
    "ticket_holders",
    sa.column("id", sa.Integer), sa.column("event_id", sa.Integer),
    sa.column("ticket_id", sa.Integer), sa.column("first_name", sa.String),
    sa.column("last_name", sa.String), sa.column("email", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
set_aside = sa.table(
    "set_aside_holders",
    sa.column("original_id", sa.Integer), sa.column("event_id", sa.Integer),
    sa.column("ticket_id", sa.Integer), sa.column("first_name", sa.String),
    sa.column("last_name", sa.String), sa.column("email", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("reason", sa.Text), sa.column("set_aside_at", sa.DateTime(timezone=True)),
)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 2, hour, minute, tzinfo=timezone.utc)


# Events 1 and 2; tickets 1-4 belong to event 1, ticket 5 to event 2.
PLANTED = [
    # Ticket 1: three holders; row 11 came first although its id is higher.
    (10, 1, 1, "Ada", "Lovelace", "ada@example.org", at(10), at(10)),
    (11, 1, 1, "Alan", "Turing", "alan@example.org", at(9), at(12)),
    (12, 1, 1, "Grace", "Hopper", "grace@example.org", at(11), at(11)),
    # Ticket 2: two holders at the same instant; the lower id stays.
    (20, 1, 2, "Edsger", "Dijkstra", "edsger@example.org", at(9), at(9)),
    (21, 1, 2, "Barbara", "Liskov", "barbara@example.org", at(9), at(9)),
    # Event 1 holder of event 2's ticket 5.
    (30, 1, 5, "Donald", "Knuth", "donald@example.org", at(8), at(8)),
    # Ticket 3: row 32 is earliest but from event 2, so both rules apply
    # to it; the same-event row 33 keeps the ticket.
    (32, 2, 3, "Frances", "Allen", "frances@example.org", at(7), at(7)),
    (33, 1, 3, "John", "Backus", "john@example.org", at(13), at(13, 30)),
    # Clean rows.
    (40, 1, 4, "Hedy", "Lamarr", "hedy@example.org", at(9), at(9)),
    (50, 2, 5, "Katherine", "Johnson", "katherine@example.org", at(9), at(9)),
]
KEPT = {11, 20, 33, 40, 50}
SET_ASIDE = {
    10: "The ticket already had an earlier holder (row 11), who kept it.",
    12: "The ticket already had an earlier holder (row 11), who kept it.",
    21: "The ticket already had an earlier holder (row 20), who kept it.",
    30: OTHER_EVENT,
    32: OTHER_EVENT,
}


@pytest.fixture(params=DATABASES)
def fresh_app(request, tmp_path):
    """An app bound to an empty database that only this test uses."""
    with fresh_database(request.param, tmp_path, label="migrate") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                          "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def plant_accounts_events_and_tickets(connection) -> None:
    def insert(table: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        connection.execute(
            sa.text(f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})"), rows)

    created = at(6)
    insert("events", [
        {"id": event_id, "name": f"Event {event_id}", "venue": "", "timezone": "UTC",
         "starts_at": datetime(2027, 1, 1, 9), "ends_at": datetime(2027, 1, 1, 18),
         "created_at": created}
        for event_id in (1, 2)])
    insert("ticket_types", [
        {"id": type_id, "event_id": type_id, "name": "General", "capacity": capacity,
         "created_at": created}
        for type_id, capacity in ((1, 4), (2, 1))])
    insert("tickets", [
        {"id": ticket_id, "event_id": 1 if ticket_id < 5 else 2,
         "ticket_type_id": 1 if ticket_id < 5 else 2, "code": f"CODE{ticket_id:06d}",
         "created_at": created}
        for ticket_id in range(1, 6)])


def plant_holders(connection, rows: list[tuple]) -> None:
    names = [column.name for column in holders.c]
    connection.execute(holders.insert(), [dict(zip(names, row)) for row in rows])


def holder_rows(connection, table=holders) -> dict[int, tuple]:
    id_column = table.c.id if table is holders else table.c.original_id
    columns = [id_column, *(table.c[name] for name in (
        "event_id", "ticket_id", "first_name", "last_name", "email",
        "created_at", "updated_at"))]
    rows = connection.execute(sa.select(*columns).order_by(id_column)).all()
    return {row[0]: tuple(row) for row in rows}


def test_rule_keeps_earliest_holder_and_sets_aside_the_rest(fresh_app, capsys):
    upgrade(revision=WITHOUT_RULE)
    with db.engine.begin() as connection:
        plant_accounts_events_and_tickets(connection)
        plant_holders(connection, PLANTED)
    with db.engine.connect() as connection:
        planted = holder_rows(connection)
    capsys.readouterr()

    upgrade(revision=WITH_RULE)

    assert ("Set aside 5 ticket holder row(s) that broke the one-holder rule "
            "(2 from another event); see the set_aside_holders table."
            in capsys.readouterr().out)
    with db.engine.connect() as connection:
        kept = holder_rows(connection)
        moved = holder_rows(connection, set_aside)
        reasons = dict(connection.execute(
            sa.select(set_aside.c.original_id, set_aside.c.reason)).all())
        undated = connection.execute(
            sa.select(sa.func.count()).select_from(set_aside)
            .where(set_aside.c.set_aside_at.is_(None))).scalar()
    assert set(kept) == KEPT
    assert reasons == SET_ASIDE
    assert undated == 0
    assert len(kept) + len(moved) == len(PLANTED)
    assert {**kept, **moved} == planted  # every value survived the move


def test_rule_refuses_new_duplicates_and_cross_event_holders(fresh_app):
    upgrade(revision=WITHOUT_RULE)
    with db.engine.begin() as connection:
        plant_accounts_events_and_tickets(connection)
        plant_holders(connection, [PLANTED[-2]])
    upgrade(revision=WITH_RULE)

    def insert_holder(holder_id: int, event_id: int, ticket_id: int):
        with db.engine.begin() as connection:
            connection.execute(holders.insert().values(
                id=holder_id, event_id=event_id, ticket_id=ticket_id, first_name="Eve",
                last_name="Second", email="eve@example.org", created_at=at(14),
                updated_at=at(14)))

    with pytest.raises(IntegrityError, match="uq_ticket_holders_ticket_id|UNIQUE"):
        insert_holder(60, 1, 4)  # ticket 4 is held by row 40
    with pytest.raises(IntegrityError, match="fk_ticket_holders|FOREIGN KEY"):
        insert_holder(61, 2, 1)  # ticket 1 belongs to event 1
    insert_holder(62, 1, 1)  # a free ticket of the holder's own event is fine


def test_downgrade_puts_every_set_aside_row_back(fresh_app, capsys):
    upgrade(revision=WITHOUT_RULE)
    with db.engine.begin() as connection:
        plant_accounts_events_and_tickets(connection)
        plant_holders(connection, PLANTED)
    with db.engine.connect() as connection:
        planted = holder_rows(connection)
    upgrade(revision=WITH_RULE)
    capsys.readouterr()

    downgrade(revision=WITHOUT_RULE)

    assert "Put 5 set-aside ticket holder row(s) back." in capsys.readouterr().out
    with db.engine.connect() as connection:
        assert holder_rows(connection) == planted
        assert "set_aside_holders" not in sa.inspect(connection).get_table_names()


def test_upgrade_downgrade_to_base_and_upgrade_again(fresh_app):
    upgrade()
    downgrade(revision="base")

    with db.engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}

    upgrade()
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        head = connection.execute(
            sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert tables == set(db.metadata.tables) | {"alembic_version"}
    assert head == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_models_match_the_migrations(fresh_app):
    upgrade()

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []
