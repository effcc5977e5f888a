"""A batch row's outcome: its status, message and the ticket it would get."""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from ..models.base import TitledEnum
from ..models.holder import EMAIL_LENGTH, NAME_LENGTH
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
