"""Committing a batch: one transaction that writes every assignable row, or nothing."""
import logging
from dataclasses import dataclass

from sqlalchemy import insert

from ..audit.trail import record
from ..database import transaction
from ..errors import Conflict
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


@dataclass
class BatchResult:
    assigned: int
    unchanged: int
    rejected: int


def commit_batch(event: Event, rows: list[RawRow], *, previewed_digest: str,
                 accept_duplicate_emails: bool = False) -> BatchResult:
    """Assign every row the preview said would be assigned, all in one transaction.

    The rows are classified again inside the transaction; if the result
    differs from what the organizer saw, nothing is written. A ticket taken
    between that check and the insert makes the unique constraint fire,
    which `transaction()` turns into a Conflict, and nothing is written.
    """
    with transaction():
        preview = classify(event, rows, accept_duplicate_emails=accept_duplicate_emails)
        if preview.digest != previewed_digest:
            raise PreviewOutdated(preview)
        to_assign = preview.to_assign
        if to_assign:
            insert_holders(event, to_assign)
        result = BatchResult(
            assigned=len(to_assign),
            unchanged=preview.counts[RowStatus.UNCHANGED],
            rejected=len(preview.results) - len(to_assign)
            - preview.counts[RowStatus.UNCHANGED],
        )
        if to_assign:
            # A batch that changes nothing leaves no trace, so uploading the
            # same file again really changes nothing.
            record(event, AuditAction.BULK_IMPORTED,
                   f"Bulk assignment: {result.assigned} assigned, {result.unchanged} "
                   f"unchanged, {result.rejected} rejected",
                   details={"assigned": result.assigned, "unchanged": result.unchanged,
                            "rejected": result.rejected, "rows": len(rows)})

    log.info("bulk batch in event %s: %s assigned, %s unchanged, %s rejected",
             event.id, result.assigned, result.unchanged, result.rejected)
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
