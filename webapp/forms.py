"""The base form every page uses, and small filters shared by the forms."""
from flask import g, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def lower_email(value):
    return value.strip().lower() if isinstance(value, str) else value


NUL_MESSAGE = "This field must not contain NUL characters."
CSRF_MESSAGE = ("This form expired or did not come from this site. Your input is "
                "below; please send it again.")


class BaseForm(FlaskForm):
    """A FlaskForm that refuses NUL bytes before any validator touches the database.

    PostgreSQL cannot store NUL in text, and psycopg2 refuses such a string
    with an exception; catching it here gives the field a message instead.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            """Read submitted form fields only, never a JSON body.

            Flask-WTF would otherwise fill fields from JSON, where a number or
            a list reaches validators that expect text and raises a TypeError.
            """
            formdata = super().wrap_formdata(form, formdata)
            if formdata is not None and request.is_json:
                return ImmutableMultiDict()
            return formdata

    #: Set by a validator that found the data conflicts with what is stored,
    #: so the view answers 409 rather than 422.
    conflict = False

    def validate(self, extra_validators=None) -> bool:
        fields_with_nul = []
        for field in self:
            # A number or date with a NUL never parses, so look at what was sent.
            sent = [*(field.raw_data or []), field.data]
            if any(isinstance(value, str) and "\x00" in value for value in sent):
                fields_with_nul.append(field)
                if isinstance(field.data, str):
                    field.data = field.data.replace("\x00", "")
        valid = super().validate(extra_validators)
        for field in fields_with_nul:
            field.errors = [NUL_MESSAGE]
        if "csrf_token" in self and self.csrf_token.errors:
            self.csrf_token.errors = [CSRF_MESSAGE]
        return valid and not fields_with_nul

    @property
    def error_status(self) -> int:
        """The status for a rejected submission of this form."""
        if "csrf_token" in self and self.csrf_token.errors:
            return 400
        return 409 if self.conflict else 422


def takes_focus(field, asked: bool = False) -> bool:
    """Autofocus the page's first field with errors, else the field that asks.

    After a refused submission the cursor belongs where the organizer must
    type next, not on the form's usual first field.
    """
    if field.errors:
        if g.get("error_focus_given"):
            return False
        g.error_focus_given = True
        return True
    form = getattr(field, "_form", None)
    form_has_errors = form is not None and any(
        other.errors for other in form if other.name != "csrf_token")
    return asked and not form_has_errors
