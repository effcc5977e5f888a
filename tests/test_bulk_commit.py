"""Committing a batch: all or nothing, one audit entry, fixed query counts, limits."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from webapp.bulk import services
from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, TicketHolder
from webapp.tickets.codes import format_code

from .bulk_helpers import (bulk_url, commit, digest_of, holder_count, holder_rows,
                           preview, rows_data, statuses)
from .helpers import flashes


def result_counts(response) -> list[str]:
    return re.findall(r"<td>(\d+)</td>", response.get_data(as_text=True))


def refusal(count: int) -> str:
    rows = f"{count} row{'s' if count != 1 else ''}"
    return (f"{rows} {'have' if count != 1 else 'has'} problems, so nothing was "
            "saved: a batch is assigned whole or not at all. Fix or remove those rows "
            "below, download them as CSV, or tick “Leave out the "
            f"{rows} with problems” to assign only the others.")


def bulk_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.BULK_IMPORTED)).scalars().all()


def test_batch_with_a_problem_row_is_refused_whole(app, signed_in, event, general,
                                                   tickets_of):
    tickets = tickets_of(general)
    rows = [(tickets[0].code, "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org"),
            ("Backstage", "Grace", "Hopper", "grace@example.org")]

    response = commit(signed_in, event, rows)

    assert response.status_code == 422
    assert flashes(response) == [refusal(1)]
    assert [status for status, _ in statuses(response)] == [
        "assign", "assign", "unknown_ticket"]
    page = response.get_data(as_text=True)
    assert "Leave out the 1 row with problems and assign only the others" in page
    assert 'name="leave_out_problems" type="checkbox" value="y">' in page
    assert ">Assign 2 attendees</button>" in page and "leave out 1 row" not in page
    assert holder_count(app) == 0
    assert bulk_entries(app) == []


def test_leaving_out_problem_rows_is_an_explicit_choice_and_audited(
        app, signed_in, event, general, tickets_of):
    tickets = tickets_of(general)
    rows = [(tickets[0].code, "Ada", "Lovelace", "ADA@example.org"),
            ("General", "Alan", "Turing", "alan@example.org"),
            ("Backstage", "Grace", "Hopper", "grace@example.org")]

    response = commit(signed_in, event, rows, leave_out_problems="y")

    assert response.status_code == 200
    assert result_counts(response) == ["2", "0", "1"]
    assert flashes(response) == ["1 row with problems was left out and not assigned."]
    assert f'href="/events/{event.id}/attendees"' in response.get_data(as_text=True)
    assert holder_rows(app) == [(tickets[0].id, "Ada", "Lovelace", "ada@example.org"),
                                (tickets[1].id, "Alan", "Turing", "alan@example.org")]
    [entry] = bulk_entries(app)
    assert entry.details == {"assigned": 2, "unchanged": 0, "left_out": 1, "rows": 3}
    assert entry.summary == ("Bulk assignment: 2 assigned, 0 unchanged, 1 with "
                             "problems left out")
    assert entry.actor == "organizer@example.org"


def test_batch_without_problems_commits_whole(app, signed_in, event, general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org")]

    previewed = preview(signed_in, event, rows)
    response = commit(signed_in, event, rows)

    assert "leave_out_problems" not in previewed.get_data(as_text=True)
    assert response.status_code == 200
    assert result_counts(response) == ["2", "0", "0"]
    assert flashes(response) == []
    assert holder_count(app) == 2


def test_same_batch_committed_again_changes_nothing(app, signed_in, event, general,
                                                    tickets_of):
    rows = [(tickets_of(general)[3].code, "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org")]
    commit(signed_in, event, rows)
    before = holder_rows(app)

    response = commit(signed_in, event, rows)

    assert result_counts(response) == ["0", "2", "0"]
    assert holder_rows(app) == before
    with app.app_context():
        assert len(db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.BULK_IMPORTED)).all()) == 1


def test_change_between_preview_and_commit_writes_nothing(
        app, signed_in, event, general, tickets_of, make_holder):
    tickets = tickets_of(general)
    rows = [(tickets[0].code, "Ada", "Lovelace", "ada@example.org"),
            (tickets[1].code, "Alan", "Turing", "alan@example.org")]
    digest = digest_of(preview(signed_in, event, rows))
    make_holder(event, tickets[1], "Grace", "Hopper", "grace@example.org")

    response = signed_in.post_form(bulk_url(event, "commit"),
                                   rows_data(rows, previewed_digest=digest))

    assert response.status_code == 409
    assert flashes(response) == [
        "The rows or the tickets changed since your preview. Nothing was saved; "
        "check the rows below and assign again."]
    assert statuses(response)[1] == (
        "ticket_held", f"Ticket {format_code(tickets[1].code)} is already held by "
        "Grace Hopper (grace@example.org).")
    assert holder_count(app) == 1


@pytest.mark.parametrize("digest", ["", "0" * 64, "not hex"])
def test_commit_without_the_previewed_digest_writes_nothing(app, signed_in, event,
                                                           general, digest):
    rows = [("General", "Ada", "Lovelace", "ada@example.org")]

    response = signed_in.post_form(bulk_url(event, "commit"),
                                   rows_data(rows, previewed_digest=digest))

    assert response.status_code == 409
    assert statuses(response) == [("assign", statuses(response)[0][1])]
    assert holder_count(app) == 0


def test_constraint_firing_during_commit_rolls_back_everything(
        app, signed_in, event, general, tickets_of, monkeypatch):
    tickets = tickets_of(general)
    rows = [(tickets[0].code, "Ada", "Lovelace", "ada@example.org"),
            (tickets[1].code, "Alan", "Turing", "alan@example.org")]
    digest = digest_of(preview(signed_in, event, rows))
    classify = services.classify

    def classify_then_someone_takes_a_ticket(*args, **kwargs):
        result = classify(*args, **kwargs)
        db.session.add(TicketHolder(event_id=event.id, ticket_id=tickets[1].id,
                                    first_name="Grace", last_name="Hopper",
                                    email="grace@example.org"))
        db.session.flush()
        return result

    monkeypatch.setattr(services, "classify", classify_then_someone_takes_a_ticket)
    response = signed_in.post_form(bulk_url(event, "commit"),
                                   rows_data(rows, previewed_digest=digest))

    assert response.status_code == 409
    assert flashes(response) == ["Someone else was assigned this ticket a moment ago. "
                                 "Nothing was saved; pick another ticket."]
    assert holder_count(app) == 0
    with app.app_context():
        assert db.session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.BULK_IMPORTED)).first() is None


def test_expired_csrf_on_commit_keeps_the_rows(app, signed_in, event, general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org")]
    digest = digest_of(preview(signed_in, event, rows))

    response = signed_in.post_form(bulk_url(event, "commit"), rows_data(
        rows, previewed_digest=digest, csrf_token="forged"))

    assert response.status_code == 400
    assert 'value="Ada"' in response.get_data(as_text=True)
    assert holder_count(app) == 0


def test_other_organizers_event_is_not_found(app, client, event, general, make_user):
    client.login(make_user("mallory@example.org").email)
    rows = [("General", "Ada", "Lovelace", "ada@example.org")]

    assert client.get(bulk_url(event)).status_code == 404
    assert preview(client, event, rows).status_code == 404
    committed = client.post_form(bulk_url(event, "commit"), rows_data(rows))
    assert committed.status_code == 404
    assert holder_count(app) == 0


def test_more_rows_and_remove_row_work_without_javascript(app, signed_in, event,
                                                          general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org")]

    more = preview(signed_in, event, rows, more="1")
    removed = preview(signed_in, event, rows, remove="0")

    assert more.get_data(as_text=True).count('name="email"') == 2 + 5
    assert [row[1] for row in statuses(removed)] == ["Will get ticket " +
                                                     statuses(removed)[0][1][16:]]
    assert 'value="Alan"' in removed.get_data(as_text=True)
    assert 'value="Ada"' not in removed.get_data(as_text=True)


def test_problem_rows_download_neutralises_formulas_and_uploads_again(
        app, signed_in, event, general):
    rows = [("General", "=HYPERLINK(\"http://x\")", "Lovelace", "ada@example.org"),
            ("Backstage", "@Alan", "-Turing", "alan@example.org"),
            ("General", "Grace", "Hopper", "grace@example.org")]

    response = signed_in.post_form(bulk_url(event, "problems.csv"), rows_data(rows))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith(
        "\ufeffTicket code or type,First name,Last name,Email,Row,Problem\r\n")
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert records[1] == ["Backstage", "'@Alan", "'-Turing", "alan@example.org", "2",
                          "Unknown code or type: “Backstage” is neither a ticket "
                          "code nor a ticket type of this event (types: General)."]
    assert len(records) == 2  # the header and the one problem row

    fixed = text.replace("Backstage", "General").encode("utf-8")
    mapping = signed_in.post_form(bulk_url(event, "read"), {
        "upload": (io.BytesIO(fixed), "problems.csv"), "paste": ""},
        content_type="multipart/form-data")
    assert "<td>@Alan</td>" in mapping.get_data(as_text=True)


def test_html_in_rows_is_escaped(app, signed_in, event, general):
    response = preview(signed_in, event, [("<b>VIP</b>", "<script>x</script>", "L",
                                           "a@example.org")])

    page = response.get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "<b>VIP</b>" not in page


def many_rows(tickets_by_code, count: int) -> list[tuple]:
    half = count // 2
    return ([(ticket.code, "Ada", f"Lovelace{n}", f"ada{n}@example.org")
             for n, ticket in enumerate(tickets_by_code[:half])]
            + [("Speaker", "Alan", f"Turing{n}", f"alan{n}@example.org")
               for n in range(count - half)])


@pytest.mark.slow
def test_statement_counts_do_not_grow_with_rows(app, signed_in, event, make_ticket_type,
                                                tickets_of, count_queries):
    general = tickets_of(make_ticket_type(event, "General", 1000))
    make_ticket_type(event, "Speaker", 1000)
    counts = {}
    for size in (10, 2000):
        rows = many_rows(general[:size // 2] if size == 10 else general, size)
        with count_queries() as previewing:
            previewed = preview(signed_in, event, rows)
        with count_queries() as committing:
            committed = signed_in.post_form(bulk_url(event, "commit"), rows_data(
                rows, previewed_digest=digest_of(previewed)))
        assert committed.status_code == 200
        assert result_counts(committed) == [str(size), "0", "0"]
        counts[size] = (len(previewing), len(committing))
        with app.app_context():
            db.session.execute(TicketHolder.__table__.delete())
            db.session.commit()

    assert counts[10] == counts[2000]
    # Sign-in, event, 4 classification queries, 2 inserts, and reloading what
    # the commit expired for the result page; none of it per row.
    assert counts[10][0] <= 9 and counts[10][1] <= 14, counts


def test_accepted_repeated_emails_are_committed(app, signed_in, event, general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Ada", "Lovelace", "ada@example.org")]

    response = commit(signed_in, event, rows, accept_duplicate_emails="y")

    assert result_counts(response) == ["2", "0", "0"]
    assert holder_count(app) == 2


def test_unaccepted_repeated_emails_refuse_the_batch_or_are_left_out(
        app, signed_in, event, general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org")]

    refused = commit(signed_in, event, rows)
    assert refused.status_code == 422
    assert flashes(refused) == [refusal(2)]
    assert holder_count(app) == 0

    response = commit(signed_in, event, rows, leave_out_problems="y")

    assert result_counts(response) == ["1", "0", "2"]
    assert [email for *_, email in holder_rows(app)] == ["alan@example.org"]


def test_form_of_rows_with_only_empty_rows(app, signed_in, event, general):
    empty = [("", "", "", "")] * 3

    refused = preview(signed_in, event, empty)
    more = preview(signed_in, event, empty, more="1")

    assert refused.status_code == 422
    assert "Type at least one row, or paste or upload a list." in \
        refused.get_data(as_text=True)
    assert more.status_code == 200
    assert more.get_data(as_text=True).count('name="email"') == 3 + 5


def test_bulk_page_is_linked_from_the_event_and_shows_three_ways_in(
        app, signed_in, event, general):
    overview = signed_in.get(f"/events/{event.id}").get_data(as_text=True)
    page = signed_in.get(bulk_url(event))

    assert f'href="/events/{event.id}/bulk">Bulk assign</a>' in overview
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('name="ticket"') == 5
    assert 'name="paste"' in text and 'type="file"' in text
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    assert len(tokens) == 3 and len(set(tokens)) == 1  # sign-out and two forms
