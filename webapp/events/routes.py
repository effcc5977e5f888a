"""Organizers' events: list, create, edit, overview."""
import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..database import transaction
from ..errors import DomainError
from ..pages import render_form, render_rejected
from ..web import checks_csrf_in_form
from . import services
from .access import load_event
from .forms import EventForm

bp = Blueprint("events", __name__)
log = logging.getLogger(__name__)


def event_values(form: EventForm) -> dict:
    return {name: form[name].data for name in services.EVENT_FIELDS}


@bp.get("/")
@login_required
def index():
    """List the events the user organizes or staffs."""
    return render_template("events/index.html", events=services.events_of(current_user))


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def create():
    """Create an event; its creator becomes its organizer."""
    form = EventForm()
    if not form.validate_on_submit():
        return render_form("events/form.html", form, event=None)

    try:
        with transaction():
            event = services.create_event(current_user, **event_values(form))
    except DomainError as error:
        return render_rejected("events/form.html", form, error, event=None)

    log.info("event %s created by user %s", event.id, current_user.id)
    flash(f"Event “{event.name}” created. Add ticket types next.", "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.get("/events/<int:event_id>")
@login_required
def show(event_id: int):
    """Show an event's overview with counts per ticket type."""
    event = load_event(event_id)
    counts = services.counts_by_type(event)
    return render_template("events/show.html", event=event, counts=counts)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def edit(event_id: int):
    """Edit an event's name, venue, time zone and dates."""
    event = load_event(event_id)
    form = EventForm(obj=event)
    if not form.validate_on_submit():
        return render_form("events/form.html", form, event=event)

    try:
        with transaction():
            services.update_event(event, **event_values(form))
    except DomainError as error:
        return render_rejected("events/form.html", form, error, event=event)

    flash("Event saved.", "success")
    return redirect(url_for("events.show", event_id=event.id))
