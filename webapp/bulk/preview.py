"""The dry run: classify every row of a batch in a fixed number of queries.

The same classification runs for the preview and again inside the commit's
transaction, so the page never trusts a status the browser sends back; it
only compares the fresh result with a digest of what the organizer saw.
"""
from collections import defaultdict

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, Ticket, TicketHolder, TicketType
from ..tickets.codes import format_code, is_code, normalise_code
from .parsing import RawRow
from .results import Preview, RowResult, RowStatus, field_problems, normalised

__all__ = ["Preview", "RowResult", "RowStatus", "classify"]


def classify(event: Event, raw_rows: list[RawRow], *, accept_duplicate_emails=False,
             blank_lines: int = 0) -> Preview:
    """Say for every row what committing would do; at most four queries."""
    results = [RowResult(number, normalised(row)) for number, row in
               enumerate(raw_rows, start=1)]
    for result in results:
        if problems := field_problems(result.row):
            result.reject(RowStatus.INVALID, " ".join(problems))
    valid = [r for r in results if r.status is RowStatus.ASSIGN]

    types = _types_by_name(event)
    tickets = _tickets_by_code({normalise_code(r.row.ticket) for r in valid
                                if is_code(r.row.ticket)})
    _resolve_tickets(event, valid, types, tickets)
    _mark_duplicate_tickets(valid)
    reserved = _check_code_rows(valid, tickets)
    _assign_type_rows(event, valid, reserved)
    _mark_duplicate_emails(results, accept_duplicate_emails)
    return Preview(results, accept_duplicate_emails, blank_lines)


def _types_by_name(event: Event) -> dict[str, tuple[int, str]]:
    rows = db.session.execute(
        select(TicketType.id, TicketType.name).where(TicketType.event_id == event.id)
    ).all()
    return {name.casefold(): (type_id, name) for type_id, name in rows}


def _tickets_by_code(codes: set[str]) -> dict[str, dict]:
    if not codes:
        return {}
    rows = db.session.execute(
        select(Ticket.id, Ticket.code, Ticket.event_id, Ticket.ticket_type_id,
               Ticket.voided_at, TicketType.name.label("type_name"),
               TicketHolder.first_name, TicketHolder.last_name, TicketHolder.email)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
        .where(Ticket.code.in_(sorted(codes)))
    ).mappings().all()
    return {row["code"]: dict(row) for row in rows}


def _resolve_tickets(event, results, types, tickets) -> None:
    for result in results:
        text = result.row.ticket
        ticket = tickets.get(normalise_code(text)) if is_code(text) else None
        if ticket is not None:
            result.by_code = True
            shown = format_code(ticket["code"])
            result.ticket_id, result.ticket_code = ticket["id"], ticket["code"]
            if ticket["event_id"] != event.id:
                result.reject(RowStatus.OTHER_EVENT,
                              f"Ticket {shown} belongs to another event.")
                continue
            result.type_id = ticket["ticket_type_id"]
            result.type_name = ticket["type_name"]
            if ticket["voided_at"] is not None:
                result.reject(RowStatus.VOIDED,
                              f"Ticket {shown} is voided and admits nobody.")
        elif text.casefold() in types:
            result.type_id, result.type_name = types[text.casefold()]
        elif is_code(text):
            result.reject(RowStatus.UNKNOWN_TICKET, f"No ticket has the code {text}.")
        else:
            names = ", ".join(name for _id, name in types.values()) or "none yet"
            result.reject(RowStatus.UNKNOWN_TICKET,
                          f"“{text}” is neither a ticket code nor a ticket type "
                          f"of this event (types: {names}).")


def _mark_duplicate_tickets(results) -> None:
    rows_by_ticket = defaultdict(list)
    for result in results:
        if result.by_code and result.status is RowStatus.ASSIGN:
            rows_by_ticket[result.ticket_id].append(result)
    for same in rows_by_ticket.values():
        if len(same) < 2:
            continue
        for result in same:
            others = ", ".join(str(o.number) for o in same if o is not result)
            shown = format_code(result.ticket_code)
            result.reject(RowStatus.DUPLICATE_TICKET,
                          f"Ticket {shown} is also on row {others} of this batch.")


