"""Organizers assign attendees to tickets, edit, move and unassign them."""
import logging

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask import render_template
from flask_login import login_required
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ..database import transaction
from ..errors import DomainError
from ..events.access import load_event
from ..extensions import db
from ..models import Event, TicketHolder
from ..pages import render_form, render_rejected
from ..tickets.codes import format_code
from ..web import checks_csrf_in_form
from . import services, submissions
from .forms import AssignForm, HolderDetailsForm, MoveForm
from .listing import SORTS, attendee_page

bp = Blueprint("attendees", __name__, url_prefix="/events/<int:event_id>/attendees")
log = logging.getLogger(__name__)


def load_holder(event: Event, holder_id: int) -> TicketHolder:
    holder = db.session.get(TicketHolder, holder_id)
    if holder is None or holder.event_id != event.id:
        abort(404)
    return holder


def holder_context(event: Event, holder: TicketHolder) -> dict:
    """What the holder page shows: the event, the holder, and their check-in."""
    found = services.active_check_in(holder.ticket_id)
    return {"event": event, "holder": holder,
            "check_in": found[0] if found else None,
            "checked_in_by": found[1] if found else None}


def details_of(form) -> dict:
    return {name: form[name].data for name in services.DETAIL_FIELDS}


@bp.get("")
@login_required
def index(event_id: int):
    """List the event's attendees: search, sort, paginate."""
    event = load_event(event_id)
    search = request.args.get("q", "")
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    page = attendee_page(event, search=search, sort=sort,
                         page=request.args.get("page", 1, type=int),
                         per_page=current_app.config["ATTENDEES_PER_PAGE"])
    return render_template("attendees/index.html", event=event, listing=page,
                           search=search, sort=sort)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def assign(event_id: int):
    """Assign an attendee to a ticket code, or to the next free ticket of a type."""
    event = load_event(event_id)
    form = AssignForm(event=event)
    if request.method == "GET":
        form.submission.data = submissions.new_token()
        form.ticket_code.data = request.args.get("ticket", "")[:40]
    token = (form.submission.data or "")[:64]
    if request.method == "POST" and sent_before(event, form, token):
        return replay_assignment(event, token)
    if not form.validate_on_submit():
        # A resend racing the first send can find the first holder's email
        # taken; once the first send is saved, answer with it instead.
        if request.method == "POST" and sent_before(event, form, token):
            return replay_assignment(event, token)
        return render_form("attendees/assign.html", form, event=event)

    try:
        with transaction():
            submission = submissions.claim(event, token)
            ticket = form.ticket or services.next_free_ticket(event, form.ticket_type.data)
            holder = services.assign_holder(event, ticket, **details_of(form))
            if submission is not None:
                submission.holder_id = holder.id
    except DomainError as error:
        if getattr(error, "constraint", None) == submissions.TOKEN_CONSTRAINT:
            return replay_assignment(event, token)
        return render_rejected("attendees/assign.html", form, error, event=event)

    log.info("holder %s assigned to ticket %s in event %s", holder.id, ticket.id, event.id)
    flash(f"{holder.full_name} now holds ticket {format_code(ticket.code)}.", "success")
    return redirect(url_for("attendees.index", event_id=event.id))


def sent_before(event: Event, form: AssignForm, token: str) -> bool:
    """Whether this very form (same token, valid CSRF) was already saved."""
    if not token:
        return False
    try:
        validate_csrf(form.csrf_token.data)
    except ValidationError:
        return False  # the form's own validation says so, with the input kept
    return submissions.earlier_submission(event, token) is not None


def replay_assignment(event: Event, token: str):
    """Answer a resent assign form with its first result; assign nothing."""
    db.session.rollback()
    submission = submissions.earlier_submission(event, token)
    holder = submissions.holder_of(submission) if submission else None
    log.info("assign form %s sent again in event %s", token[:8], event.id)
    if holder is None:
        flash("This form was already sent; nothing was assigned again.", "warning")
        return redirect(url_for("attendees.index", event_id=event.id))
    flash(f"{holder.full_name} already holds ticket {format_code(holder.ticket.code)}: "
          "this form was sent twice, and nothing was assigned again.", "warning")
    return redirect(url_for("attendees.edit", event_id=event.id, holder_id=holder.id))


@bp.route("/<int:holder_id>", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def edit(event_id: int, holder_id: int):
    """Show a holder and edit their name and email."""
    event = load_event(event_id)
    holder = load_holder(event, holder_id)
    form = HolderDetailsForm(obj=holder, event=event, holder=holder)
    move_form = MoveForm(formdata=None, prefix="move", event=event, holder=holder)
    context = {**holder_context(event, holder), "move_form": move_form}
    if not form.validate_on_submit():
        return render_form("attendees/edit.html", form, **context)

    try:
        with transaction():
            services.update_holder(holder, **details_of(form))
    except DomainError as error:
        return render_rejected("attendees/edit.html", form, error, **context)

    flash(f"{holder.full_name} saved.", "success")
    return redirect(url_for("attendees.edit", event_id=event.id, holder_id=holder.id))


@bp.post("/<int:holder_id>/move")
@login_required
@checks_csrf_in_form
def move(event_id: int, holder_id: int):
    """Move a holder to another ticket of the same event."""
    event = load_event(event_id)
    holder = load_holder(event, holder_id)
    move_form = MoveForm(prefix="move", event=event, holder=holder)
    form = HolderDetailsForm(formdata=None, obj=holder, event=event, holder=holder)
    context = {**holder_context(event, holder), "form": form}
    if not move_form.validate():
        flash("The attendee was not moved; see the message below.", "error")
        return render_template("attendees/edit.html", move_form=move_form, **context), \
            move_form.error_status

    try:
        with transaction():
            ticket = move_form.ticket or services.next_free_ticket(
                event, move_form.ticket_type.data)
            services.move_holder(holder, ticket)
    except DomainError as error:
        if db.session.get(TicketHolder, holder_id) is None:
            raise  # unassigned meanwhile: no holder page to show
        error.field = "ticket_code" if error.field else None
        error.attach_to(move_form)
        flash(error.message, "error")
        return render_template("attendees/edit.html", move_form=move_form, **context), \
            error.status

    flash(f"{holder.full_name} now holds ticket {format_code(ticket.code)}.", "success")
    return redirect(url_for("attendees.edit", event_id=event.id, holder_id=holder.id))


@bp.post("/<int:holder_id>/unassign")
@login_required
def unassign(event_id: int, holder_id: int):
    """Free a holder's ticket; the audit trail keeps who held it."""
    event = load_event(event_id)
    holder = load_holder(event, holder_id)
    name, code = holder.full_name, format_code(holder.ticket.code)
    try:
        with transaction():
            services.unassign_holder(holder)
    except DomainError as error:
        if error.code != "holder_checked_in":
            raise  # the error page says what happened; there is no holder to show
        flash(f"{name} was not unassigned: {error.message}", "error")
        forms = {"event": event, "holder": holder, "formdata": None}
        return render_template(
            "attendees/edit.html", **holder_context(event, holder),
            form=HolderDetailsForm(obj=holder, **forms),
            move_form=MoveForm(prefix="move", **forms),
        ), error.status
    flash(f"{name} no longer holds ticket {code}.", "success")
    return redirect(url_for("attendees.index", event_id=event.id))
