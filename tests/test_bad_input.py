"""Bad input on every foundation page: a clear message and a 4xx, never a 500.

Covers huge bodies, ids out of range, other organizers' ids, NUL bytes,
wrong types, forged and expired CSRF tokens, and empty bodies.
"""
import time
from types import SimpleNamespace

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.forms import CSRF_MESSAGE, NUL_MESSAGE
from webapp.models import Event, TicketHolder, TicketType

from .helpers import field_errors, flashes

CSRF_PAGE = ("This form expired or did not come from this site. Nothing was saved. "
             "Go back, reload the page and send it again.")
NOT_FOUND = "There is nothing here."


@pytest.fixture
def site(organizer, event, general, tickets_of, make_holder):
    """The organizer's event with a type of five tickets, the first one held."""
    tickets = tickets_of(general)
    holder = make_holder(event, tickets[0], "Ada", "Lovelace", "ada@example.org")
    return SimpleNamespace(event=event, type=general, holder=holder, tickets=tickets)


FORMS = ["create_event", "edit_event", "create_type", "edit_type", "assign",
         "edit_holder", "move_holder"]


def form_pages(site) -> dict[str, tuple[str, dict]]:
    """Every foundation form: its URL and a valid submission."""
    e, t, h = site.event.id, site.type.id, site.holder.id
    event_values = {"name": "Renamed", "venue": "Hall", "timezone": "UTC",
                    "starts_at": "2027-05-01T09:00", "ends_at": "2027-05-02T18:00"}
    person = {"first_name": "Grace", "last_name": "Hopper",
              "email": "grace@example.org"}
    return {
        "create_event": ("/events/new", event_values),
        "edit_event": (f"/events/{e}/edit", event_values),
        "create_type": (f"/events/{e}/ticket-types/new",
                        {"name": "VIP", "capacity": "3"}),
        "edit_type": (f"/events/{e}/ticket-types/{t}/edit",
                      {"name": "General", "capacity": "6"}),
        "assign": (f"/events/{e}/attendees/new",
                   {"ticket_code": site.tickets[1].code, "ticket_type": "0", **person}),
        "edit_holder": (f"/events/{e}/attendees/{h}", person),
        "move_holder": (f"/events/{e}/attendees/{h}/move",
                        {"move-ticket_code": site.tickets[2].code,
                         "move-ticket_type": "0"}),
    }


def get_pages(e: int, t: int, h: int) -> list[str]:
    return [f"/events/{e}", f"/events/{e}/edit", f"/events/{e}/ticket-types/new",
            f"/events/{e}/ticket-types/{t}/edit", f"/events/{e}/tickets",
            f"/events/{e}/attendees", f"/events/{e}/attendees/new",
            f"/events/{e}/attendees/{h}"]


def post_pages(e: int, t: int, h: int) -> list[str]:
    return [f"/events/{e}/edit", f"/events/{e}/ticket-types/new",
            f"/events/{e}/ticket-types/{t}/edit", f"/events/{e}/attendees/new",
            f"/events/{e}/attendees/{h}", f"/events/{e}/attendees/{h}/move",
            f"/events/{e}/attendees/{h}/unassign"]


def submit(client, url: str, data: dict):
    """Post a form with the session's CSRF token under the form's own prefix."""
    token_name = "move-csrf_token" if url.endswith("/move") else "csrf_token"
    return client.post(url, data={token_name: client.csrf_token, **data})


def page_text(response) -> str:
    return response.get_data(as_text=True)


def assert_refused_cleanly(response, status: int) -> None:
    assert response.status_code == status
    assert "Traceback" not in page_text(response)


def holder_count(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(TicketHolder)).scalar_one()


def test_ten_megabyte_name_gets_a_page_naming_the_limit(app, signed_in):
    response = signed_in.post_form("/events/new", {
        "name": "A" * (10 * 1024 * 1024), "venue": "", "timezone": "UTC",
        "starts_at": "2027-05-01T09:00", "ends_at": "2027-05-02T18:00"})

    assert_refused_cleanly(response, 413)
    assert ("What you sent is larger than this site accepts (8 MB in all). Nothing was "
            "saved." in page_text(response))
    with app.app_context():
        events = db.session.execute(
            select(func.count()).select_from(Event)).scalar_one()
    assert events == 0


@pytest.mark.parametrize("url", [
    "/events/99999999999999999999",
    "/events/2147483648/edit",
    "/events/1/ticket-types/99999999999999999999/edit",
    "/events/1/attendees/99999999999999999999",
    "/events/-1",
])
def test_ids_out_of_range_are_not_found(app, signed_in, site, url):
    response = signed_in.get(url.replace("/1/", f"/{site.event.id}/"))

    assert_refused_cleanly(response, 404)
    assert NOT_FOUND in page_text(response)


