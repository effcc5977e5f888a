"""Every row status of the bulk preview, with its message, on both databases."""
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Ticket, utcnow
from webapp.tickets.codes import format_code

from .bulk_helpers import commit, holder_count, preview, statuses


def test_rows_by_code_and_by_type_will_be_assigned(app, signed_in, event, general,
                                                    tickets_of):
    first, second = tickets_of(general)[:2]

    response = preview(signed_in, event, [
        (format_code(first.code).lower(), " Grace ", "Hopper", "Grace@Example.ORG "),
        ("general", "Alan", "Turing", "alan@example.org"),
    ])

    assert response.status_code == 200
    assert statuses(response) == [
        ("assign", f"Will get ticket {format_code(first.code)} (General)."),
        ("assign", f"Will get ticket {format_code(second.code)} (General)."),
    ]
    assert 'value="grace@example.org"' in response.get_data(as_text=True)
    assert holder_count(app) == 0  # a preview writes nothing


def test_ticket_held_by_someone_else_names_the_holder(app, signed_in, event, general,
                                                      tickets_of, make_holder):
    ticket = tickets_of(general)[0]
    make_holder(event, ticket, "Ada", "Lovelace", "ada@example.org")

    response = preview(signed_in, event,
                       [(ticket.code, "Grace", "Hopper", "g@example.org")])

    assert statuses(response) == [
        ("ticket_held", f"Ticket {format_code(ticket.code)} is already held by "
                        "Ada Lovelace (ada@example.org).")]


def test_row_already_assigned_like_this_is_unchanged(app, signed_in, event, general,
                                                     tickets_of, make_holder):
    ticket = tickets_of(general)[0]
    make_holder(event, ticket, "Ada", "Lovelace", "ada@example.org")

    response = preview(signed_in, event, [
        (ticket.code, "Ada", "Lovelace", "ADA@example.org"),
        ("General", "Ada", "Lovelace", "ada@example.org"),
    ])

    assert statuses(response) == [
        ("unchanged", f"Already holds ticket {format_code(ticket.code)}; no change."),
        ("duplicate_email", "ada@example.org is also on row 1. Tick “Accept repeated "
                            "emails” if one person should get several tickets."),
    ]


def test_row_by_type_already_assigned_is_unchanged(app, signed_in, event, general,
                                                   tickets_of, make_holder):
    ticket = tickets_of(general)[2]
    make_holder(event, ticket, "Ada", "Lovelace", "ada@example.org")

    response = preview(signed_in, event,
                       [("GENERAL", "Ada", "Lovelace", "ada@example.org")])

    assert statuses(response) == [
        ("unchanged", f"Already holds ticket {format_code(ticket.code)} (General); "
                      "no change.")]


def test_ticket_of_another_event(app, signed_in, organizer, event, general, make_event,
                                 make_ticket_type, tickets_of):
    other = make_ticket_type(make_event(organizer, "Other Fest"), "General", 1)
    foreign = tickets_of(other)[0]

    response = preview(signed_in, event,
                       [(foreign.code, "Ada", "Lovelace", "a@example.org")])

    assert statuses(response) == [("other_event", f"Ticket {format_code(foreign.code)} "
                                   "belongs to another event.")]


def test_unknown_code_and_unknown_type(app, signed_in, event, general):
    response = preview(signed_in, event, [
        ("ABCDE-FGHJK", "Ada", "Lovelace", "a@example.org"),
        ("Backstage", "Alan", "Turing", "t@example.org"),
    ])

    assert statuses(response) == [
        ("unknown_ticket", "No ticket has the code ABCDE-FGHJK."),
        ("unknown_ticket", "“Backstage” is neither a ticket code nor a ticket type of "
                           "this event (types: General)."),
    ]


