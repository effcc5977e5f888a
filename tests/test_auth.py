"""Signing in and out."""
import pytest

from .conftest import PASSWORD
from .helpers import field_errors, flashes


def sign_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    client.fetch_csrf_token("/login")
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post_form(url, {"email": email, "password": password})


def test_sign_in_redirects_to_events_with_flash(client, organizer):
    response = sign_in(client, " Organizer@Example.ORG ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert flashes(page) == ["Signed in as organizer@example.org."]
    assert "Your events" in page.get_data(as_text=True)


@pytest.mark.parametrize("email, password", [
    ("organizer@example.org", "wrong password"),
    ("nobody@example.org", PASSWORD),
])
def test_wrong_email_or_password_is_401_with_message(client, organizer, email,
                                                     password):
    response = sign_in(client, email, password)

    assert response.status_code == 401
    assert field_errors(response) == ["Wrong email or password."]
    assert f'value="{email}"' in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client, organizer):
    response = client.get("/events/new")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fevents%2Fnew"
    assert flashes(client.get("/login")) == ["Please sign in to see that page."]


def test_sign_out_ends_the_session(signed_in):
    response = signed_in.post_form("/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert flashes(signed_in.get("/login")) == ["Signed out."]
    assert signed_in.get("/").status_code == 302


def test_sign_out_needs_post(signed_in):
    assert signed_in.get("/logout").status_code == 405
    assert signed_in.get("/").status_code == 200


def test_signed_in_user_visiting_login_goes_to_events(signed_in):
    response = signed_in.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_url, location", [
    ("/events/7/attendees?q=ada", "/events/7/attendees?q=ada"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/%09/evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_next_is_followed_only_within_the_site(client, organizer, next_url, location):
    response = sign_in(client, organizer.email, next_url=next_url)

    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_sign_in_starts_a_clean_session(client, organizer):
    client.get("/login")
    with client.session_transaction() as session:
        session["left_behind"] = "from before the sign-in"

    client.login(organizer.email)

    with client.session_transaction() as session:
        assert "left_behind" not in session
        assert session["_user_id"] == str(organizer.id)


def test_sign_out_clears_the_session(signed_in):
    with signed_in.session_transaction() as session:
        session["left_behind"] = "kept for this user only"

    signed_in.post_form("/logout")

    with signed_in.session_transaction() as session:
        assert "left_behind" not in session and "_user_id" not in session