@pytest.mark.parametrize("query", [
    "tickets?type=99999999999999999999", "tickets?page=99999999999999999999",
    "tickets?status=nonsense&type=abc&page=abc",
    "attendees?page=99999999999999999999&sort=nonsense",
    "attendees?q=" + "x" * 5000,
])
def test_odd_list_filters_answer_200(signed_in, site, query):
    response = signed_in.get(f"/events/{site.event.id}/{query}")

    assert_refused_cleanly(response, 200)


@pytest.mark.parametrize("query", [
    "tickets?code=%00", "tickets?status=%00&type=abc&page=abc",
    "attendees?q=%00", "attendees?page=99999999999999999999&sort=%00",
])
def test_nul_in_the_address_is_refused_with_a_message(signed_in, site, query):
    response = signed_in.get(f"/events/{site.event.id}/{query}")

    assert_refused_cleanly(response, 400)
    assert "The address contains a NUL character" in page_text(response)


@pytest.fixture
def stranger_user(make_user):
    return make_user("stranger@example.org")


@pytest.fixture
def stranger(client, stranger_user):
    """A signed-in organizer who belongs to none of `site`'s events."""
    client.login(stranger_user.email)
    return client


def test_other_organizers_ids_are_not_found_on_every_page(app, site, stranger):
    e, t, h = site.event.id, site.type.id, site.holder.id

    answers = {url: stranger.get(url).status_code for url in get_pages(e, t, h)}
    answers |= {f"POST {url}": stranger.post_form(url, {"name": "x"}).status_code
                for url in post_pages(e, t, h)}

    assert answers == dict.fromkeys(answers, 404)
    assert holder_count(app) == 1


def test_other_events_children_are_not_found_in_own_event(app, site, stranger,
                                                          stranger_user, make_event):
    own = make_event(stranger_user, "Stranger's Meetup")
    foreign_type, foreign_holder = site.type.id, site.holder.id

    answers = {url: stranger.get(url).status_code
               for url in get_pages(own.id, foreign_type, foreign_holder)
               if str(foreign_type) in url or str(foreign_holder) in url}
    answers |= {f"POST {url}": stranger.post_form(url, {"name": "x"}).status_code
                for url in post_pages(own.id, foreign_type, foreign_holder)
                if "/ticket-types/" in url and "/new" not in url or "/attendees/" in url
                and "/new" not in url}

    assert len(answers) == 6
    assert answers == dict.fromkeys(answers, 404)
    assert holder_count(app) == 1


def nul_cases():
    fields = {
        "create_event": ["name", "venue", "timezone", "starts_at", "ends_at"],
        "edit_event": ["name", "venue", "timezone", "starts_at", "ends_at"],
        "create_type": ["name", "capacity"],
        "edit_type": ["name", "capacity"],
        "assign": ["ticket_code", "ticket_type", "first_name", "last_name", "email"],
        "edit_holder": ["first_name", "last_name", "email"],
        "move_holder": ["move-ticket_code", "move-ticket_type"],
    }
    return [(form, field) for form, names in fields.items() for field in names]


@pytest.mark.parametrize("form, field", nul_cases())
def test_nul_byte_in_any_form_field_gets_message_on_field(app, signed_in, site, form,
                                                         field):
    url, data = form_pages(site)[form]
    data[field] = data[field][:2] + "\x00" + data[field][2:]

    response = submit(signed_in, url, data)

    assert_refused_cleanly(response, 422)
    assert field_errors(response) == [NUL_MESSAGE]
    assert holder_count(app) == 1


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_byte_in_sign_in_gets_message(client, organizer, field):
    client.fetch_csrf_token("/login")
    data = {"email": organizer.email, "password": "correct horse battery"}
    data[field] = "\x00" + data[field]

    response = client.post_form("/login", data)

    assert_refused_cleanly(response, 422)
    assert field_errors(response) == [NUL_MESSAGE]


@pytest.mark.parametrize("form, field, value, message", [
    ("create_type", "capacity", "abc", "Not a valid integer value."),
    ("create_type", "capacity", "-1", "Capacity must be between 0 and 100,000."),
    ("create_type", "capacity", "100001", "Capacity must be between 0 and 100,000."),
    ("create_type", "capacity", "99999999999999999999",
     "Capacity must be between 0 and 100,000."),
    ("create_type", "capacity", "", "Enter how many tickets of this type there are."),
    ("edit_type", "capacity", "2.5", "Not a valid integer value."),
    ("create_type", "name", "N" * 101, "Field cannot be longer than 100 characters."),
    ("create_event", "starts_at", "yesterday", "Enter a start date and time."),
    ("create_event", "ends_at", "2027-13-45T25:61", "Enter an end date and time."),
    ("create_event", "timezone", "Mars/Olympus", "Not a valid choice."),
    ("create_event", "name", "", "This field is required."),
    ("edit_event", "ends_at", "2027-04-30T09:00",
     "The event must end after it starts."),
    ("assign", "ticket_type", "-5", "Choose one of this event's ticket types."),
    ("move_holder", "move-ticket_code", "not a code",
     "No ticket has the code not a code. Check it and try again."),
])
def test_wrong_types_get_message_on_field(signed_in, site, form, field, value, message):
    url, data = form_pages(site)[form]
    data[field] = value

    response = submit(signed_in, url, data)

    assert_refused_cleanly(response, 422)
    assert any(error.startswith(message) for error in field_errors(response))


