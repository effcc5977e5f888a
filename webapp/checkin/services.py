"""Checking tickets in at the door: one active entry per ticket, every scan recorded.

`scan` is the hot path of a busy door. It locks the ticket's row (on
PostgreSQL, so that moving or unassigning its holder waits or is waited
for), reads everything it needs in one query, then writes the check-in,
the scan and the audit row. Should two desks still race past the check
(SQLite's reads, a ticket code of another event), the partial unique
index uq_check_ins_active_ticket refuses the second, and that desk's
transaction is rolled back and scanned again, which now finds the first
check-in and answers "already checked in" with its details.
"""
import logging

from sqlalchemy import bindparam, exists, literal_column, null, select, true, update
from sqlalchemy.engine import Connection

from ..audit.trail import entry_values, record
from ..database import transaction
from ..errors import Conflict, DomainError
from ..extensions import db
from ..models import (
    AuditAction,
    CheckIn,
    DeskToken,
    Event,
    Scan,
    ScanResult,
    SetAsideHolder,
    Ticket,
    TicketHolder,
    TicketType,
    User,
    utcnow,
)
from ..tickets.codes import format_code, normalise_code
from ..times import clock_of
from . import writes
from .answers import ScanAnswer

log = logging.getLogger(__name__)

ACTIVE_CHECK_IN_INDEX = "uq_check_ins_active_ticket"
REQUEST_ID_CONSTRAINT = "uq_scans_desk_token_id_request_id"
MAX_RAW_CODE = 200
# A lost race is retried once; a third round means check-ins are being
# annulled and made again on this ticket faster than we can read them.
MAX_ATTEMPTS = 3


def _replay_query(desk_token_id, request_id):
    return select(Scan.id).where(Scan.desk_token_id == desk_token_id,
                                 Scan.request_id == request_id)


def _active_check_in(lateral: bool):
    """The ticket's active check-in and who made it, and how to join it."""
    check_in = (
        select(CheckIn.ticket_id, CheckIn.id.label("check_in_id"),
               CheckIn.checked_in_at, CheckIn.desk_name, CheckIn.holder_name,
               User.email.label("checked_in_by"))
        .outerjoin(User, User.id == CheckIn.user_id)
        .where(CheckIn.annulled_at.is_(None))
    )
    if not lateral:
        check_in = check_in.subquery("active_check_in")
        return check_in, check_in.c.ticket_id == Ticket.id
    # A prepared statement keeps the plan made for the table's last measured
    # size. Planned while no check-in was active, a join read every active
    # check-in on each scan as the door filled up; LATERAL ... LIMIT 1 can
    # only be run as one index probe per ticket.
    check_in = check_in.where(CheckIn.ticket_id == Ticket.id).limit(literal_column("1"))
    return check_in.lateral("active_check_in"), true()


def ticket_lookup(*extra_columns, lateral: bool = False):
    """One row with the ticket, its holder, its active check-in and set-aside mark.

    `lateral` (PostgreSQL only) reads the check-in with a LATERAL subquery.
    """
    check_in, check_in_of_ticket = _active_check_in(lateral)
    return (
        select(Ticket.id.label("ticket_id"), Ticket.event_id, Ticket.voided_at,
               TicketType.name.label("type_name"), TicketHolder.id.label("holder_id"),
               TicketHolder.first_name, TicketHolder.last_name,
               check_in.c.check_in_id, check_in.c.checked_in_at,
               check_in.c.desk_name, check_in.c.holder_name, check_in.c.checked_in_by,
               exists().where(SetAsideHolder.ticket_id == Ticket.id).label("set_aside"),
               *extra_columns)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
        .outerjoin(check_in, check_in_of_ticket)
        .where(Ticket.code == bindparam("code"))
    )


# A move or unassign locks the ticket before it reads the check-ins; the
# scan locks it before it reads the holder, so the two take turns on
# PostgreSQL and each reads what the other committed (a second statement,
# because a locked row's joined rows are not read again after the wait).
# NO KEY UPDATE: inserts that merely reference the ticket need not wait.
LOCK_TICKET = (select(Ticket.id).where(Ticket.code == bindparam("code"))
               .with_for_update(key_share=True))

