"""Ticket types with their capacity, and the list of individual tickets."""
import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from ..database import database_id, transaction
from ..errors import DomainError
from ..events.access import load_event
from ..extensions import db
from ..models import Event, Ticket, TicketHolder, TicketType
from ..pages import render_form, render_rejected
from ..web import checks_csrf_in_form
from . import services
from .codes import normalise_code
from .forms import TicketTypeForm

bp = Blueprint("tickets", __name__, url_prefix="/events/<int:event_id>")
log = logging.getLogger(__name__)


def load_ticket_type(event: Event, ticket_type_id: int) -> TicketType:
    ticket_type = db.session.get(TicketType, ticket_type_id)
    if ticket_type is None or ticket_type.event_id != event.id:
        abort(404)
    return ticket_type


@bp.route("/ticket-types/new", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def create_type(event_id: int):
    """Add a ticket type and its tickets."""
    event = load_event(event_id)
    form = TicketTypeForm(event=event)
    if not form.validate_on_submit():
        return render_form("tickets/type_form.html", form, event=event, ticket_type=None)

    try:
        with transaction():
            ticket_type = services.create_ticket_type(event, form.name.data, form.capacity.data)
    except DomainError as error:
        return render_rejected("tickets/type_form.html", form, error, event=event,
                               ticket_type=None)

    log.info("ticket type %s created in event %s", ticket_type.id, event.id)
    flash(f"Ticket type “{ticket_type.name}” created with {ticket_type.capacity} tickets.",
          "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/ticket-types/<int:ticket_type_id>/edit", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def edit_type(event_id: int, ticket_type_id: int):
    """Rename a ticket type or change its capacity."""
    event = load_event(event_id)
    ticket_type = load_ticket_type(event, ticket_type_id)
    form = TicketTypeForm(obj=ticket_type, event=event, ticket_type=ticket_type)
    if not form.validate_on_submit():
        return render_form("tickets/type_form.html", form, event=event, ticket_type=ticket_type)

    try:
        with transaction():
            services.update_ticket_type(ticket_type, form.name.data, form.capacity.data)
    except DomainError as error:
        return render_rejected("tickets/type_form.html", form, error, event=event,
                               ticket_type=ticket_type)

    flash(f"Ticket type “{ticket_type.name}” saved.", "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.get("/tickets")
@login_required
def index(event_id: int):
    """List tickets, free or held, filtered by type and code."""
    event = load_event(event_id)
    status = request.args.get("status", "all")
    type_id = request.args.get("type", type=database_id)
    code = normalise_code(request.args.get("code", ""))[:16]
    page = max(1, min(request.args.get("page", 1, type=int), 100_000))
    per_page = current_app.config["ATTENDEES_PER_PAGE"]

    query = (select(Ticket, TicketType.name, TicketHolder)
             .join(TicketType, TicketType.id == Ticket.ticket_type_id)
             .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
             .where(Ticket.event_id == event.id))
    if status == "free":
        query = query.where(TicketHolder.id.is_(None))
    elif status == "held":
        query = query.where(TicketHolder.id.is_not(None))
    if type_id:
        query = query.where(Ticket.ticket_type_id == type_id)
    if code:
        query = query.where(Ticket.code.startswith(code, autoescape=True))

    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(TicketType.name, Ticket.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    types = db.session.execute(
        select(TicketType).where(TicketType.event_id == event.id).order_by(TicketType.name)
    ).scalars().all()
    return render_template(
        "tickets/index.html", event=event, rows=rows, total=total, page=page,
        pages=max(1, -(-total // per_page)), status=status, type_id=type_id, code=code,
        types=types,
    )
