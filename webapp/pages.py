"""Small helpers that every form view uses to answer the same way."""
from flask import flash, render_template

from .errors import DomainError


def render_form(template: str, form, **context):
    """Render a form page; a rejected submission gets the form's 4xx status."""
    status = form.error_status if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def render_rejected(template: str, form, error: DomainError, **context):
    """Give the form back with the user's input, the error on its field and flashed."""
    error.attach_to(form)
    flash(error.message, "error")
    return render_template(template, form=form, **context), error.status


def database_id(text: str | None) -> int | None:
    """The id a text names, or None when it cannot name a row.

    Past the database's integer range SQLite raises OverflowError and
    PostgreSQL refuses the statement; such an id simply matches nothing.
    """
    from . import MAX_DATABASE_ID

    if not text or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_DATABASE_ID else None


def id_arg(args, name: str) -> int | None:
    """An id from the query string, or None."""
    return database_id(args.get(name))