# Built once: constructing this select cost more CPU per scan than running it.
LOOKUP = ticket_lookup(null().label("replay_id"))
LOOKUP_WITH_REPLAY = ticket_lookup(
    _replay_query(bindparam("desk_token_id"), bindparam("request_id"))
    .scalar_subquery().label("replay_id"))


def decide(event: Event, answer: ScanAnswer, row) -> ScanResult:
    """Fill the answer from the looked-up row and return the reason code."""
    answer.ticket_id = row.ticket_id
    if row.event_id != event.id:
        return ScanResult.OTHER_EVENT  # nothing about another event is shown
    answer.ticket_type = row.type_name
    if row.voided_at is not None:
        return ScanResult.VOIDED
    if row.check_in_id is not None:
        answer.check_in_id = row.check_in_id
        answer.holder_name = row.holder_name
        answer.checked_in_at = row.checked_in_at
        answer.desk_name = row.desk_name
        answer.checked_in_by = row.checked_in_by or ""
        return ScanResult.ALREADY_CHECKED_IN
    if row.holder_id is None:
        return ScanResult.SET_ASIDE if row.set_aside else ScanResult.NO_HOLDER
    answer.holder_name = f"{row.first_name} {row.last_name}".strip()
    return ScanResult.CHECKED_IN


def answer_for(event: Event, raw_code: str, code: str, row) -> ScanAnswer:
    """The answer to a scan from its looked-up row (None: no ticket has the code)."""
    answer = ScanAnswer(ScanResult.UNKNOWN_CODE, raw_code, code=code,
                        clock=clock_of(event))
    if row is not None:
        answer.result = decide(event, answer, row)
    return answer


def scan(event: Event, raw_code: str, *, desk_name: str, user: User | None = None,
         desk_token: DeskToken | None = None,
         request_id: str | None = None) -> ScanAnswer:
    """Check a scanned code in at a desk and record the scan, whatever its answer.

    Commits its own transactions: losing a race means rolling back and
    scanning again. With a desk token and request id, a request seen
    before gets its first answer back and writes nothing.
    """
    raw_code = raw_code[:MAX_RAW_CODE]
    request_id = request_id if desk_token is not None else None
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with transaction():
                answer = _scan_once(event, raw_code, desk_name=desk_name, user=user,
                                    desk_token=desk_token, request_id=request_id)
        except Conflict as error:
            constraint = getattr(error, "constraint", None)
            if constraint == REQUEST_ID_CONSTRAINT:
                return replay(event, desk_token, request_id)
            if constraint != ACTIVE_CHECK_IN_INDEX:
                raise
            log.info("scan of %s at desk %r lost a race; scanning again",
                     raw_code, desk_name)
            continue
        return answer
    raise busy_ticket()


def busy_ticket() -> Conflict:
    return Conflict("busy_ticket", "This ticket is being changed at another desk "
                    "right now. Scan it again.", field="code")


def _scan_once(event, raw_code, *, desk_name, user, desk_token,
               request_id) -> ScanAnswer:
    code = normalise_code(raw_code)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(LOCK_TICKET, {"code": code})
    if request_id is None:
        row = db.session.execute(LOOKUP, {"code": code}).first()
    else:
        row = db.session.execute(LOOKUP_WITH_REPLAY, {
            "code": code, "desk_token_id": desk_token.id, "request_id": request_id,
        }).first()
    replay_id = row.replay_id if row else None
    if row is None and request_id is not None:
        replay_id = db.session.execute(
            _replay_query(desk_token.id, request_id)).scalar()
    if replay_id is not None:
        return replay(event, desk_token, request_id)

    answer = answer_for(event, raw_code, code, row)
    record_scan(event, answer, desk_name=desk_name, user=user, desk_token=desk_token,
                request_id=request_id)
    return answer


