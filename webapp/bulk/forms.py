"""The bulk page's forms. The rows themselves are read by `parsing.rows_from_form`.

A batch of 10,000 rows is 40,000 inputs; WTForms field objects for each
would cost seconds, so the form classes here hold only the page-wide
fields and the CSRF token (one token for the whole page).
"""
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..forms import BaseForm
from .parsing import DELIMITERS, FIELD_TITLES, FIELDS

NOT_MAPPED = -1


class SourceForm(BaseForm):
    """Pasted cells or a CSV file, before their columns are mapped."""

    paste = TextAreaField("Paste cells from a spreadsheet",
                          description="Copy the cells (with or without a header row) "
                                      "and paste them here; tabs and commas both work.")
    upload = FileField("Or upload a CSV file",
                       description="UTF-8 or Windows-1252; comma, semicolon or tab.")

    def validate_paste(self, field):
        has_file = bool(self.upload.data and getattr(self.upload.data, "filename", ""))
        if not has_file and not (field.data or "").strip():
            raise ValidationError("Paste some rows or choose a file.")


class MappingForm(BaseForm):
    """Which column holds which field; the text travels along unchanged."""

    source_text = TextAreaField()
    source_name = HiddenField()
    delimiter = SelectField("Columns are separated by",
                            choices=list(DELIMITERS.items()))
    has_header = BooleanField("The first row is a header")
    ticket = SelectField(FIELD_TITLES["ticket"], coerce=int)
    first_name = SelectField(FIELD_TITLES["first_name"], coerce=int)
    last_name = SelectField(FIELD_TITLES["last_name"], coerce=int)
    email = SelectField(FIELD_TITLES["email"], coerce=int)

    def set_columns(self, labels: list[str]) -> None:
        choices = [(NOT_MAPPED, "— not in the file —")] + list(enumerate(labels))
        for name in FIELDS:
            self[name].choices = choices

    def mapping(self) -> dict[str, int | None]:
        return {name: (None if self[name].data == NOT_MAPPED else self[name].data)
                for name in FIELDS}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and all(self[name].data == NOT_MAPPED for name in FIELDS):
            self.ticket.errors = ["Choose the column of at least one field."]
            return False
        return valid


class RowsForm(BaseForm):
    """The page-wide fields of the form of rows."""

    accept_duplicate_emails = BooleanField(
        "Accept repeated emails", description="One person may get several tickets.")
    leave_out_problems = BooleanField(
        "Leave out the rows with problems",
        description="Without this, a batch with problem rows saves nothing.")
    previewed_digest = HiddenField(validators=[Optional()])
    blank_lines = HiddenField(validators=[Optional()])

    def blank_line_count(self) -> int:
        value = self.blank_lines.data or ""
        return int(value) if value.isdigit() and len(value) < 7 else 0
