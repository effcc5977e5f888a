"""Sending batches to the bulk page and reading its preview, for the bulk tests."""
import html
import re

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.bulk.parsing import FIELDS
from webapp.models import TicketHolder

ROW = re.compile(r'<tr class="bulk-row row-\w+" data-status="(\w+)">.*?'
                 r'<span class="message">(.*?)</span>', re.S)
DIGEST = re.compile(r'name="previewed_digest" type="hidden" value="([0-9a-f]*)"')


def bulk_url(event, step: str = "") -> str:
    return f"/events/{event.id}/bulk" + (f"/{step}" if step else "")


def rows_data(rows, **extra) -> dict:
    """Form data for the form of rows: one list per field, in row order."""
    data = {name: [row[index] for row in rows] for index, name in enumerate(FIELDS)}
    data.update(extra)
    return data


def page_text(response) -> str:
    """The HTML of a test client response, or the text given as is (live server)."""
    return response if isinstance(response, str) else response.get_data(as_text=True)


def statuses(response) -> list[tuple[str, str]]:
    """Each previewed row's status value and message, in row order."""
    page = page_text(response)
    return [(status, html.unescape(message)) for status, message in ROW.findall(page)]


def digest_of(response) -> str:
    match = DIGEST.search(page_text(response))
    assert match, "no preview digest on the page"
    return match.group(1)


def preview(client, event, rows, **extra):
    return client.post_form(bulk_url(event, "check"), rows_data(rows, **extra))


def commit(client, event, rows, **extra):
    """Preview the rows, then commit exactly what was previewed."""
    previewed = preview(client, event, rows, **extra)
    assert previewed.status_code == 200, previewed.get_data(as_text=True)[:2000]
    return client.post_form(bulk_url(event, "commit"), rows_data(
        rows, previewed_digest=digest_of(previewed), **extra))


def holder_rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(TicketHolder.ticket_id, TicketHolder.first_name,
                   TicketHolder.last_name, TicketHolder.email)
            .order_by(TicketHolder.ticket_id)).all()


def holder_count(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(TicketHolder)).scalar_one()
