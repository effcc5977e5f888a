"""After a refused form: the cursor on the first field in error, messages shown once."""
import re

import pytest

from .checkin_fixtures import door  # noqa: F401
from .test_events import event_form

CSRF_WORDS = "This form expired or did not come from this site."
AUTOFOCUSED = re.compile(r'<(?:input|select|textarea)\b[^>]*\bautofocus\b[^>]*>')
NAME = re.compile(r'\bname="([^"]+)"')


def focused_fields(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [NAME.search(tag).group(1) for tag in AUTOFOCUSED.findall(page)]


def test_first_field_in_error_gets_the_focus_not_the_first_field(signed_in):
    response = signed_in.post_form("/events/new", event_form(
        starts_at="2027-05-02T09:00", ends_at="2027-05-01T09:00"))

    assert response.status_code == 422
    assert focused_fields(response) == ["ends_at"]


def test_only_the_first_of_several_fields_in_error_gets_the_focus(signed_in):
    response = signed_in.post_form("/events/new", event_form(
        name="", starts_at="2027-05-02T09:00", ends_at="2027-05-01T09:00"))

    assert response.status_code == 422
    assert focused_fields(response) == ["name"]


def test_fresh_form_keeps_its_usual_focus(signed_in):
    assert focused_fields(signed_in.get("/events/new")) == ["name"]


@pytest.mark.parametrize("path, data", [
    ("/events/new", event_form()),
    ("/events/{id}/ticket-types/new", {"name": "X", "capacity": "3"}),
    ("/events/{id}/bulk/check", {"ticket": "General", "first_name": "A",
                                 "last_name": "B", "email": "a@example.org"}),
    ("/events/{id}/desk/name", {"desk_name": "North door"}),
    ("/events/{id}/desk/scan", {"q": "ABCDE-FGHJK"}),
])
def test_stale_csrf_message_shows_once(signed_in, event, general, door, path, data):
    signed_in.post_form(f"/events/{event.id}/desk/name", {"desk_name": "North door"})

    response = signed_in.post_form(path.format(id=event.id),
                                   {**data, "csrf_token": "stale"})

    assert response.status_code == 400
    assert response.get_data(as_text=True).count(CSRF_WORDS) == 1
