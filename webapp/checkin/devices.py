"""Scans from scanner devices, which sign in with a desk token on every request.

The door's busiest path (bench/scan_bench.py). On PostgreSQL a scan reads
the desk token with the ticket in one prepared statement on a connection in
autocommit mode. An answer that admits nobody is written at once. An
"admit" is confirmed under the ticket's row lock in a short transaction,
like `services.scan`, so that it cannot race a move or unassign of the
holder; the partial unique index still decides a race between desks.
SQLite reads the token first, then scans through `services.scan`.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import bindparam, select, true
from sqlalchemy.exc import IntegrityError

from ..database import PreparedStatement
from ..errors import DomainError, conflict_from_integrity_error, constraint_name
from ..extensions import db
from ..models import DeskToken, Event, Scan, ScanResult, TicketHolder
from ..tickets.codes import normalise_code
from . import services
from .answers import ScanAnswer
from .tokens import hash_token

log = logging.getLogger(__name__)

# Tokens are "ao_" and 43 characters; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 200

TOKEN_COLUMNS = (DeskToken.id.label("desk_token_id"),
                 DeskToken.desk_name.label("token_desk_name"), DeskToken.revoked_at,
                 DeskToken.event_id.label("token_event_id"), Event.timezone)


def _token_lookup(*extra_columns):
    return (select(*TOKEN_COLUMNS, *extra_columns)
            .join_from(DeskToken, Event, Event.id == DeskToken.event_id)
            .where(DeskToken.token_hash == bindparam("token_hash")))


def _token_and_ticket_lookup():
    """The token's row, with the scanned ticket's and an earlier same request's."""
    ticket = services.ticket_lookup(lateral=True).subquery("ticket")
    replay_id = select(Scan.id).where(
        Scan.desk_token_id == DeskToken.id,
        Scan.request_id == bindparam("request_id", type_=Scan.request_id.type),
    ).scalar_subquery()
    return (_token_lookup(replay_id.label("replay_id"), *ticket.c)
            .outerjoin(ticket, true()))


TOKEN_LOOKUP = _token_lookup()
TOKEN_AND_TICKET_LOOKUP = PreparedStatement("admitone_device_scan_lookup",
                                            _token_and_ticket_lookup())


@dataclass(frozen=True)
class Desk:
    """The token's desk; `services.replay` and `record_scan` read its id."""

    id: int
    desk_name: str


@dataclass(frozen=True)
class EventRef:
    """The little of the token's event that a scan needs."""

    id: int
    timezone: str


class DeskTokenRefused(DomainError):
    """The token is missing, unknown, revoked, or for another event."""


def authenticate(token: str, event_id: int) -> tuple[Desk, EventRef]:
    """Return the token's desk and event, or raise DeskTokenRefused."""
    row = None
    if len(token) <= MAX_TOKEN_LENGTH:
        row = db.session.execute(TOKEN_LOOKUP,
                                 {"token_hash": hash_token(token)}).first()
    return accepted_desk(row, event_id)


def accepted_desk(row, event_id: int) -> tuple[Desk, EventRef]:
    """Check a looked-up token row: 401 unknown, 403 revoked, 404 other event."""
    if row is None:
        raise DeskTokenRefused("token_invalid", "This desk token is not valid.",
                               status=401)
    if row.revoked_at is not None:
        raise DeskTokenRefused("token_revoked", "This desk token was revoked by an "
                               "organizer. Ask for a new one.", status=403)
    if row.token_event_id != event_id:
        raise DeskTokenRefused("not_found", "There is no such event for this desk "
                               "token.", status=404)
    return (Desk(row.desk_token_id, row.token_desk_name),
            EventRef(row.token_event_id, row.timezone))


HOLDER_OF_TICKET = select(TicketHolder.id).where(
    TicketHolder.ticket_id == bindparam("ticket_id"))


def check_in_under_lock(event: EventRef, desk: Desk, raw_code: str, code: str,
                        request_id: str | None, answer: ScanAnswer,
                        holder_id: int) -> ScanAnswer:
    """Confirm an unlocked "admit" under the ticket's lock, then write it.

    A move or unassign of the holder locks the same ticket row; reading the
    holder again after the lock sees what such a change committed meanwhile,
    so a check-in never lands on a ticket whose holder just left it. Only
    when the holder changed is the whole lookup run again.
    """
    with db.engine.begin() as connection:
        connection.execute(services.LOCK_TICKET, {"code": code})
        holder_now = connection.execute(
            HOLDER_OF_TICKET, {"ticket_id": answer.ticket_id}).scalar()
        if holder_now != holder_id:
            row = connection.execute(services.LOOKUP, {"code": code}).first()
            answer = services.answer_for(event, raw_code, code, row)
        services.record_scan(event, answer, desk_name=desk.desk_name, desk_token=desk,
                             request_id=request_id, connection=connection)
    return answer


def scan(token: str, event_id: int, raw_code: str,
         request_id: str | None) -> ScanAnswer:
    """Check a code in for the token's desk; a repeated request id replays."""
    if db.engine.dialect.name != "postgresql" or len(token) > MAX_TOKEN_LENGTH:
        desk, event = authenticate(token, event_id)
        return services.scan(event, raw_code, desk_name=desk.desk_name,
                             desk_token=desk, request_id=request_id)

    raw_code = raw_code[:services.MAX_RAW_CODE]
    values = {"token_hash": hash_token(token), "code": normalise_code(raw_code),
              "request_id": request_id}
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        for _attempt in range(services.MAX_ATTEMPTS):
            row = TOKEN_AND_TICKET_LOOKUP.run(connection, values).first()
            desk, event = accepted_desk(row, event_id)
            if row.replay_id is not None:
                return services.replay(event, desk, request_id)

            ticket_row = row if row.ticket_id is not None else None
            answer = services.answer_for(event, raw_code, values["code"], ticket_row)
            try:
                if answer.result is ScanResult.CHECKED_IN:
                    answer = check_in_under_lock(event, desk, raw_code, values["code"],
                                                 request_id, answer, row.holder_id)
                else:
                    services.record_scan(event, answer, desk_name=desk.desk_name,
                                         desk_token=desk, request_id=request_id,
                                         connection=connection)
            except IntegrityError as error:
                constraint = constraint_name(error)
                if constraint == services.REQUEST_ID_CONSTRAINT:
                    return services.replay(event, desk, request_id)
                if constraint != services.ACTIVE_CHECK_IN_INDEX:
                    raise conflict_from_integrity_error(error) from error
                log.info("scan of %s at desk %r lost a race; scanning again",
                         raw_code, desk.desk_name)
                continue
            return answer
    raise services.busy_ticket()
