"""Committing a batch: one transaction that writes every assignable row, or nothing."""
import logging
from dataclasses import dataclass

from sqlalchemy import insert

from ..audit.trail import record
from ..database import transaction
from ..errors import Conflict, DomainError
from ..extensions import db
from ..models import AuditAction, Event, TicketHolder, utcnow
from .parsing import MAX_ROWS, RawRow
from .preview import Preview, RowStatus, classify

log = logging.getLogger(__name__)


class PreviewOutdated(Conflict):
    """The rows or the tickets changed since the organizer's preview."""

    def __init__(self, preview: Preview):
        super().__init__(
            "preview_outdated", "The rows or the tickets changed since your preview. "
            "Nothing was saved; check the rows below and assign again.")
        self.preview = preview


class RowsWithProblems(DomainError):
    """Rows have problems and the organizer did not opt in to leaving them out."""

    def __init__(self, preview: Preview):
        count = len(preview.problems)
        rows = f"{count} row{'s' if count != 1 else ''}"
        super().__init__(
            "rows_with_problems", f"{rows} {'have' if count != 1 else 'has'} "
            "problems, so nothing was saved: a batch is assigned whole or not at "
            "all. Fix or remove those rows below, download them as CSV, or tick "
            f"“Leave out the {rows} with problems” to assign only the others.",
            field="leave_out_problems", status=422)
        self.preview = preview


@dataclass
class BatchResult:
    assigned: int
    unchanged: int
    left_out: int


def commit_batch(event: Event, rows: list[RawRow], *, previewed_digest: str,
                 accept_duplicate_emails: bool = False,
                 leave_out_problems: bool = False) -> BatchResult:
    """Assign every row of the batch in one transaction, or nothing.

    The rows are classified again inside the transaction; if the result
    differs from what the organizer saw, nothing is written. Rows with
    problems refuse the whole batch unless the organizer explicitly chose
    to leave them out (`leave_out_problems`). A ticket taken
    between that check and the insert makes the unique constraint fire,
    which `transaction()` turns into a Conflict, and nothing is written.
    """
    with transaction():
        preview = classify(event, rows, accept_duplicate_emails=accept_duplicate_emails)
        if preview.digest != previewed_digest:
            raise PreviewOutdated(preview)
        if preview.problems and not leave_out_problems:
            raise RowsWithProblems(preview)
        to_assign = preview.to_assign
        if to_assign:
            insert_holders(event, to_assign)
        result = BatchResult(
            assigned=len(to_assign),
            unchanged=preview.counts[RowStatus.UNCHANGED],
            left_out=len(preview.results) - len(to_assign)
            - preview.counts[RowStatus.UNCHANGED],
        )
        if to_assign:
            # A batch that changes nothing leaves no trace, so uploading the
            # same file again really changes nothing.
            record(event, AuditAction.BULK_IMPORTED,
                   f"Bulk assignment: {result.assigned} assigned, {result.unchanged} "
                   f"unchanged, {result.left_out} with problems left out",
                   details={"assigned": result.assigned, "unchanged": result.unchanged,
                            "left_out": result.left_out, "rows": len(rows)})

    log.info("bulk batch in event %s: %s assigned, %s unchanged, %s left out",
             event.id, result.assigned, result.unchanged, result.left_out)
    return result


def insert_holders(event: Event, results) -> None:
    """Insert all holders with one statement, whatever the batch size."""
    now = utcnow()
    # Two batches that overlap insert their shared tickets in the same order,
    # so on PostgreSQL the later one waits and then fails on the unique
    # constraint instead of both deadlocking.
    values = [
        {"event_id": event.id, "ticket_id": r.ticket_id, "first_name": r.row.first_name,
         "last_name": r.row.last_name, "email": r.row.email, "created_at": now,
         "updated_at": now}
        for r in sorted(results, key=lambda result: result.ticket_id)
    ]
    # SQLAlchemy sends psycopg2 executemany batches of 1,000 rows by default;
    # one page for the whole batch keeps the statement count fixed.
    statement = insert(TicketHolder.__table__).execution_options(
        insertmanyvalues_page_size=MAX_ROWS)
    db.session.connection().execute(statement, values)
