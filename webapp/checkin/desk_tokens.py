"""Organizers create and revoke the tokens that scanner devices send."""
import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..database import transaction
from ..errors import DomainError
from ..events.access import load_event
from ..pages import render_rejected
from ..web import checks_csrf_in_form
from .forms import DeskTokenForm
from .tokens import create_desk_token, desk_tokens_of, revoke_desk_token

bp = Blueprint("desk_tokens", __name__, url_prefix="/events/<int:event_id>/desk-tokens")
log = logging.getLogger(__name__)


def render_tokens(event, form, *, new_token: str | None = None, status: int = 200):
    return render_template("checkin/desk_tokens.html", event=event, form=form,
                           tokens=desk_tokens_of(event), new_token=new_token), status


@bp.get("")
@login_required
def index(event_id: int):
    """List the event's desk tokens, with a form to create one."""
    event = load_event(event_id)
    return render_tokens(event, DeskTokenForm())


@bp.post("")
@login_required
@checks_csrf_in_form
def create(event_id: int):
    """Create a token for a desk and show it, this once."""
    event = load_event(event_id)
    form = DeskTokenForm()
    if not form.validate():
        return render_tokens(event, form, status=form.error_status)

    try:
        with transaction():
            desk_token, token = create_desk_token(event, form.desk_name.data,
                                                  user=current_user)
    except DomainError as error:
        return render_rejected("checkin/desk_tokens.html", form, error, event=event,
                               tokens=desk_tokens_of(event), new_token=None)

    log.info("desk token %s created in event %s", desk_token.id, event.id)
    flash(f"Token for desk “{desk_token.desk_name}” created. Copy it now: "
          "it is not shown again.", "success")
    return render_tokens(event, DeskTokenForm(formdata=None), new_token=token,
                         status=201)


@bp.post("/<int:desk_token_id>/revoke")
@login_required
def revoke(event_id: int, desk_token_id: int):
    """Revoke a desk token; the device's next request is refused."""
    event = load_event(event_id)
    try:
        with transaction():
            desk_token = revoke_desk_token(event, desk_token_id, user=current_user)
    except DomainError as error:
        flash(error.message, "error")
        return render_tokens(event, DeskTokenForm(formdata=None), status=error.status)

    log.info("desk token %s revoked in event %s", desk_token.id, event.id)
    flash(f"Token of desk “{desk_token.desk_name}” revoked.", "success")
    return redirect(url_for("desk_tokens.index", event_id=event.id))
