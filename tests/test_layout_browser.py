"""Layout in headless Chromium: nothing cut off or scrolling sideways, phone and desk.

Set SCREENSHOT_DIR to keep a screenshot of each page for a person to look at.
"""
import os

import pytest

from .conftest import PASSWORD
from .live import browser, live_server, page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.browser]

PHONE, DESKTOP = 390, 1200
LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft" * 2)[:100]
LONG_EMAIL = "maximiliane.wolfeschlegelsteinhausen@department.example.org"
PAGE_SCROLL = ("document.documentElement.scrollWidth"
               " - document.documentElement.clientWidth")


def sign_in(page, email="organizer@example.org") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def keep_screenshot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_attendee_list_with_a_long_name_does_not_scroll_sideways(
        page, signed_in, event, general, tickets_of, make_holder, width):
    make_holder(event, tickets_of(general)[0], LONG_NAME, LONG_NAME, LONG_EMAIL)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page)

    page.goto(f"/events/{event.id}/attendees")
    page.wait_for_selector("#attendees")
    keep_screenshot(page, f"attendees-{width}")

    assert page.locator("#attendees").inner_text().count(LONG_NAME) == 2
    assert page.evaluate(PAGE_SCROLL) == 0


def show_preview(page, event, rows) -> None:
    page.goto(f"/events/{event.id}/bulk")
    for row, values in zip(page.locator("#bulk-rows tbody tr").all(), rows):
        for cell, value in zip(row.locator("input").all(), values):
            cell.fill(value)
    page.get_by_role("button", name="Check rows").click()
    page.wait_for_selector("#summary")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_bulk_preview_shows_whole_emails_and_scrolls_inside_its_box(
        page, signed_in, event, general, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page)

    show_preview(page, event, [("General", "Ada", "Lovelace", LONG_EMAIL),
                               ("Backstage", "Alan", "Turing", "alan@example.org")])
    keep_screenshot(page, f"bulk-preview-{width}")

    # The page itself never scrolls sideways; the table may, inside its box.
    assert page.evaluate(PAGE_SCROLL) == 0
    email = page.get_by_label("Email, row 1")
    assert email.input_value() == LONG_EMAIL
    if width == DESKTOP:
        widths = email.evaluate("input => [input.scrollWidth, input.clientWidth]")
        assert widths[0] <= widths[1], widths
    box = page.locator(".table-scroll")
    assert box.evaluate("box => getComputedStyle(box).overflowX") == "auto"
