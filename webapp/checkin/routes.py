"""The check-in desk: one input for scanner and keyboard, answers, undo, counters.

Every view answers a plain form POST with a page, and a request that asks
for JSON (desk.js) with the same page parts as HTML fragments, so the page
works without JavaScript and the script holds no templates of its own.
"""
import logging

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..attendees.listing import attendee_page
from ..database import transaction
from ..errors import DomainError
from ..events.access import is_organizer, load_event
from ..events.services import counts_by_type
from ..models import Event, Role
from ..pages import render_form
from ..tickets.codes import is_code
from ..web import checks_csrf_in_form
from . import services
from .forms import DeskNameForm, ScanForm, UndoForm

bp = Blueprint("checkin", __name__, url_prefix="/events/<int:event_id>/desk")
log = logging.getLogger(__name__)

SEARCH_RESULTS = 8
PARTS = ("answer", "results", "undo", "counts")


def desk_name() -> str | None:
    return session.get("desk_name")


def wants_fragments() -> bool:
    return request.accept_mimetypes.best == "application/json"


def tell(message: str, category: str) -> None:
    """Flash for a page; desk.js shows the message in the answer instead."""
    if not wants_fragments():
        flash(message, category)


def role_in(event: Event) -> Role:
    return Role.ORGANIZER if is_organizer(event) else Role.STAFF


def counts_data(counts) -> dict:
    types = [{"id": row.ticket_type.id, "name": row.ticket_type.name,
              "checked_in": row.checked_in, "holders": row.held} for row in counts]
    return {"types": types, "checked_in": sum(t["checked_in"] for t in types),
            "holders": sum(t["holders"] for t in types)}


def render_desk(event: Event, *, status: int = 200, form: ScanForm | None = None,
                answer=None, results=None, **data):
    """The desk page, or its parts as JSON for desk.js."""
    counts = counts_by_type(event)
    role = role_in(event)
    context = {
        "event": event, "event_role": role, "organizer": role is Role.ORGANIZER,
        "desk_name": desk_name(), "form": form or ScanForm(formdata=None),
        "answer": answer, "results": results, "counts": counts,
        "last": services.last_check_in(event, current_user, desk_name()),
        "error": data.get("error"), "message": data.get("message"),
    }
    if not wants_fragments():
        return render_template("checkin/desk.html", **context), status
    html = {part: render_template(f"checkin/_{part}.html", **context) for part in PARTS}
    body = {"html": html, "counts": counts_data(counts), **data}
    if answer is not None:
        body["answer"] = answer.for_desk()
    return body, status


@bp.get("")
@login_required
def desk(event_id: int):
    """Show the desk: the scan input, the last answer, undo and the counters."""
    event = load_event(event_id, role=Role.STAFF)
    if not desk_name():
        return redirect(url_for("checkin.name_desk", event_id=event.id))
    return render_desk(event)


@bp.route("/name", methods=["GET", "POST"])
@login_required
@checks_csrf_in_form
def name_desk(event_id: int):
    """Pick the name of this desk once; it is kept in the session."""
    event = load_event(event_id, role=Role.STAFF)
    form = DeskNameForm(data={"desk_name": desk_name() or ""})
    if not form.validate_on_submit():
        return render_form("checkin/desk_name.html", form, event=event,
                           event_role=role_in(event))

    session["desk_name"] = form.desk_name.data
    flash(f"This is desk “{form.desk_name.data}”.", "success")
    return redirect(url_for("checkin.desk", event_id=event.id))


@bp.post("/scan")
@login_required
@checks_csrf_in_form
def scan(event_id: int):
    """Check in a full ticket code at once; search holders for anything else."""
    event = load_event(event_id, role=Role.STAFF)
    if not desk_name():
        return redirect(url_for("checkin.name_desk", event_id=event.id))
    form = ScanForm()
    if not form.validate():
        return render_desk(event, status=form.error_status, form=form,
                           error=" ".join(form.errors.get("q", []) or
                                          form.csrf_token.errors))

    text = form.q.data
    if not is_code(text):
        page = attendee_page(event, search=text, per_page=SEARCH_RESULTS)
        return render_desk(event, form=form, results=page)

    answer = services.scan(event, text, desk_name=desk_name(), user=current_user)
    log.info("desk %r scanned %s in event %s: %s", desk_name(), answer.code, event.id,
             answer.result.value)
    status = 200 if answer.ok else answer.status
    return render_desk(event, status=status, form=ScanForm(formdata=None),
                       answer=answer)


@bp.post("/undo")
@login_required
@checks_csrf_in_form
def undo(event_id: int):
    """Annul a check-in: the desk its own last one, an organizer any."""
    event = load_event(event_id, role=Role.STAFF)
    form = UndoForm()
    if not form.validate():
        return render_desk(event, status=form.error_status,
                           error="That undo did not come from this page. Reload it.")

    try:
        with transaction():
            check_in = services.annul(event, form.check_in_id.data, user=current_user,
                                      desk_name=desk_name() or "",
                                      as_organizer=is_organizer(event))
    except DomainError as error:
        return render_desk(event, status=error.status, error=error.message)

    message = f"Check-in of {check_in.holder_name} undone."
    log.info("check-in %s annulled by user %s", check_in.id, current_user.id)
    back = form.back.data or ""
    if back.startswith("holder-") and back[7:].isdigit():
        flash(message, "success")
        return redirect(url_for("attendees.edit", event_id=event.id,
                                holder_id=int(back[7:])))
    if back == "attendees":
        flash(message, "success")
        return redirect(url_for("attendees.index", event_id=event.id))
    tell(message, "success")
    return render_desk(event, message=message)


@bp.get("/counts")
@login_required
def counts(event_id: int):
    """The counters, for desk.js to keep them current."""
    event = load_event(event_id, role=Role.STAFF)
    counts = counts_by_type(event)
    html = render_template("checkin/_counts.html", event=event, counts=counts)
    return {"counts": counts_data(counts), "html": {"counts": html}}
