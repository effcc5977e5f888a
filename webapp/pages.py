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