def record_scan(event: Event, answer: ScanAnswer, *, desk_name: str,
                user: User | None = None, desk_token: DeskToken | None = None,
                request_id: str | None = None,
                connection: Connection | None = None) -> None:
    """Write the scan row, and for a check-in its row and audit row too.

    Writes in the session's transaction, or on `connection` when given.
    """
    now = utcnow()
    scan_values = {
        "event_id": event.id, "raw_code": answer.raw_code,
        "ticket_id": answer.ticket_id, "result": answer.result,
        "desk_name": desk_name, "user_id": user.id if user else None,
        "desk_token_id": desk_token.id if desk_token else None,
        "request_id": request_id, "scanned_at": now,
        # "Already checked in" names the check-in it ran into, so that a
        # retried request can be answered with the same details.
        "check_in_id": answer.check_in_id,
    }
    if not answer.ok:
        writes.insert_scan(scan_values, connection)
        return

    answer.checked_in_at = now
    answer.desk_name = desk_name
    answer.checked_in_by = user.email if user else ""
    check_in_values = {
        "event_id": event.id, "ticket_id": answer.ticket_id,
        "holder_name": answer.holder_name, "checked_in_at": now, "desk_name": desk_name,
        "user_id": scan_values["user_id"],
        "desk_token_id": scan_values["desk_token_id"],
    }
    audit_values = entry_values(
        event.id, AuditAction.CHECKED_IN,
        f"Checked in {answer.holder_name} with ticket {format_code(answer.code)} "
        f"at desk {desk_name}",
        user=user, actor=user.email if user else desk_name, ticket_id=answer.ticket_id,
        details={"desk_name": desk_name})
    answer.check_in_id = writes.insert_check_in(check_in_values, scan_values,
                                                audit_values, connection)


def replay(event: Event, desk_token: DeskToken, request_id: str) -> ScanAnswer:
    """Answer a retried request from the rows its first attempt wrote."""
    db.session.rollback()
    scan_row = db.session.execute(_replay_query(desk_token.id, request_id)
                                  .add_columns(Scan.raw_code, Scan.result,
                                               Scan.check_in_id, Scan.ticket_id)).one()
    _scan_id, raw_code, result, check_in_id, ticket_id = scan_row
    answer = ScanAnswer(result, raw_code, code=normalise_code(raw_code),
                        ticket_id=ticket_id, clock=clock_of(event), replayed=True)
    if result is ScanResult.OTHER_EVENT:
        return answer
    if ticket_id is not None:
        answer.ticket_type = db.session.execute(
            select(TicketType.name).join(Ticket, Ticket.ticket_type_id == TicketType.id)
            .where(Ticket.id == ticket_id)).scalar_one()
    if check_in_id is not None:
        check_in, email = db.session.execute(
            select(CheckIn, User.email).outerjoin(User, User.id == CheckIn.user_id)
            .where(CheckIn.id == check_in_id)).one()
        answer.check_in_id = check_in.id
        answer.holder_name = check_in.holder_name
        answer.checked_in_at = check_in.checked_in_at
        answer.desk_name = check_in.desk_name
        answer.checked_in_by = email or ""
    db.session.rollback()
    return answer


def last_check_in(event: Event, user: User, desk_name: str) -> CheckIn | None:
    """This desk's latest check-in, if it is still active (what Undo undoes)."""
    check_in = db.session.execute(
        select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.user_id == user.id,
                              CheckIn.desk_name == desk_name,
                              CheckIn.desk_token_id.is_(None))
        .order_by(CheckIn.id.desc()).limit(1)
    ).scalar_one_or_none()
    return check_in if check_in and check_in.annulled_at is None else None


def annul(event: Event, check_in_id: int, *, user: User, desk_name: str,
          as_organizer: bool) -> CheckIn:
    """Annul a check-in: a desk its own last one, an organizer any. Never deletes."""
    check_in = db.session.get(CheckIn, check_in_id)
    if check_in is None or check_in.event_id != event.id:
        raise DomainError("check_in_not_found",
                          "There is no such check-in in this event.", status=404)
    if not as_organizer:
        last = last_check_in(event, user, desk_name)
        if last is None or last.id != check_in.id:
            raise DomainError("not_last_check_in",
                              "A desk can only undo its own last check-in. "
                              "Ask an organizer to undo older ones.", status=403)

    annulled = db.session.execute(
        update(CheckIn).where(CheckIn.id == check_in.id, CheckIn.annulled_at.is_(None))
        .values(annulled_at=utcnow(), annulled_by_id=user.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if annulled == 0:
        raise Conflict("already_annulled", "This check-in was already undone.")
    record(event, AuditAction.CHECK_IN_ANNULLED,
           f"Annulled the check-in of {check_in.holder_name} "
           f"(desk {check_in.desk_name})",
           user=user, ticket_id=check_in.ticket_id,
           details={"check_in_id": check_in.id, "desk_name": desk_name})
    return check_in
