"""The desk page: scan, search, undo and counters, as a plain form and as JSON."""
import pytest
import segno

from webapp.checkin.printing import qr_data_uri
from webapp.tickets.codes import format_code

from .checkin_fixtures import (  # noqa: F401
    DESK,
    active_check_ins,
    door,
    scan_results,
    second_client,
    staff,
)
from .helpers import flashes

JSON = {"Accept": "application/json"}


@pytest.fixture
def at_desk(client, staff, door):
    """A staff member signed in at the North door of the event."""
    client.login(staff.email)
    response = client.post_form(f"/events/{door.event.id}/desk/name", {"desk_name": DESK})
    assert response.status_code == 302
    return client


def scan(client, door, text, **kwargs):
    return client.post_form(f"/events/{door.event.id}/desk/scan", {"q": text}, **kwargs)


def answer_of(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('data-result="') + len('data-result="')
    return page[start:page.index('"', start)]


def test_desk_asks_for_a_desk_name_once(client, staff, door):
    client.login(staff.email)

    first = client.get(f"/events/{door.event.id}/desk")
    named = client.post_form(f"/events/{door.event.id}/desk/name", {"desk_name": " "})

    assert first.status_code == 302 and first.location.endswith("/desk/name")
    assert named.status_code == 422
    assert "Name this desk" in named.get_data(as_text=True)


def test_scan_checks_in_then_says_already_checked_in(app, at_desk, door):
    first = scan(at_desk, door, format_code(door.code(0)))
    again = scan(at_desk, door, door.code(0).lower())

    assert first.status_code == 200
    assert answer_of(first) == "checked_in"
    assert "Checked in: Ada Lovelace" in first.get_data(as_text=True)
    assert 'autofocus' in first.get_data(as_text=True)
    assert again.status_code == 409
    assert answer_of(again) == "already_checked_in"
    assert f"at desk {DESK} by staff@example.org" in again.get_data(as_text=True)
    assert active_check_ins(app) == 1


@pytest.mark.parametrize("index, result, status", [
    (3, "no_holder", 409),
    (None, "unknown_code", 404),
])
def test_refusals_are_shown_with_their_reason(app, at_desk, door, index, result, status):
    code = door.code(index) if index is not None else "ZZZZZ-ZZZZZ"

    response = scan(at_desk, door, code)

    assert response.status_code == status
    assert answer_of(response) == result
    assert "Do not admit" in response.get_data(as_text=True)
    assert scan_results(app) == [result]


def test_ticket_of_another_event_at_the_desk(app, at_desk, door, organizer, make_event,
                                             make_ticket_type, tickets_of):
    foreign = tickets_of(make_ticket_type(make_event(organizer, "Other"), "VIP", 1))[0]

    response = scan(at_desk, door, foreign.code)

    assert (response.status_code, answer_of(response)) == (422, "other_event")


def test_json_answer_has_reason_code_parts_and_counts(app, at_desk, door):
    response = scan(at_desk, door, door.code(1), headers=JSON)

    body = response.get_json()
    assert response.status_code == 200
    assert body["answer"]["result"] == "checked_in"
    assert body["answer"]["holder"] == {"name": "Grace Hopper"}
    assert body["counts"]["types"] == [{"id": body["counts"]["types"][0]["id"],
                                        "name": "General", "checked_in": 1, "holders": 3}]
    assert "Grace Hopper" in body["html"]["answer"]
    assert "Undo last check-in: Grace Hopper" in body["html"]["undo"]


def test_search_by_name_lists_holders_that_check_in_with_one_button(app, at_desk, door):
    response = scan(at_desk, door, "hopp")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 match for “hopp”" in page
    assert f'name="q" value="{door.code(1)}"' in page
    assert active_check_ins(app) == 0
    assert scan_results(app) == []  # a search is not a scan


def test_search_by_email_and_code_prefix(app, at_desk, door):
    by_email = scan(at_desk, door, "alan@example")
    by_code = scan(at_desk, door, door.code(0)[:5], headers=JSON)

    assert "Alan Turing" in by_email.get_data(as_text=True)
    assert "Ada Lovelace" in by_code.get_json()["html"]["results"]


def test_undo_last_then_check_in_again(app, at_desk, door):
    first = scan(at_desk, door, door.code(0), headers=JSON).get_json()

    undone = at_desk.post_form(f"/events/{door.event.id}/desk/undo",
                               {"check_in_id": first["answer"]["check_in_id"]},
                               headers=JSON)

    assert undone.status_code == 200
    assert undone.get_json()["message"] == "Check-in of Ada Lovelace undone."
    assert undone.get_json()["counts"]["checked_in"] == 0
    assert active_check_ins(app) == 0
    again = scan(at_desk, door, door.code(0))
    assert answer_of(again) == "checked_in"
    assert active_check_ins(app) == 1


def test_desk_cannot_undo_an_older_check_in(app, at_desk, door):
    older = scan(at_desk, door, door.code(0), headers=JSON).get_json()
    scan(at_desk, door, door.code(1))

    response = at_desk.post_form(f"/events/{door.event.id}/desk/undo",
                                 {"check_in_id": older["answer"]["check_in_id"]})

    assert response.status_code == 403
    assert "can only undo its own last check-in" in response.get_data(as_text=True)
    assert active_check_ins(app) == 2


def test_organizer_undoes_any_check_in_from_the_search(app, at_desk, door,
                                                      second_client, organizer):
    client = second_client
    checked = scan(at_desk, door, door.code(0), headers=JSON).get_json()
    client.login(organizer.email)
    client.post_form(f"/events/{door.event.id}/desk/name", {"desk_name": "Office"})

    results = scan(client, door, "Ada")
    response = client.post_form(f"/events/{door.event.id}/desk/undo",
                                {"check_in_id": checked["answer"]["check_in_id"]})

    assert "Undo this check-in" in results.get_data(as_text=True)
    assert response.status_code == 200
    assert flashes(response) == ["Check-in of Ada Lovelace undone."]
    assert active_check_ins(app) == 0


def test_counts_endpoint_keeps_the_desk_current(app, at_desk, door):
    scan(at_desk, door, door.code(0))
    scan(at_desk, door, door.code(1))

    response = at_desk.get(f"/events/{door.event.id}/desk/counts", headers=JSON)

    assert response.get_json()["counts"]["checked_in"] == 2
    assert response.get_json()["counts"]["holders"] == 3


@pytest.mark.parametrize("text, message", [
    ("", "Scan a code or type a name."),
    ("x" * 201, "Field cannot be longer than 200 characters."),
    ("AB\x00CD", "This field must not contain NUL characters."),
])
def test_bad_input_is_refused_with_a_message(app, at_desk, door, text, message):
    response = scan(at_desk, door, text, headers=JSON)

    assert response.status_code == 422
    assert message in response.get_json()["error"]
    assert scan_results(app) == []


def test_scan_without_csrf_token_is_refused(app, at_desk, door):
    response = at_desk.client.post(f"/events/{door.event.id}/desk/scan",
                                   data={"q": door.code(0), "csrf_token": "forged"})

    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)
    assert active_check_ins(app) == 0


