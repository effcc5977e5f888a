"""Domain errors and the one place that turns database constraints into messages.

Services raise `DomainError` with a stable code; views flash it and put it on
a form field, the JSON API turns it into a JSON:API error object. When a
constraint fires in the database instead (a race, a double click, a writer
that skipped the forms), `conflict_from_integrity_error` recognises it by
the constraint's name and gives the same kind of error.
"""
import logging
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal an organizer or a desk can act on."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 status: int | None = None, title: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.title = title or code.replace("_", " ").capitalize()
        if status is not None:
            self.status = status

    def attach_to(self, form) -> None:
        """Show the message on the form field it concerns, if the form has it."""
        if form is not None and self.field and self.field in form:
            form[self.field].errors = [*form[self.field].errors, self.message]

    def as_jsonapi(self, pointer: str | None = None) -> dict:
        error = {
            "status": str(self.status),
            "code": self.code,
            "title": self.title,
            "detail": self.message,
        }
        pointer = pointer or (f"/data/attributes/{self.field}" if self.field else None)
        if pointer:
            error["source"] = {"pointer": pointer}
        return error


class Conflict(DomainError):
    status = 409


@dataclass(frozen=True)
class ConstraintMessage:
    code: str
    message: str
    field: str | None = None
    status: int = 409


# Adding a constraint? Add its line here and every form and API gets its message.
CONSTRAINT_MESSAGES: dict[str, ConstraintMessage] = {
    "uq_ticket_holders_ticket_id_event_id": ConstraintMessage(
        "ticket_taken",
        "Someone else was assigned this ticket a moment ago. "
        "Nothing was saved; pick another ticket.",
        "ticket_code",
    ),
    "fk_ticket_holders_ticket_id_event_id_tickets": ConstraintMessage(
        "ticket_not_in_event",
        "That ticket does not belong to this event (or was just removed). Nothing was saved.",
        "ticket_code",
    ),
    "fk_tickets_ticket_type_id_event_id_ticket_types": ConstraintMessage(
        "ticket_type_not_in_event",
        "That ticket type does not belong to this event (or was just removed). "
        "Nothing was saved.",
        "ticket_type",
    ),
    "uq_ticket_types_event_id_name": ConstraintMessage(
        "ticket_type_exists", "This event already has a ticket type with that name.", "name"
    ),
    "ck_ticket_types_capacity_range": ConstraintMessage(
        "capacity_out_of_range", "Capacity must be between 0 and 100,000.", "capacity", 422
    ),
    "uq_tickets_code": ConstraintMessage(
        "ticket_code_exists", "A ticket with that code already exists; please try again."
    ),
    "ck_events_ends_after_start": ConstraintMessage(
        "ends_before_start", "The event must end after it starts.", "ends_at", 422
    ),
    "uq_users_email": ConstraintMessage(
        "email_taken", "An account with this email already exists.", "email"
    ),
    "ck_users_lowercase_email": ConstraintMessage(
        "email_not_normalised", "Emails are stored in lower case.", "email", 422
    ),
    "ck_ticket_holders_lowercase_email": ConstraintMessage(
        "email_not_normalised", "Emails are stored in lower case.", "email", 422
    ),
    "uq_event_memberships_event_id_user_id": ConstraintMessage(
        "already_member", "That person already belongs to this event.", "email"
    ),
    "uq_check_ins_active_ticket": ConstraintMessage(
        "already_checked_in", "This ticket was checked in a moment ago at another desk.", "code"
    ),
    "uq_assign_submissions_token": ConstraintMessage(
        "already_submitted", "This form was already sent; nothing was assigned twice."
    ),
    "uq_scans_desk_token_id_request_id": ConstraintMessage(
        "duplicate_request", "This scan request was already received.", "request_id"
    ),
}

GENERIC_CONFLICT = ConstraintMessage(
    "conflict", "Someone changed the same data at the same moment. Nothing was saved; "
    "please check and send again."
)

# SQLite names the columns of a failed UNIQUE constraint but not the
# constraint, and names nothing for a foreign key; these fill the gap.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<name>\w+)")
_STATEMENT_TABLE = re.compile(
    r"^\s*(?P<verb>INSERT INTO|UPDATE|DELETE FROM)\s+\"?(?P<table>\w+)", re.I)
# The foreign key a failed insert or update of the table most likely broke.
SQLITE_FOREIGN_KEY_BY_TABLE = {
    "ticket_holders": "fk_ticket_holders_ticket_id_event_id_tickets",
    "tickets": "fk_tickets_ticket_type_id_event_id_ticket_types",
}
# A failed delete is another table's foreign key still pointing at the row.
SQLITE_FOREIGN_KEY_BY_DELETED_TABLE = {
    # Deleting a ticket that somebody was just assigned.
    "tickets": "fk_ticket_holders_ticket_id_event_id_tickets",
}


def _unique_names_by_columns(metadata) -> dict[tuple[str, frozenset], str]:
    names = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                columns = frozenset(f"{table.name}.{c.name}" for c in constraint.columns)
                names[(table.name, columns)] = constraint.name
        for index in table.indexes:
            if index.unique:
                columns = frozenset(f"{table.name}.{c.name}" for c in index.columns)
                names[(table.name, columns)] = index.name
    return names


def constraint_name(error: IntegrityError) -> str | None:
    """Return the name of the constraint that refused the statement, if known."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name  # PostgreSQL tells us directly

    text = str(error.orig)
    if match := _SQLITE_CHECK.search(text):
        return match.group("name")
    if match := _SQLITE_UNIQUE.search(text):
        from .extensions import db

        columns = frozenset(part.strip() for part in match.group("columns").split(","))
        table = next(iter(columns)).split(".")[0]
        return _unique_names_by_columns(db.metadata).get((table, columns))
    if "FOREIGN KEY constraint failed" in text and error.statement:
        if match := _STATEMENT_TABLE.match(error.statement):
            deleted = match.group("verb").upper().startswith("DELETE")
            by_table = (SQLITE_FOREIGN_KEY_BY_DELETED_TABLE if deleted
                        else SQLITE_FOREIGN_KEY_BY_TABLE)
            return by_table.get(match.group("table"))
    return None


def conflict_from_integrity_error(error: IntegrityError) -> DomainError:
    name = constraint_name(error)
    known = CONSTRAINT_MESSAGES.get(name, GENERIC_CONFLICT)
    if known is GENERIC_CONFLICT:
        log.warning("unmapped integrity error (constraint %s): %s", name, error.orig)
    error_class = Conflict if known.status == 409 else DomainError
    domain_error = error_class(known.code, known.message, field=known.field, status=known.status)
    domain_error.constraint = name
    return domain_error
