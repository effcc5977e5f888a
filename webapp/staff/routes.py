"""Organizers add and remove check-in staff; new staff set their password by link."""
import logging

from flask import Blueprint, flash, redirect, render_template, request, session
from flask import url_for
from flask_login import current_user, login_required, logout_user

from ..database import transaction
from ..errors import DomainError
from ..events.access import load_event
from ..models import Event
from ..pages import render_form, render_rejected
from ..web import checks_csrf_in_form
from . import services
from .forms import AddStaffForm, SetPasswordForm

bp = Blueprint("staff", __name__)
log = logging.getLogger(__name__)


def render_staff(event: Event, form: AddStaffForm, *, link: str | None = None,
                 link_email: str | None = None, status: int = 200):
    return render_template("staff/index.html", event=event, form=form, link=link,
                           link_email=link_email, members=services.staff_of(event),
                           awaits_password=services.awaits_password), status


def set_password_url(user) -> str:
    return url_for("staff.set_password", token=services.set_password_token(user),
                   _external=True)


@bp.get("/events/<int:event_id>/staff")
@login_required
def index(event_id: int):
    """List the event's check-in staff, with a form to add someone."""
    event = load_event(event_id)
    return render_staff(event, AddStaffForm(event=event))


@bp.post("/events/<int:event_id>/staff")
@login_required
@checks_csrf_in_form
def add(event_id: int):
    """Add a person by email; a new account gets a set-password link to hand over."""
    event = load_event(event_id)
    form = AddStaffForm(event=event)
    if not form.validate():
        return render_staff(event, form, status=form.error_status)

    existing = services.find_user(form.email.data)
    if existing is not None:
        return offer_join_link(event, existing)

    try:
        with transaction():
            membership = services.add_new_staff(event, form.email.data,
                                                organizer=current_user)
    except DomainError as error:
        return render_rejected("staff/index.html", form, error, event=event, link=None,
                               members=services.staff_of(event),
                               awaits_password=services.awaits_password)

    email = membership.user.email
    log.info("user %s added as staff of event %s", membership.user_id, event.id)
    flash(f"Account for {email} created. Give them the link below; it works once, "
          "for 7 days.", "success")
    return render_staff(event, AddStaffForm(formdata=None, event=event),
                        link=set_password_url(membership.user), link_email=email,
                        status=201)


def offer_join_link(event: Event, user):
    """Show a join link for an existing account; nothing changes until they use it."""
    token = services.join_token(event, user, organizer=current_user)
    log.info("join link for user %s to event %s made", user.id, event.id)
    flash(f"{user.email} already has an account. Give them the link below; they "
          "join when they open it while signed in and confirm. It works for 7 days.",
          "success")
    return render_template(
        "staff/index.html", event=event, form=AddStaffForm(formdata=None, event=event),
        join_link=url_for("staff.join", token=token, _external=True),
        link_email=user.email, members=services.staff_of(event),
        awaits_password=services.awaits_password)


@bp.post("/events/<int:event_id>/staff/<int:membership_id>/link")
@login_required
def new_link(event_id: int, membership_id: int):
    """Show a fresh set-password link for staff who never set a password."""
    event = load_event(event_id)
    try:
        user = services.staff_membership(event, membership_id).user
    except DomainError as error:
        flash(error.message, "error")
        return render_staff(event, AddStaffForm(formdata=None, event=event),
                            status=error.status)
    if not services.awaits_password(user):
        flash(f"{user.email} has set a password already; they sign in with it.",
              "error")
        return render_staff(event, AddStaffForm(formdata=None, event=event), status=409)
    return render_staff(event, AddStaffForm(formdata=None, event=event),
                        link=set_password_url(user), link_email=user.email)


@bp.post("/events/<int:event_id>/staff/<int:membership_id>/remove")
@login_required
def remove(event_id: int, membership_id: int):
    """Take a person off this event's check-in staff."""
    event = load_event(event_id)
    try:
        with transaction():
            email = services.remove_staff(event, membership_id, organizer=current_user)
    except DomainError as error:
        flash(error.message, "error")
        return render_staff(event, AddStaffForm(formdata=None, event=event),
                            status=error.status)

    flash(f"{email} is no longer check-in staff of this event.", "success")
    return redirect(url_for("staff.index", event_id=event.id))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@checks_csrf_in_form
def set_password(token: str):
    """Let invited staff choose their password, once, from the organizer's link."""
    user = services.user_for_token(token)
    form = SetPasswordForm()
    if not form.validate_on_submit():
        return render_form("staff/set_password.html", form, email=user.email)

    with transaction():
        user.set_password(form.password.data)
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    log.info("user %s set a password from a link", user.id)
    flash("Password set. Sign in with your email and the new password.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@login_required
def join(token: str):
    """Let a signed-in person accept an organizer's invitation to check-in staff."""
    event, organizer = services.invitation_for(token, current_user)
    if request.method == "GET":
        return render_template("staff/join.html", event=event, organizer=organizer)

    with transaction():
        services.join(event, current_user, organizer=organizer)
    log.info("user %s joined event %s as staff", current_user.id, event.id)
    flash(f"You are now check-in staff of {event.name}.", "success")
    return redirect(url_for("checkin.desk", event_id=event.id))
