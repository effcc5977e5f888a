"""The bulk assignment page: enter rows, map columns, preview, commit."""
import logging

from flask import Blueprint, Response, flash, render_template, request
from flask_login import login_required

from ..database import transaction
from ..errors import DomainError
from ..events.access import load_event
from ..extensions import db
from ..web import checks_csrf_in_form
from . import exports, parsing
from .forms import NOT_MAPPED, MappingForm, RowsForm, SourceForm
from .preview import Preview, classify
from .services import PreviewOutdated, RowsWithProblems, commit_batch

bp = Blueprint("bulk", __name__, url_prefix="/events/<int:event_id>/bulk")
log = logging.getLogger(__name__)

EMPTY_ROWS = 5
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SAMPLE_ROWS = 5


def render_start(event, source_form=None, rows_form=None, slots=EMPTY_ROWS, status=200):
    return render_template(
        "bulk/new.html", event=event,
        source_form=source_form or SourceForm(formdata=None),
        rows_form=rows_form or RowsForm(formdata=None), empty_rows=slots,
    ), status


def render_preview(event, preview: Preview, form: RowsForm, empty_rows=0, status=200):
    form.previewed_digest.data = preview.digest
    form.blank_lines.data = str(preview.blank_lines)
    form.accept_duplicate_emails.data = preview.accept_duplicate_emails
    problems = len(preview.problems)
    # The box is never ticked for the organizer, and its label counts the rows.
    form.leave_out_problems.data = False
    form.leave_out_problems.label.text = (
        f"Leave out the {problems} row{'s' if problems != 1 else ''} with problems "
        "and assign only the others")
    return render_template("bulk/preview.html", event=event, preview=preview,
                           rows_form=form, empty_rows=empty_rows), status


@bp.get("")
@login_required
def new(event_id: int):
    """Show the three ways in: a form of rows, pasted cells, a CSV file."""
    event = load_event(event_id)
    return render_start(event)


@bp.post("/read")
@login_required
@checks_csrf_in_form
def read_source(event_id: int):
    """Read pasted cells or a file and show the column mapping step."""
    event = load_event(event_id)
    form = SourceForm()
    if not form.validate():
        return render_start(event, source_form=form, status=form.error_status)

    upload = form.upload.data
    try:
        if upload and upload.filename:
            data = upload.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise parsing.UnreadableInput(
                    "file_too_large", f"The file is larger than "
                    f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Leave out columns you do "
                    "not need or split it into several files.")
            text, name = parsing.decode_upload(data), upload.filename
        else:
            text, name = form.paste.data, "pasted cells"
        table = parsing.read_table(text)
    except parsing.UnreadableInput as error:
        error.field = "upload" if upload and upload.filename else "paste"
        error.attach_to(form)
        return render_start(event, source_form=form, status=error.status)

    return render_mapping(event, guessed_mapping_form(table, text, name), table)


def guessed_mapping_form(table: parsing.Table, text: str, name: str) -> MappingForm:
    """The mapping step filled in with our guess from the header."""
    columns = {field: (NOT_MAPPED if index is None else index)
               for field, index in parsing.guess_mapping(table).items()}
    return MappingForm(formdata=None, source_text=text, source_name=name,
                       delimiter=table.delimiter, has_header=bool(table.header),
                       **columns)


def render_mapping(event, form: MappingForm, table: parsing.Table, status=200):
    form.set_columns(parsing.column_labels(table))
    return render_template("bulk/mapping.html", event=event, form=form, table=table,
                           sample=table.rows[:SAMPLE_ROWS + 1]), status