@pytest.mark.parametrize("form", FORMS)
def test_forged_csrf_token_returns_form_with_input(app, signed_in, site, form):
    url, data = form_pages(site)[form]
    data["csrf_token" if form != "move_holder" else "move-csrf_token"] = "forged"

    response = signed_in.post(url, data=data)

    assert_refused_cleanly(response, 400)
    assert CSRF_MESSAGE in page_text(response)
    typed = data.get("first_name") or data.get("name") or data["move-ticket_code"]
    assert f'value="{typed}"' in page_text(response)
    assert holder_count(app) == 1


class NineHoursAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 9 * 3600


def test_expired_csrf_token_returns_form_with_input(app, signed_in, site):
    url, data = form_pages(site)["assign"]
    signed_in.fetch_csrf_token(url)
    with signed_in.session_transaction() as session:
        raw_token = session["csrf_token"]
    old_token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token",
                                       signer=NineHoursAgoSigner).dumps(raw_token)

    response = signed_in.post(url, data={**data, "csrf_token": old_token})

    assert_refused_cleanly(response, 400)
    assert CSRF_MESSAGE in page_text(response)
    assert 'value="grace@example.org"' in page_text(response)
    assert holder_count(app) == 1


@pytest.mark.parametrize("url", ["unassign", "logout"])
def test_forged_csrf_on_buttons_gets_message_page(app, signed_in, site, url):
    path = (f"/events/{site.event.id}/attendees/{site.holder.id}/unassign"
            if url == "unassign" else "/logout")

    response = signed_in.post(path, data={"csrf_token": "forged"})

    assert_refused_cleanly(response, 400)
    assert CSRF_PAGE in page_text(response)
    assert holder_count(app) == 1
    assert signed_in.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("form", ["create_event", "create_type", "assign"])
def test_empty_body_is_refused_with_messages(app, signed_in, site, form):
    url, _data = form_pages(site)[form]

    without_token = signed_in.post(url)
    only_token = signed_in.post_form(url, {})

    assert_refused_cleanly(without_token, 400)
    assert CSRF_MESSAGE in page_text(without_token)
    assert_refused_cleanly(only_token, 422)
    assert len(field_errors(only_token)) >= 2
    assert holder_count(app) == 1


def test_empty_holder_edit_changes_nothing(app, signed_in, site):
    url, _data = form_pages(site)["edit_holder"]

    without_token = signed_in.post(url)
    only_token = signed_in.post_form(url, {})

    assert_refused_cleanly(without_token, 400)
    assert only_token.status_code == 302  # absent fields keep their stored values
    with app.app_context():
        stored = db.session.get(TicketHolder, site.holder.id)
        assert (stored.first_name, stored.last_name, stored.email) == (
            "Ada", "Lovelace", "ada@example.org")


def test_empty_sign_in_is_refused(client):
    response = client.post("/login")

    assert_refused_cleanly(response, 400)
    assert CSRF_MESSAGE in page_text(response)


def test_refused_type_edit_keeps_stored_capacity(app, signed_in, site):
    url, data = form_pages(site)["edit_type"]

    response = signed_in.post_form(url, {**data, "capacity": "\x00"})

    assert_refused_cleanly(response, 422)
    assert flashes(response) == []
    with app.app_context():
        assert db.session.get(TicketType, site.type.id).capacity == 5


def test_json_body_to_sign_in_is_refused_not_a_500(client):
    client.fetch_csrf_token("/login")

    response = client.client.post("/login", json={
        "email": 1, "password": ["x"], "csrf_token": client.csrf_token})

    assert response.status_code == 400
    assert "This form expired or did not come from this site." in page_text(response)


def test_json_body_to_a_form_is_refused_not_a_500(signed_in):
    response = signed_in.client.post("/events/new", json={
        "name": {"a": 1}, "capacity": 5, "csrf_token": signed_in.csrf_token})

    assert response.status_code == 400
    assert "This form expired or did not come from this site." in page_text(response)