def _check_code_rows(results, tickets) -> set[int]:
    """Mark rows whose ticket is held; return the tickets the batch takes by code."""
    for result in results:
        if not result.by_code or result.status is not RowStatus.ASSIGN:
            continue
        ticket = tickets[result.ticket_code]
        code = format_code(result.ticket_code)
        if ticket["email"] is None:
            result.message = f"Will get ticket {code} ({result.type_name})."
        elif (ticket["first_name"], ticket["last_name"], ticket["email"]) == \
                (result.row.first_name, result.row.last_name, result.row.email):
            result.reject(RowStatus.UNCHANGED,
                          f"Already holds ticket {code}; no change.")
        else:
            result.reject(RowStatus.TICKET_HELD, f"Ticket {code} is already held by "
                          f"{ticket['first_name']} {ticket['last_name']} "
                          f"({ticket['email']}).")
    # Rows by type must not take a ticket the batch names by code, even a
    # row that is refused for now: fixing it should not change other rows.
    return {result.ticket_id for result in results if result.by_code}


def _assign_type_rows(event, results, reserved: set[int]) -> None:
    """Give each row by type a free ticket, in row order, or say none is left."""
    by_type = [r for r in results if not r.by_code and r.status is RowStatus.ASSIGN]
    if not by_type:
        return
    # A holding that a row by code already matched cannot match a second row.
    claimed = {r.ticket_code for r in results if r.status is RowStatus.UNCHANGED}
    held = _held_by_person(event, {r.row.email for r in by_type}, claimed)
    free = _free_tickets(event, {r.type_id for r in by_type},
                         len(by_type) + len(reserved))
    for result in by_type:
        person = (result.type_id, result.row.email, result.row.first_name,
                  result.row.last_name)
        if held[person]:
            code = held[person].pop(0)
            result.ticket_code = code
            result.reject(RowStatus.UNCHANGED,
                          f"Already holds ticket {format_code(code)} "
                          f"({result.type_name}); no change.")
            continue
        pool = free[result.type_id]
        while pool and pool[0][0] in reserved:
            pool.pop(0)
        if not pool:
            result.reject(RowStatus.SOLD_OUT,
                          f"No free {result.type_name} ticket is left for this row "
                          "(rows above in this batch count too). Raise the "
                          "capacity or choose another type.")
            continue
        result.ticket_id, result.ticket_code = pool.pop(0)
        reserved.add(result.ticket_id)
        result.message = (f"Will get ticket {format_code(result.ticket_code)} "
                          f"({result.type_name}).")


def _held_by_person(event, emails: set[str], claimed: set[str]) -> defaultdict:
    rows = db.session.execute(
        select(Ticket.ticket_type_id, TicketHolder.email, TicketHolder.first_name,
               TicketHolder.last_name, Ticket.code)
        .join(Ticket, Ticket.id == TicketHolder.ticket_id)
        .where(TicketHolder.event_id == event.id,
               TicketHolder.email.in_(sorted(emails)))
        .order_by(Ticket.id)
    ).all()
    held = defaultdict(list)
    for type_id, email, first_name, last_name, code in rows:
        if code not in claimed:
            held[(type_id, email, first_name, last_name)].append(code)
    return held


def _free_tickets(event, type_ids: set[int], per_type: int) -> defaultdict:
    """The first `per_type` free tickets of each type, lowest id first."""
    ranked = (
        select(Ticket.id, Ticket.code, Ticket.ticket_type_id,
               func.row_number().over(partition_by=Ticket.ticket_type_id,
                                      order_by=Ticket.id).label("rank"))
        .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
        .where(Ticket.event_id == event.id, Ticket.ticket_type_id.in_(sorted(type_ids)),
               Ticket.voided_at.is_(None), TicketHolder.id.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.code, ranked.c.ticket_type_id)
        .where(ranked.c.rank <= per_type).order_by(ranked.c.id)
    ).all()
    free = defaultdict(list)
    for ticket_id, code, type_id in rows:
        free[type_id].append((ticket_id, code))
    return free


def _mark_duplicate_emails(results, accepted: bool) -> None:
    rows_by_email = defaultdict(list)
    for result in results:
        if result.status is not RowStatus.INVALID:
            rows_by_email[result.row.email].append(result)
    for same in rows_by_email.values():
        if len(same) < 2:
            continue
        for result in same:
            if result.status is not RowStatus.ASSIGN:
                continue
            others = ", ".join(str(o.number) for o in same if o is not result)
            if accepted:
                result.message += f" Same email as row {others} (accepted)."
            else:
                result.reject(RowStatus.DUPLICATE_EMAIL,
                              f"{result.row.email} is also on row {others}. Tick "
                              "“Accept repeated emails” if one person should get "
                              "several tickets.")