def test_capacity_counts_rows_above_in_the_same_batch(app, signed_in, event,
                                                      make_ticket_type, tickets_of):
    speaker = make_ticket_type(event, "Speaker", 2)
    first, second = tickets_of(speaker)

    response = preview(signed_in, event, [
        (second.code, "Ada", "Lovelace", "ada@example.org"),
        ("Speaker", "Alan", "Turing", "alan@example.org"),
        ("Speaker", "Grace", "Hopper", "grace@example.org"),
    ])

    assert statuses(response) == [
        ("assign", f"Will get ticket {format_code(second.code)} (Speaker)."),
        ("assign", f"Will get ticket {format_code(first.code)} (Speaker)."),
        ("sold_out", "No free Speaker ticket is left for this row (rows above in this "
                     "batch count too). Raise the capacity or choose another type."),
    ]


def test_same_ticket_twice_marks_both_rows(app, signed_in, event, general, tickets_of):
    code = tickets_of(general)[0].code

    response = preview(signed_in, event, [
        (code, "Ada", "Lovelace", "ada@example.org"),
        ("General", "Alan", "Turing", "alan@example.org"),
        (format_code(code).lower(), "Grace", "Hopper", "grace@example.org"),
    ])

    shown = format_code(code)
    assert [status for status, _ in statuses(response)] == [
        "duplicate_ticket", "assign", "duplicate_ticket"]
    assert statuses(response)[0][1] == f"Ticket {shown} is also on row 3 of this batch."
    assert statuses(response)[2][1] == f"Ticket {shown} is also on row 1 of this batch."


def test_same_email_twice_is_a_warning_the_organizer_can_accept(app, signed_in, event,
                                                                general):
    rows = [("General", "Ada", "Lovelace", "ada@example.org"),
            ("General", "Ada", "Lovelace", "ADA@example.org")]

    warned = preview(signed_in, event, rows)
    accepted = preview(signed_in, event, rows, accept_duplicate_emails="y")

    assert statuses(warned) == [
        ("duplicate_email", "ada@example.org is also on row 2. Tick “Accept repeated "
                            "emails” if one person should get several tickets."),
        ("duplicate_email", "ada@example.org is also on row 1. Tick “Accept repeated "
                            "emails” if one person should get several tickets."),
    ]
    assert [status for status, _ in statuses(accepted)] == ["assign", "assign"]
    assert statuses(accepted)[0][1].endswith("Same email as row 2 (accepted).")


def test_missing_and_invalid_fields(app, signed_in, event, general):
    response = preview(signed_in, event, [
        ("General", "", "Lovelace", "ada@example.org"),
        ("General", "Alan", "Turing", "not-an-email"),
        ("", "Grace", "Hopper\x00", "grace@example.org"),
        ("General", "x" * 101, "Hopper", "grace@example.org"),
    ])

    assert statuses(response) == [
        ("invalid", "First name is missing."),
        ("invalid", "Email not-an-email is not valid; write it like name@example.org."),
        ("invalid", "Ticket code or type is missing. Last name must not contain NUL "
                    "characters."),
        ("invalid", "First name is longer than 100 characters."),
    ]


def test_voided_ticket(app, signed_in, event, general, tickets_of):
    ticket = tickets_of(general)[0]
    with app.app_context():
        db.session.execute(select(Ticket).where(Ticket.id == ticket.id)).scalar_one() \
            .voided_at = utcnow()
        db.session.commit()

    response = preview(signed_in, event,
                       [(ticket.code, "Ada", "Lovelace", "a@example.org")])

    assert statuses(response) == [
        ("voided", f"Ticket {format_code(ticket.code)} is voided and admits nobody.")]


def test_same_rows_committed_twice_change_nothing_the_second_time(
        app, signed_in, event, general, tickets_of):
    code = tickets_of(general)[0].code
    rows = [(code, "Ada", "Lovelace", "ada@example.org"),
            ("General", "Alan", "Turing", "alan@example.org")]

    assert commit(signed_in, event, rows).status_code == 200
    before = holder_count(app)
    again = preview(signed_in, event, rows)

    assert [status for status, _ in statuses(again)] == ["unchanged", "unchanged"]
    assert before == 2 and holder_count(app) == 2
