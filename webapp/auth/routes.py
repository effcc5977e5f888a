"""Signing in and out."""
import logging
import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request
from flask import url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from ..extensions import db
from ..models import User
from ..web import checks_csrf_in_form
from .forms import LoginForm
from .sessions import begin_attempt, end_attempt, end_session, password_matches
from .sessions import client_address, start_session

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


# Browsers read a backslash as a slash and drop tabs and newlines, so
# "/\evil.example" or "/\t/evil.example" would leave the site.
_UNSAFE_IN_NEXT = re.compile(r"[\\\x00-\x1f\x7f]")


def safe_next_url(target: str | None) -> str:
    """Follow ?next= only within this site."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not _UNSAFE_IN_NEXT.search(target) and not urlsplit(target).netloc:
        return target
    return url_for("events.index")


@bp.route("/login", methods=["GET", "POST"])
@checks_csrf_in_form
def login():
    """Sign a user in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))

    form = LoginForm()
    if not form.validate_on_submit():
        status = form.error_status if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status

    attempt_id, refusal = begin_attempt(form.email.data)
    if refusal is not None:
        form.password.errors.append(refusal.message)
        return render_template("auth/login.html", form=form), 429, \
            {"Retry-After": str(refusal.retry_after_seconds)}

    user = db.session.execute(
        select(User).where(User.email == form.email.data)
    ).scalar_one_or_none()
    if not password_matches(user, form.password.data):
        # The attempt stays counted as a failure.
        log.info("failed sign-in for %s from %s", form.email.data, client_address())
        form.password.errors.append("Wrong email or password.")
        return render_template("auth/login.html", form=form), 401

    end_attempt(attempt_id, user.email)
    start_session(user)
    log.info("user %s signed in", user.id)
    flash(f"Signed in as {user.email}.", "success")
    return redirect(safe_next_url(request.args.get("next")))


# A sign-out form left open on a shared desk laptop must still sign out
# after the usual form lifetime. Its token must still belong to this
# session, so another site cannot sign people out.
SIGN_OUT_TOKEN_MAX_AGE_SECONDS = 400 * 24 * 3600


@bp.post("/logout")
@login_required
@checks_csrf_in_form
def logout():
    """Sign out; the session's cookie, even copied, signs nobody in again."""
    try:
        validate_csrf(request.form.get("csrf_token"),
                      time_limit=SIGN_OUT_TOKEN_MAX_AGE_SECONDS)
    except ValidationError as error:
        raise CSRFError(str(error))

    end_session()
    flash("Signed out.", "success")
    return redirect(url_for("auth.login"))