@pytest.mark.parametrize("path", ["", "/staff", "/desk-tokens", "/attendees", "/tickets",
                                  "/edit", "/print/holders", "/attendees/new"])
def test_staff_get_404_on_organizer_pages(at_desk, door, path):
    assert at_desk.get(f"/events/{door.event.id}{path}").status_code == 404


def test_staff_see_their_event_linked_to_the_desk(at_desk, door):
    page = at_desk.get("/").get_data(as_text=True)

    assert f'href="/events/{door.event.id}/desk"' in page
    assert f'href="/events/{door.event.id}"' not in page


def test_organizer_of_another_event_gets_404_at_the_desk(app, client, door, make_user,
                                                         make_event):
    stranger = make_user("stranger@example.org")
    make_event(stranger, "Their own event")
    client.login(stranger.email)

    for path in ("/desk", "/desk/name", "/desk/counts"):
        assert client.get(f"/events/{door.event.id}{path}").status_code == 404
    response = scan(client, door, door.code(0))
    assert response.status_code == 404
    assert active_check_ins(app) == 0


def test_printable_ticket_carries_qr_and_code(app, at_desk, door, second_client,
                                             organizer):
    client = second_client
    holder = door.holders[0]

    one = at_desk.get(f"/events/{door.event.id}/print/holders/{holder.id}")
    client.login(organizer.email)
    every = client.get(f"/events/{door.event.id}/print/holders")

    assert one.status_code == 200
    # The QR code carries the bare ticket code, which the desk checks in.
    assert f'src="{qr_data_uri(door.code(0))}"' in one.get_data(as_text=True)
    assert segno.make_qr(door.code(0), error="m").mode == "alphanumeric"
    assert format_code(door.code(0)) in one.get_data(as_text=True)
    assert every.get_data(as_text=True).count('class="ticket"') == 3
    assert client.get(f"/events/{door.event.id}/print/holders/2147483647").status_code == 404


def test_organizer_undoes_from_the_attendee_list(app, signed_in, door, staff,
                                                 second_client):
    second_client.login(staff.email)
    second_client.post_form(f"/events/{door.event.id}/desk/name", {"desk_name": DESK})
    checked = scan(second_client, door, door.code(2), headers=JSON).get_json()

    listing = signed_in.get(f"/events/{door.event.id}/attendees")
    response = signed_in.post_form(f"/events/{door.event.id}/desk/undo", {
        "check_in_id": checked["answer"]["check_in_id"], "back": "attendees"})

    assert 'name="back" value="attendees"' in listing.get_data(as_text=True)
    assert response.status_code == 302
    assert response.location.endswith(f"/events/{door.event.id}/attendees")
    assert flashes(signed_in.get(response.location)) == [
        "Check-in of Alan Turing undone."]
    assert active_check_ins(app) == 0
