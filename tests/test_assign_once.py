"""One assign form, one assignment: resends and a second ticket for one email."""
import re

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AssignSubmission, TicketHolder
from webapp.tickets.codes import format_code

from .helpers import field_errors, flashes
from .live import LiveClient, live_server  # noqa: F401
from .test_races import all_at_once, assert_no_server_errors

TOKEN = re.compile(r'name="submission"[^>]*value="([^"]+)"')


def holders(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(TicketHolder.ticket_id, TicketHolder.email)
            .order_by(TicketHolder.id))]


def assign_form(client, event) -> str:
    """Open the assign page and return its one-time token."""
    path = f"/events/{event.id}/attendees/new"
    if isinstance(client, LiveClient):
        page = client.get(client.url(path), timeout=30).text
    else:
        page = client.get(path).get_data(as_text=True)
    return TOKEN.search(page).group(1)


def attendee(general, token="", email="grace@example.org", **extra) -> dict:
    return {"ticket_code": "", "ticket_type": str(general.id), "first_name": "Grace",
            "last_name": "Hopper", "email": email, "submission": token, **extra}


def test_each_opened_form_carries_its_own_token(signed_in, event):
    first, second = assign_form(signed_in, event), assign_form(signed_in, event)

    assert len(first) >= 30 and first != second


def test_the_same_form_sent_twice_assigns_once(app, signed_in, event, general,
                                               tickets_of):
    token = assign_form(signed_in, event)
    url = f"/events/{event.id}/attendees/new"

    first = signed_in.post_form(url, attendee(general, token))
    again = signed_in.post_form(url, attendee(general, token))

    assert first.status_code == 302 and first.location.endswith("/attendees")
    ticket = tickets_of(general)[0]
    assert holders(app) == [(ticket.id, "grace@example.org")]
    with app.app_context():
        holder_id = db.session.execute(select(TicketHolder.id)).scalar_one()
    assert again.status_code == 302
    assert again.location.endswith(f"/attendees/{holder_id}")
    shown = signed_in.get(again.location)
    assert flashes(shown)[-1:] == [
        f"Grace Hopper already holds ticket {format_code(ticket.code)}: this form was "
        "sent twice, and nothing was assigned again."]


def test_a_refused_form_can_be_sent_again_with_its_token(app, signed_in, event,
                                                         general):
    token = assign_form(signed_in, event)
    url = f"/events/{event.id}/attendees/new"

    refused = signed_in.post_form(url, attendee(general, token, email="not-an-email"))
    fixed = signed_in.post_form(url, attendee(general, token))

    assert refused.status_code == 422 and fixed.status_code == 302
    assert [email for _ticket, email in holders(app)] == ["grace@example.org"]


def test_an_email_that_already_holds_a_ticket_is_warned_on_the_field(
        app, signed_in, event, general, tickets_of, make_holder):
    make_holder(event, tickets_of(general)[0], "Grace", "Hopper", "grace@example.org")
    url = f"/events/{event.id}/attendees/new"

    warned = signed_in.post_form(url, attendee(general, email="Grace@Example.org"))
    confirmed = signed_in.post_form(url, attendee(general, same_email_ok="y"))

    code = format_code(tickets_of(general)[0].code)
    assert warned.status_code == 409
    assert field_errors(warned) == [
        f"grace@example.org already holds ticket {code} (Grace Hopper) in this event. "
        "Tick “Assign anyway” below to give them another ticket."]
    assert 'name="same_email_ok"' in warned.get_data(as_text=True)
    assert confirmed.status_code == 302
    assert len(holders(app)) == 2


@pytest.mark.live
@pytest.mark.slow
def test_concurrent_resends_of_one_form_assign_once(app, live_server, organizer, event,
                                                    general):
    """A double (quadruple) click: the same session sends one form at once."""
    browser = LiveClient(live_server.url)
    browser.login(organizer.email)
    url = f"/events/{event.id}/attendees/new"

    for round_ in range(3):
        token = assign_form(browser, event)
        tabs = []
        for _ in range(4):
            tab = LiveClient(live_server.url)
            tab.cookies.update(browser.cookies)
            tab.csrf_token = browser.csrf_token
            tabs.append(tab)
        form = attendee(general, token, email=f"guest{round_}@example.org")

        responses = all_at_once(tabs, lambda index, tab: tab.post_form(url, form))

        assert_no_server_errors(responses, live_server)
        assert [r.status_code for r in responses] == [302] * 4
    emails = [email for _ticket, email in holders(app)]
    assert emails == ["guest0@example.org", "guest1@example.org", "guest2@example.org"]
    with app.app_context():
        saved = db.session.execute(
            select(func.count()).select_from(AssignSubmission)).scalar_one()
    assert saved == 3
