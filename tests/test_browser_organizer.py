"""An organizer's first session in headless Chromium, through gunicorn."""
import re

import pytest

from .conftest import PASSWORD
from .live import browser, live_server, page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.browser]


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assign(page, code: str, first: str, last: str, email: str) -> None:
    page.get_by_role("link", name="Assign", exact=True).first.click()
    page.get_by_label("Ticket code").fill(code)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Assign ticket").click()


def test_organizer_sets_up_event_and_sees_conflict_on_second_assignment(
        page, organizer):
    sign_in(page, organizer.email)
    assert page.get_by_role("heading", name="Your events").is_visible()

    page.get_by_role("link", name="New event").click()
    page.get_by_label("Name").fill("Browser Conf")
    page.get_by_label("Venue").fill("Hall 1")
    page.get_by_label("Time zone").select_option("Europe/Vienna")
    page.get_by_label("Starts").fill("2027-06-01T09:00")
    page.get_by_label("Ends").fill("2027-06-02T17:00")
    page.get_by_role("button", name="Save event").click()
    assert page.locator(".flash").inner_text() == (
        "Event “Browser Conf” created. Add ticket types next.")

    page.get_by_role("link", name="New ticket type").click()
    page.get_by_label("Name").fill("General")
    page.get_by_label("Capacity").fill("3")
    page.get_by_role("button", name="Save ticket type").click()
    assert page.locator(".flash").inner_text() == (
        "Ticket type “General” created with 3 tickets.")

    page.get_by_role("link", name="Tickets", exact=True).click()
    code = page.locator("td.code").first.inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", code)

    assign(page, code, "Ada", "Lovelace", "ada@example.org")
    assert page.locator(".flash").inner_text() == (
        f"Ada Lovelace now holds ticket {code}.")

    assign(page, code.lower(), "Grace", "Hopper", "grace@example.org")

    error = page.locator("#ticket_code-error")
    assert error.inner_text() == f"Ticket {code} is already held by Ada Lovelace."
    assert page.get_by_label("Ticket code").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("First name").input_value() == "Grace"
    assert page.get_by_label("Last name").input_value() == "Hopper"
    assert page.get_by_label("Email").input_value() == "grace@example.org"

    page.get_by_role("link", name="See Ada Lovelace").click()
    assert page.get_by_role("heading", name="Ada Lovelace").is_visible()
    assert page.get_by_label("Email").first.input_value() == "ada@example.org"
