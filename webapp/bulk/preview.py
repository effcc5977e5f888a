"""The dry run: classify every row of a batch in a fixed number of queries.

The same classification runs for the preview and again inside the commit's
transaction, so the page never trusts a status the browser sends back; it
only compares the fresh result with a digest of what the organizer saw.
"""
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, Ticket, TicketHolder, TicketType
from ..models.base import TitledEnum
from ..models.holder import EMAIL_LENGTH, NAME_LENGTH
from ..tickets.codes import format_code, is_code, normalise_code
from .parsing import FIELD_TITLES, RawRow

TICKET_TEXT_LENGTH = 100


class RowStatus(TitledEnum):
    """What committing the batch would do with one row."""

    ASSIGN = "assign", "Will be assigned"
    UNCHANGED = "unchanged", "Unchanged"
    DUPLICATE_EMAIL = "duplicate_email", "Same email twice"
    INVALID = "invalid", "Missing or invalid fields"
    UNKNOWN_TICKET = "unknown_ticket", "Unknown code or type"
    OTHER_EVENT = "other_event", "Ticket of another event"
    VOIDED = "voided", "Ticket voided"
    DUPLICATE_TICKET = "duplicate_ticket", "Same ticket twice"
    TICKET_HELD = "ticket_held", "Held by someone else"
    SOLD_OUT = "sold_out", "No free ticket left"

    @property
    def kind(self) -> str:
        """ok, warning or error: how the page colours the row."""
        if self in (RowStatus.ASSIGN, RowStatus.UNCHANGED):
            return "ok"
        return "warning" if self is RowStatus.DUPLICATE_EMAIL else "error"


@dataclass
class RowResult:
    number: int
    row: RawRow
    status: RowStatus = RowStatus.ASSIGN
    message: str = ""
    ticket_id: int | None = None
    ticket_code: str = ""
    type_id: int | None = None
    type_name: str = ""
    by_code: bool = False

    def reject(self, status: RowStatus, message: str) -> None:
        self.status, self.message = status, message

    @property
    def digest_key(self) -> list:
        # A row by type may get another free ticket of the type at commit;
        # that is not a change the organizer needs to review again.
        target = self.ticket_id if self.by_code else self.type_id
        return [*self.row.values(), self.status.value, target]


@dataclass
class Preview:
    results: list[RowResult]
    accept_duplicate_emails: bool = False
    blank_lines: int = 0
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self):
        self.counts = Counter(result.status for result in self.results)

    @property
    def to_assign(self) -> list[RowResult]:
        return [r for r in self.results if r.status is RowStatus.ASSIGN]

    @property
    def problems(self) -> list[RowResult]:
        return [r for r in self.results if r.status.kind != "ok"]

    @property
    def digest(self) -> str:
        payload = [self.accept_duplicate_emails, *(r.digest_key for r in self.results)]
        encoded = json.dumps(payload, separators=(",", ":")).encode()
        return hashlib.sha256(encoded).hexdigest()


def normalised(row: RawRow) -> RawRow:
    return RawRow(row.ticket.strip(), row.first_name.strip(), row.last_name.strip(),
                  row.email.strip().lower())


def field_problems(row: RawRow) -> list[str]:
    """The messages for missing or invalid fields, as the single form words them."""
    problems = []
    limits = {"ticket": TICKET_TEXT_LENGTH, "first_name": NAME_LENGTH,
              "last_name": NAME_LENGTH, "email": EMAIL_LENGTH}
    for name, value in zip(limits, row.values()):
        title = FIELD_TITLES[name]
        if "\x00" in value:
            problems.append(f"{title} must not contain NUL characters.")
        elif not value:
            problems.append(f"{title} is missing.")
        elif len(value) > limits[name]:
            problems.append(f"{title} is longer than {limits[name]} characters.")
    if row.email and not any(p.startswith("Email") for p in problems):
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(f"Email {row.email} is not valid; write it like "
                            "name@example.org.")
    return problems


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
            result.ticket_id, result.ticket_code = ticket["id"], ticket["code"]
            if ticket["event_id"] != event.id:
                result.reject(RowStatus.OTHER_EVENT, f"Ticket {format_code(ticket['code'])}"
                              " belongs to another event.")
                continue
            result.type_id, result.type_name = ticket["ticket_type_id"], ticket["type_name"]
            if ticket["voided_at"] is not None:
                result.reject(RowStatus.VOIDED, f"Ticket {format_code(ticket['code'])} "
                              "is voided and admits nobody.")
        elif text.casefold() in types:
            result.type_id, result.type_name = types[text.casefold()]
        elif is_code(text):
            result.reject(RowStatus.UNKNOWN_TICKET, f"No ticket has the code {text}.")
        else:
            names = ", ".join(name for _id, name in types.values()) or "none yet"
            result.reject(RowStatus.UNKNOWN_TICKET, f"“{text}” is neither a ticket code "
                          f"nor a ticket type of this event (types: {names}).")


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
            result.reject(RowStatus.DUPLICATE_TICKET, f"Ticket {format_code(result.ticket_code)}"
                          f" is also on row {others} of this batch.")


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
            result.reject(RowStatus.UNCHANGED, f"Already holds ticket {code}; no change.")
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
    free = _free_tickets(event, {r.type_id for r in by_type}, len(by_type) + len(reserved))
    for result in by_type:
        person = (result.type_id, result.row.email, result.row.first_name,
                  result.row.last_name)
        if held[person]:
            code = held[person].pop(0)
            result.ticket_code = code
            result.reject(RowStatus.UNCHANGED, f"Already holds ticket {format_code(code)} "
                          f"({result.type_name}); no change.")
            continue
        pool = free[result.type_id]
        while pool and pool[0][0] in reserved:
            pool.pop(0)
        if not pool:
            result.reject(RowStatus.SOLD_OUT, f"No free {result.type_name} ticket is left "
                          "for this row (rows above in this batch count too). Raise the "
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
        .where(TicketHolder.event_id == event.id, TicketHolder.email.in_(sorted(emails)))
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
                result.reject(RowStatus.DUPLICATE_EMAIL, f"{result.row.email} is also on "
                              f"row {others}. Tick “Accept repeated emails” if one person "
                              "should get several tickets.")
