"""Bulk batches through the real server: racing organizers, and a browser session."""
import threading

import pytest
from sqlalchemy import func, insert, select

from webapp.extensions import db
from webapp.models import EventMembership, Role, TicketHolder
from webapp.tickets.codes import format_code

from .bulk_helpers import bulk_url, digest_of, holder_count, rows_data, statuses
from .live import LiveClient, browser, live_server, page  # noqa: F401

pytestmark = pytest.mark.live


@pytest.fixture
def second_organizer(app, event, make_user):
    user = make_user("second@example.org")
    with app.app_context():
        db.session.execute(insert(EventMembership).values(
            event_id=event.id, user_id=user.id, role=Role.ORGANIZER))
        db.session.commit()
    return user


def previewed(client: LiveClient, event, rows) -> dict:
    response = client.post_form(bulk_url(event, "check"), rows_data(rows))
    assert response.status_code == 200, response.text[:1000]
    assert {status for status, _ in statuses(response.text)} == {"assign"}
    return rows_data(rows, previewed_digest=digest_of(response.text))


@pytest.mark.parametrize("round_number", range(3))
def test_two_organizers_commit_overlapping_batches_at_once(
        app, live_server, event, organizer, second_organizer, make_ticket_type,
        tickets_of, round_number):
    codes = [t.code for t in tickets_of(make_ticket_type(event, f"Round {round_number}",
                                                         30))]
    batch_a = [(code, "Ada", f"A{n}", f"a{n}@example.org") for n, code in
               enumerate(codes[:20])]
    batch_b = [(code, "Bob", f"B{n}", f"b{n}@example.org") for n, code in
               enumerate(codes[10:])]
    clients = [LiveClient(live_server.url), LiveClient(live_server.url)]
    clients[0].login(organizer.email)
    clients[1].login(second_organizer.email)
    forms = [previewed(clients[0], event, batch_a),
             previewed(clients[1], event, batch_b)]
    start = threading.Barrier(2)
    responses = [None, None]

    def send(index: int) -> None:
        start.wait()
        responses[index] = clients[index].post_form(bulk_url(event, "commit"),
                                                     forms[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = 0 if responses[0].status_code == 200 else 1
    loser, loser_rows = (1, batch_b) if winner == 0 else (0, batch_a)
    with app.app_context():
        holders = db.session.execute(
            select(TicketHolder.ticket_id, TicketHolder.email)).all()
        per_ticket = db.session.execute(
            select(func.count()).select_from(TicketHolder)
            .group_by(TicketHolder.ticket_id).having(func.count() > 1)).all()
    loser_prefix = "b" if loser == 1 else "a"
    assert per_ticket == []
    assert len(holders) == 20
    assert [e for _, e in holders if e.startswith(loser_prefix)] == []
    marked = statuses(responses[loser].text)
    overlap = range(10, 20) if loser == 0 else range(0, 10)
    assert [n for n, (status, _) in enumerate(marked) if status == "ticket_held"] \
        == list(overlap)
    held_by = "Bob B" if loser == 0 else "Ada A"
    assert marked[overlap[0]][1].startswith(
        f"Ticket {format_code(loser_rows[overlap[0]][0])} is already held by {held_by}")
    assert live_server.tracebacks() == 0


@pytest.mark.browser
def test_paste_preview_fix_and_commit_in_a_browser(page, app, event, general,
                                                   organizer):
    page.goto("/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(bulk_url(event))

    page.get_by_label("Paste cells from a spreadsheet").fill(
        "Ticket\tFirst name\tLast name\tEmail\n"
        "General\tAda\tLovelace\tADA@example.org\n"
        "Backstage\tAlan\tTuring\talan@example.org\n")
    page.get_by_role("button", name="Next: match the columns").click()
    page.get_by_role("button", name="Preview every row").click()

    # count() does not wait: wait for the next page before counting.
    error_row = page.wait_for_selector("tr[data-status=unknown_ticket]")
    assert page.locator("tr[data-status=unknown_ticket]").count() == 1
    assert "“Backstage” is neither a ticket code nor a ticket type" \
        in error_row.inner_text()
    page.get_by_role("button", name="Assign 1 attendee").click()
    refusal = page.wait_for_selector(".flash-error").inner_text()
    assert refusal.startswith("1 row has problems, so nothing was saved")
    assert holder_count(app) == 0

    page.get_by_label("Ticket code or type, row 2").fill("general")
    page.get_by_role("button", name="Check again").click()

    page.wait_for_selector("tr[data-status=assign] >> nth=1")
    assert page.locator("tr[data-status=assign]").count() == 2
    page.get_by_role("button", name="Assign 2 attendees").click()

    page.wait_for_selector("#result")
    assert page.get_by_role("heading", name="Bulk assignment done").is_visible()
    assert page.locator("#result td").all_inner_texts() == ["2", "0", "0"]
    page.get_by_role("link", name="See the attendee list").click()
    assert page.locator("#attendee-total").inner_text().startswith("2 attendees")
