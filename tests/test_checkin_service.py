"""The scan service: every reason code, undo, idempotent retries, the index backstop."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from webapp.checkin import services
from webapp.checkin.tokens import find_desk_token
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEntry,
    CheckIn,
    Event,
    ScanResult,
    SetAsideHolder,
    Ticket,
    User,
)
from webapp.tickets.codes import format_code

from .checkin_fixtures import (  # noqa: F401
    DESK,
    active_check_ins,
    door,
    make_desk_token,
    scan_results,
    staff,
)


@pytest.fixture
def scan_as(app, staff):
    """Scan a code through the service as the staff member at the North door."""
    def scan(event, code, **kwargs):
        with app.app_context():
            kwargs.setdefault("user", db.session.get(User, staff.id))
            kwargs.setdefault("desk_name", DESK)
            return services.scan(db.session.get(Event, event.id), code, **kwargs)
    return scan


def test_holder_is_checked_in_with_name_type_scan_and_audit_row(app, door, scan_as):
    answer = scan_as(door.event, format_code(door.code(0)).lower())

    assert answer.result is ScanResult.CHECKED_IN
    assert (answer.holder_name, answer.ticket_type) == ("Ada Lovelace", "General")
    assert answer.detail == f"Ada Lovelace, General, ticket {format_code(door.code(0))}."
    assert active_check_ins(app, door.tickets[0].id) == 1
    assert scan_results(app) == ["checked_in"]
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.CHECKED_IN)).scalar_one()
        assert (entry.actor, entry.ticket_id) == ("staff@example.org", door.tickets[0].id)
        assert entry.details == {"check_in_id": answer.check_in_id, "desk_name": DESK}
        assert entry.summary == (f"Checked in Ada Lovelace with ticket "
                                 f"{format_code(door.code(0))} at desk {DESK}")


def test_second_scan_says_when_where_and_by_whom(app, door, scan_as):
    first = scan_as(door.event, door.code(0))

    again = scan_as(door.event, door.code(0), desk_name="South door")

    assert again.result is ScanResult.ALREADY_CHECKED_IN
    assert again.status == 409
    assert (again.desk_name, again.checked_in_by) == (DESK, "staff@example.org")
    assert again.check_in_id == first.check_in_id
    assert f"at desk {DESK} by staff@example.org" in again.detail
    assert active_check_ins(app) == 1
    assert scan_results(app) == ["checked_in", "already_checked_in"]


def test_unknown_and_malformed_codes(app, door, scan_as):
    answers = [scan_as(door.event, code) for code in ("ZZZZZZZZZZ", "", "x" * 500, "ä\u202e")]

    assert {answer.result for answer in answers} == {ScanResult.UNKNOWN_CODE}
    assert answers[0].detail.startswith("No ticket has the code ZZZZZ-ZZZZZ.")
    assert scan_results(app) == ["unknown_code"] * 4
    assert active_check_ins(app) == 0


def test_ticket_of_another_event(app, organizer, door, make_event, make_ticket_type,
                                 tickets_of, scan_as):
    other = make_event(organizer, "Other Conference")
    foreign = tickets_of(make_ticket_type(other, "VIP", 1))[0]

    answer = scan_as(door.event, foreign.code)

    assert answer.result is ScanResult.OTHER_EVENT
    assert (answer.status, answer.ticket_type, answer.holder_name) == (422, "", "")
    assert active_check_ins(app) == 0


def test_ticket_without_holder(app, door, scan_as):
    answer = scan_as(door.event, door.code(3))

    assert answer.result is ScanResult.NO_HOLDER
    assert answer.status == 409
    assert scan_results(app) == ["no_holder"]


def test_ticket_whose_holder_was_set_aside(app, door, scan_as):
    ticket = door.tickets[4]
    with app.app_context():
        db.session.execute(insert(SetAsideHolder).values(
            original_id=999, event_id=door.event.id, ticket_id=ticket.id,
            first_name="Set", last_name="Aside", email="aside@example.org",
            reason="The ticket already had an earlier holder."))
        db.session.commit()

    answer = scan_as(door.event, ticket.code)

    assert answer.result is ScanResult.SET_ASIDE
    assert "set aside" in answer.detail
    assert active_check_ins(app) == 0


def test_voided_ticket_admits_nobody(app, door, scan_as):
    with app.app_context():
        db.session.execute(update(Ticket).where(Ticket.id == door.tickets[0].id)
                           .values(voided_at=datetime.now(timezone.utc)))
        db.session.commit()

    answer = scan_as(door.event, door.code(0))

    assert answer.result is ScanResult.VOIDED
    assert active_check_ins(app) == 0


def test_undo_then_check_in_again_keeps_one_active_row(app, door, staff, scan_as):
    first = scan_as(door.event, door.code(0))
    with app.app_context():
        services.annul(db.session.get(Event, door.event.id), first.check_in_id,
                       user=db.session.get(User, staff.id), desk_name=DESK,
                       as_organizer=False)
        db.session.commit()
    assert active_check_ins(app) == 0

    second = scan_as(door.event, door.code(0))

    assert second.result is ScanResult.CHECKED_IN
    assert active_check_ins(app, door.tickets[0].id) == 1
    with app.app_context():
        rows = db.session.execute(select(CheckIn).order_by(CheckIn.id)).scalars().all()
        assert [row.annulled_by_id for row in rows] == [staff.id, None]
        assert db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)
                                  ).scalars().all()[-3:] == [
            AuditAction.CHECKED_IN, AuditAction.CHECK_IN_ANNULLED, AuditAction.CHECKED_IN]


def test_desk_undoes_only_its_own_last_check_in(app, door, staff, organizer, scan_as):
    older = scan_as(door.event, door.code(0))
    scan_as(door.event, door.code(1))

    def annul(check_in_id, user, as_organizer):
        with app.app_context():
            try:
                services.annul(db.session.get(Event, door.event.id), check_in_id,
                               user=db.session.get(User, user.id), desk_name=DESK,
                               as_organizer=as_organizer)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                return error.code
            return "annulled"

    assert annul(older.check_in_id, staff, as_organizer=False) == "not_last_check_in"
    assert annul(older.check_in_id, organizer, as_organizer=True) == "annulled"
    assert annul(older.check_in_id, organizer, as_organizer=True) == "already_annulled"
    assert annul(2**31 - 1, organizer, as_organizer=True) == "check_in_not_found"
    assert active_check_ins(app) == 1


def test_scan_needs_few_statements(app, dialect, door, staff, count_queries):
    with app.app_context():
        event, user = db.session.get(Event, door.event.id), db.session.get(User, staff.id)
        with count_queries() as statements:
            answer = services.scan(event, door.code(0), desk_name=DESK, user=user)

    assert answer.result is ScanResult.CHECKED_IN
    # On PostgreSQL the ticket's row lock (so a move or unassign of its
    # holder waits), then one read (ticket, holder, check-in, set-aside,
    # replay), then the three inserts: one statement on PostgreSQL, three
    # on SQLite, which runs one writer at a time and needs no lock.
    sent = [s.split()[0].upper() for s in statements if s.strip().upper() != "BEGIN"]
    if dialect == "postgresql":
        assert sent == ["SELECT", "SELECT", "WITH"], statements
        assert "FOR NO KEY UPDATE" in statements[-3].upper()
    else:
        assert sent == ["SELECT", "INSERT", "INSERT", "INSERT"], statements


def test_same_request_id_from_same_token_answers_first_answer_again(
        app, door, make_desk_token, scan_as):
    _token_id, token = make_desk_token(door.event)

    def scan_with(code, request_id):
        with app.app_context():
            return scan_as(door.event, code, user=None, desk_name="Scanner 1",
                           desk_token=find_desk_token(token), request_id=request_id)

    first = scan_with(door.code(0), "r-1")
    retried = scan_with(door.code(0), "r-1")
    other_code_same_id = scan_with(door.code(1), "r-1")
    unknown = scan_with("ZZZZZZZZZZ", "r-2")
    unknown_again = scan_with("ZZZZZZZZZZ", "r-2")

    assert retried.as_document() == first.as_document()
    assert retried.status == 201 and retried.replayed
    assert other_code_same_id.as_document() == first.as_document()
    assert unknown_again.as_document() == unknown.as_document()
    assert scan_results(app) == ["checked_in", "unknown_code"]
    assert active_check_ins(app) == 1


def test_active_index_refuses_second_check_in_when_orm_is_bypassed(app, door):
    row = {"event_id": door.event.id, "ticket_id": door.tickets[0].id, "holder_name": "A",
           "desk_name": DESK, "checked_in_at": datetime.now(timezone.utc)}
    with app.app_context():
        db.session.execute(insert(CheckIn).values(**row))
        with pytest.raises(IntegrityError):
            db.session.execute(insert(CheckIn).values(**row))
        db.session.rollback()


def test_race_past_the_check_answers_already_checked_in(app, dialect, door, staff,
                                                        scan_as, monkeypatch):
    """Another desk commits between our check and our insert: the index decides."""
    if dialect == "sqlite":
        pytest.skip("SQLite requests start with BEGIN IMMEDIATE, one writer at a time, "
                    "so no desk passes the check while another writes; "
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

    answer = scan_as(door.event, door.code(0))

    assert answer.result is ScanResult.ALREADY_CHECKED_IN
    assert answer.desk_name == "South door"
    assert active_check_ins(app) == 1
    assert scan_results(app) == ["already_checked_in"]