@bp.post("/map")
@login_required
@checks_csrf_in_form
def map_columns(event_id: int):
    """Apply the column mapping and show the preview of every row."""
    event = load_event(event_id)
    form = MappingForm()
    try:
        table = parsing.read_table(form.source_text.data or "", form.delimiter.data)
    except parsing.UnreadableInput as error:
        return render_start(event, source_form=_with_error(error), status=error.status)
    form.set_columns(parsing.column_labels(table))
    valid = form.validate()
    if "reread" in request.form:
        fresh = guessed_mapping_form(table, form.source_text.data,
                                     form.source_name.data)
        fresh.csrf_token.errors = form.csrf_token.errors
        return render_mapping(event, fresh, table, status=fresh.error_status
                              if fresh.csrf_token.errors else 200)
    if not valid:
        return render_mapping(event, form, table, status=form.error_status)

    try:
        rows = parsing.map_rows(table, form.mapping(), form.has_header.data)
    except parsing.UnreadableInput as error:
        return render_start(event, source_form=_with_error(error), status=error.status)
    preview = classify(event, rows.rows, blank_lines=rows.blank_lines)
    return render_preview(event, preview, RowsForm(formdata=None))


def _with_error(error: DomainError) -> SourceForm:
    form = SourceForm(formdata=None)
    form.paste.errors = [error.message]
    return form


def read_rows() -> parsing.Rows:
    remove = request.form.get("remove", "")
    return parsing.rows_from_form(request.form,
                                  remove=int(remove) if remove.isdigit() else None)


@bp.post("/check")
@login_required
@checks_csrf_in_form
def check(event_id: int):
    """Check the form of rows: add or remove rows, and preview every row's outcome."""
    event = load_event(event_id)
    form = RowsForm()
    try:
        rows = read_rows()
    except parsing.UnreadableInput as error:
        return render_start(event, source_form=_with_error(error), status=error.status)
    empty_rows = EMPTY_ROWS if "more" in request.form else 0
    if not rows.rows:
        status = 200 if "more" in request.form else 422
        if status == 422:
            form.form_errors.append("Type at least one row, or paste or upload a list.")
        return render_start(event, rows_form=form, slots=rows.blank_lines + EMPTY_ROWS,
                            status=status)

    form.validate()
    preview = classify(event, rows.rows, blank_lines=form.blank_line_count(),
                       accept_duplicate_emails=form.accept_duplicate_emails.data)
    status = form.error_status if form.csrf_token.errors else 200
    return render_preview(event, preview, form, empty_rows=empty_rows, status=status)


@bp.post("/commit")
@login_required
@checks_csrf_in_form
def commit(event_id: int):
    """Assign every row of the previewed batch in one transaction, or none."""
    event = load_event(event_id)
    form = RowsForm()
    rows = read_rows()
    accept = form.accept_duplicate_emails.data
    if not form.validate():
        preview = classify(event, rows.rows, accept_duplicate_emails=accept)
        return render_preview(event, preview, form, status=form.error_status)

    try:
        result = commit_batch(event, rows.rows,
                              previewed_digest=form.previewed_digest.data or "",
                              accept_duplicate_emails=accept,
                              leave_out_problems=form.leave_out_problems.data)
    except PreviewOutdated as error:
        return _rejected(event, form, error.preview, error)
    except RowsWithProblems as error:
        log.info("bulk commit in event %s refused: %s rows with problems",
                 event.id, len(error.preview.problems))
        return _rejected(event, form, error.preview, error)
    except DomainError as error:
        # A constraint fired: someone took a ticket after our check. Classify
        # again, now that their change is committed, to mark the rows.
        log.info("bulk commit in event %s refused: %s", event.id, error.code)
        with transaction():
            preview = classify(event, rows.rows, accept_duplicate_emails=accept)
        return _rejected(event, form, preview, error)

    return render_template("bulk/result.html", event=event, result=result)


def _rejected(event, form, preview, error: DomainError):
    flash(error.message, "error")
    return render_preview(event, preview, form, status=error.status)


@bp.post("/problems.csv")
@login_required
def problems(event_id: int):
    """Download the rows with problems and their reasons, to fix and upload again."""
    event = load_event(event_id)
    form = RowsForm()
    rows = read_rows()
    preview = classify(event, rows.rows,
                       accept_duplicate_emails=form.accept_duplicate_emails.data)
    db.session.rollback()
    name = f"problem-rows-event-{event.id}.csv"
    return Response(exports.problems_csv(preview), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
