"""The live server and the browser start, and a sign-in works through both."""
import pytest

from .live import LiveClient, browser, live_server, page  # noqa: F401

pytestmark = pytest.mark.live


def test_gunicorn_serves_sign_in(live_server, organizer):
    client = LiveClient(live_server.url)

    client.login(organizer.email)

    assert client.get(client.url("/"), timeout=10).status_code == 200
    assert live_server.tracebacks() == 0


@pytest.mark.browser
def test_browser_signs_in(page, organizer):
    page.goto("/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    assert page.get_by_role("heading", name="Your events").is_visible()
    assert "Signed in as organizer@example.org." in page.locator(".flash").inner_text()
