"""Printable tickets: the code as a QR code and in text, as the desk reads it."""
from functools import lru_cache

import segno
from flask import Blueprint, abort, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from ..events.access import is_organizer, load_event
from ..extensions import db
from ..models import Event, Role, Ticket, TicketHolder, TicketType

bp = Blueprint("printing", __name__, url_prefix="/events/<int:event_id>/print")

TICKETS_PER_PAGE = 100


@lru_cache(maxsize=4096)
def qr_data_uri(code: str) -> str:
    """An SVG data URI of the code; the desk takes the code as the scanner types it."""
    return segno.make_qr(code, error="m").svg_data_uri(scale=5, border=2)


def holder_rows(event: Event):
    return (select(TicketHolder, Ticket, TicketType.name)
            .join(Ticket, Ticket.id == TicketHolder.ticket_id)
            .join(TicketType, TicketType.id == Ticket.ticket_type_id)
            .where(TicketHolder.event_id == event.id))


@bp.get("/holders/<int:holder_id>")
@login_required
def ticket(event_id: int, holder_id: int):
    """Print one holder's ticket (the desk may reprint a lost one).

    Open to the event's staff on purpose: the desk's search links here, and
    it already shows staff every holder's name, email and code, so walking
    holder ids reveals nothing more. Other events' holders stay 404.
    """
    event = load_event(event_id, role=Role.STAFF)
    row = db.session.execute(
        holder_rows(event).where(TicketHolder.id == holder_id)).first()
    if row is None:
        abort(404)
    role = Role.ORGANIZER if is_organizer(event) else Role.STAFF
    return render_template("checkin/print.html", event=event, rows=[row],
                           qr=qr_data_uri, page=1, pages=1, event_role=role)


@bp.get("/holders")
@login_required
def all_tickets(event_id: int):
    """Print every holder's ticket, a hundred per page, sorted by name."""
    event = load_event(event_id)
    total = db.session.execute(
        select(func.count()).select_from(TicketHolder)
        .where(TicketHolder.event_id == event.id)).scalar_one()
    pages = max(1, -(-total // TICKETS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = db.session.execute(
        holder_rows(event).order_by(TicketHolder.last_name, TicketHolder.first_name,
                                    TicketHolder.id)
        .limit(TICKETS_PER_PAGE).offset((page - 1) * TICKETS_PER_PAGE)).all()
    return render_template("checkin/print.html", event=event, rows=rows, qr=qr_data_uri,
                           page=page, pages=pages, total=total)
