"""The audit page: who did what in an event, for its organizers."""
from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from ..events.access import load_event
from ..models import AuditAction
from .listing import AuditFilters, audit_page, changes_of, facts_of, people_in_trail

bp = Blueprint("audit", __name__, url_prefix="/events/<int:event_id>/audit")


@bp.get("")
@login_required
def index(event_id: int):
    """List the event's audit trail, filtered by person, action and attendee."""
    event = load_event(event_id)
    filters = AuditFilters.from_args(request.args)
    page = audit_page(event, filters, page=request.args.get("page", 1, type=int),
                      per_page=current_app.config["ATTENDEES_PER_PAGE"])
    return render_template(
        "audit/index.html", event=event, listing=page, filters=filters,
        people=people_in_trail(event), actions=list(AuditAction),
        changes_of=changes_of, facts_of=facts_of,
    )
