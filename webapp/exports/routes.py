"""CSV exports of an event's attendees and check-ins, for its organizers."""
import logging

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..events.access import load_event
from ..extensions import db
from ..models import CheckIn, Event, Ticket, TicketHolder, TicketType, User
from ..tickets.codes import format_code
from ..times import event_iso
from .csv_rows import csv_chunks

bp = Blueprint("exports", __name__, url_prefix="/events/<int:event_id>/exports")
log = logging.getLogger(__name__)

#: Rows fetched from the database at a time while the file streams out.
FETCH_SIZE = 1000
# Times are ISO 8601 in the event's time zone, with its offset, so a
# spreadsheet shows the venue's clock and software can still compare them.
ATTENDEE_HEADER = ["First name", "Last name", "Email", "Ticket type", "Ticket code",
                   "Checked in", "Checked in at"]
CHECK_IN_HEADER = ["Checked in at", "Ticket code", "Ticket type", "Holder",
                   "Desk", "Staff", "Annulled at"]


def csv_response(event: Event, kind: str, header: list[str], rows) -> Response:
    filename = f"event-{event.id}-{kind}.csv"
    log.info("user %s exported %s of event %s", current_user.id, kind, event.id)
    return Response(
        stream_with_context(csv_chunks(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def attendee_rows(event: Event):
    query = (
        select(TicketHolder.first_name, TicketHolder.last_name, TicketHolder.email,
               TicketType.name, Ticket.code, CheckIn.checked_in_at)
        .join(Ticket, Ticket.id == TicketHolder.ticket_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(CheckIn, (CheckIn.ticket_id == Ticket.id)
                   & CheckIn.annulled_at.is_(None))
        .where(TicketHolder.event_id == event.id)
        .order_by(TicketHolder.last_name, TicketHolder.first_name, TicketHolder.id)
        .execution_options(yield_per=FETCH_SIZE)
    )
    for first, last, email, type_name, code, checked_in_at in db.session.execute(query):
        yield (first, last, email, type_name, format_code(code),
               "yes" if checked_in_at else "no", event_iso(checked_in_at, event))


def check_in_rows(event: Event):
    staff = aliased(User)
    query = (
        select(CheckIn.checked_in_at, Ticket.code, TicketType.name, CheckIn.holder_name,
               CheckIn.desk_name, staff.email, CheckIn.annulled_at)
        .join(Ticket, Ticket.id == CheckIn.ticket_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(staff, staff.id == CheckIn.user_id)
        .where(CheckIn.event_id == event.id)
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .execution_options(yield_per=FETCH_SIZE)
    )
    for at, code, type_name, holder, desk, email, annulled in db.session.execute(query):
        yield (event_iso(at, event), format_code(code), type_name, holder, desk,
               email or "", event_iso(annulled, event))


@bp.get("/attendees.csv")
@login_required
def attendees(event_id: int):
    """Download the attendees with ticket type, code and check-in status."""
    event = load_event(event_id)
    return csv_response(event, "attendees", ATTENDEE_HEADER, attendee_rows(event))


@bp.get("/check-ins.csv")
@login_required
def check_ins(event_id: int):
    """Download every check-in, annulled ones included."""
    event = load_event(event_id)
    return csv_response(event, "check-ins", CHECK_IN_HEADER, check_in_rows(event))
