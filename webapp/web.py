"""Request-wide behaviour: sign-in loading, CSRF policy, error pages, headers."""
import logging

from flask import Flask, current_app, flash, g, render_template, request
from flask import send_from_directory
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from .auth.sessions import signed_in_user
from .database import is_database_busy
from .errors import DomainError
from .extensions import csrf, db, login_manager
from .forms import takes_focus
from .times import event_iso, event_time

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

# A year, as browsers' preload lists expect; sent only when HTTPS is set.
HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600
# Scanner devices' JSON API: bearer tokens, no cookies, JSON errors.
TOKEN_API_PREFIX = "/api/"

ERROR_MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. It may have been removed, or it belongs to "
         "an event you are not part of.",
    405: "That page does not take this kind of request.",
    413: None,  # filled from the configured limit
    429: "Too many attempts. Please wait a minute and try again.",
    503: "The database is not reachable right now. Please try again in a moment.",
}


def checks_csrf_in_form(view):
    """Mark a view whose FlaskForm validates the CSRF token itself.

    Such a view can return the form with the user's input and a message when
    the token is stale, instead of a bare error page that loses the input.
    Every other POST is checked before the view runs.
    """
    view.checks_csrf_in_form = True
    return view


class CookieSessionsForPages(SecureCookieSessionInterface):
    """Pages get the signed cookie session; the token-authenticated API gets none.

    Scanner devices send no cookie, yet opening and saving an empty session
    (a signer built twice per request) cost the scan API a tenth of its
    CPU. The API's session is the null session: nothing may be stored.
    """

    def open_session(self, app: Flask, request):
        if request.path.startswith(TOKEN_API_PREFIX):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.session_interface = CookieSessionsForPages()

    login_manager.user_loader(signed_in_user)

    @app.before_request
    def refuse_nul_in_query():
        # psycopg2 raises ValueError for a NUL in any string it sends, so a
        # search box given one would fail with a 500 on PostgreSQL. Forms
        # keep their own per-field message (BaseForm); addresses get a 400.
        arguments = request.args.lists()
        if any("\x00" in name + "".join(values) for name, values in arguments):
            return error_response(400, "The address contains a NUL character, which no "
                                  "search or filter accepts.")

    @app.before_request
    def protect_from_forged_posts():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        view = app.view_functions.get(request.endpoint)
        if view is None or getattr(view, "checks_csrf_in_form", False):
            return
        if request.blueprint in app.config.get("CSRF_EXEMPT_BLUEPRINTS", ()):
            return  # token-authenticated JSON endpoints
        csrf.protect()

    @app.teardown_appcontext
    def release_connection_even_if_lost(_error):
        # Runs before Flask-SQLAlchemy's own teardown. If the connection died
        # after the request's last statement, the rollback in that teardown
        # would raise after the response was made and turn it into a 500.
        if not db.session.registry.has():
            return  # this request never used the session (the scan API)
        # Expunging first keeps loaded objects readable, as a plain close would.
        session = db.session()
        session.expunge_all()
        try:
            session.rollback()
        except OperationalError:
            log.warning("database connection lost after the request; discarding it")
            session.invalidate()

    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("HTTPS"):
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={HSTS_MAX_AGE_SECONDS}")
        if request.endpoint not in ("static", "favicon"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/favicon.ico")
    def favicon():
        """Serve the icon browsers ask for at the root, so logs show no 404 for it."""
        return send_from_directory(app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)

    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(UnicodeError, handle_unicode_error)

    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["takes_focus"] = takes_focus
    app.jinja_env.filters["event_time"] = event_time
    app.jinja_env.filters["event_iso"] = event_iso


def wants_json() -> bool:
    return (request.path.startswith(TOKEN_API_PREFIX)
            or request.accept_mimetypes.best == "application/json")


def error_response(status: int, message: str, title: str | None = None):
    if wants_json():
        error = {"status": str(status), "title": title or f"HTTP {status}", "detail": message}
        return {"errors": [error]}, status
    try:
        return render_template("error.html", status=status, message=message), status
    except OperationalError as error:
        # The page's header asks who is signed in; with the database gone
        # that fails too, so answer as if nobody were.
        return handle_operational_error(error)


def handle_http_error(error: HTTPException):
    status = error.code or 500
    message = ERROR_MESSAGES.get(status) or error.description
    if status == 413:
        message = too_large_message()
    return error_response(status, message, error.name)


def too_large_message() -> str:
    """Name the limit a refused request broke: size, one field's size, or parts."""
    config = current_app.config
    megabytes = lambda size: f"{(size or 0) / (1024 * 1024):.0f} MB"  # noqa: E731
    total = config.get("MAX_CONTENT_LENGTH")
    if request.content_length and total and request.content_length > total:
        limit = f"{megabytes(total)} in all"
    else:
        # Werkzeug raises the same error for a multipart field over the
        # memory limit and for too many parts; name both.
        limit = (f"{megabytes(config.get('MAX_FORM_MEMORY_SIZE'))} in one field and "
                 f"{config.get('MAX_FORM_PARTS'):,} fields per form")
    return (f"What you sent is larger than this site accepts ({limit}). Nothing was "
            "saved. Split it into smaller parts (a bulk batch takes at most 10,000 "
            "rows) and send again.")


def handle_csrf_error(error: CSRFError):
    return error_response(
        400, "This form expired or did not come from this site. Nothing was saved. "
        "Go back, reload the page and send it again.", "Form expired",
    )


def handle_domain_error(error: DomainError):
    if wants_json():
        return {"errors": [error.as_jsonapi()]}, error.status
    flash(error.message, "error")
    return render_template("error.html", status=error.status, message=error.message), error.status


def handle_operational_error(error: OperationalError):
    try:
        db.session.rollback()
    except OperationalError:
        pass  # the connection is gone; the pool replaces it on the next checkout
    # Loading the signed-in user needs the database, so the error page must
    # not try: it shows the page as to an anonymous visitor.
    g._login_user = login_manager.anonymous_user()
    if is_database_busy(error):
        message = "The database is busy. Please send again in a moment."
    else:
        log.error("database unavailable: %s", str(error.orig).strip())
        message = ERROR_MESSAGES[503]
    if wants_json():
        return {"errors": [{"status": "503", "title": "Database unavailable",
                            "detail": message}]}, 503, {"Retry-After": "5"}
    return render_template("error.html", status=503, message=message), 503, \
        {"Retry-After": "5"}


def handle_data_error(error: DataError):
    db.session.rollback()
    log.info("rejected a value the database refused: %s", error.orig)
    return error_response(400, "A value was out of range or not allowed. Nothing was saved.")


def handle_unicode_error(error: UnicodeError):
    return error_response(400, "The request was not valid text (UTF-8). Nothing was saved.")


def format_datetime(value, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(pattern) if value else ""
