"""The desk in headless Chromium: scan with Enter, scan again, search, undo."""
import pytest

from webapp.tickets.codes import format_code

from .checkin_fixtures import door, staff  # noqa: F401
from .conftest import PASSWORD
from .live import browser, live_server, page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.browser]


@pytest.fixture
def desk_page(page, staff, door):
    page.goto("/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=door.event.name).click()
    page.get_by_label("Desk name").fill("Browser desk")
    page.get_by_role("button", name="Open the desk").click()
    page.wait_for_selector("#q")
    # The desk's script runs before "load"; typing earlier would send the
    # plain form, as a browser without JavaScript does.
    page.wait_for_load_state("load")
    # Set on the loaded page: it survives only if nothing reloads the page.
    page.evaluate("window.deskMarker = 'same page'")
    return page


def scan(page, text: str) -> None:
    # A scanner types into whatever has focus: the desk must give it to #q.
    page.wait_for_selector("#q:focus")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def answer(page, result: str):
    return page.wait_for_selector(f'#desk-answer .answer[data-result="{result}"]')


def test_scan_by_typing_and_enter_then_again(desk_page, door):
    page = desk_page
    # Focus is given by the page's script once it has loaded, and back after
    # each answer; waiting for it fails the test if it never comes.
    page.wait_for_selector("#q:focus", timeout=5000)

    scan(page, format_code(door.code(0)))
    first = answer(page, "checked_in").inner_text()
    page.wait_for_selector("#q:focus", timeout=5000)
    scan(page, door.code(0))
    again = answer(page, "already_checked_in").inner_text()

    assert "Checked in: Ada Lovelace" in first and "ADMIT" in first.upper()
    assert "Already checked in" in again and "at desk Browser desk" in again
    assert page.locator("#total-checked-in").inner_text() == "1"
    assert page.evaluate("window.deskMarker") == "same page"


def test_search_by_name_check_in_from_results_and_undo(desk_page, door):
    page = desk_page

    scan(page, "Hopp")
    page.wait_for_selector("#result-list .result-button")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    checked = answer(page, "checked_in").inner_text()
    page.get_by_role("button", name="Undo last check-in: Grace Hopper").click()
    undone = answer(page, "undone").inner_text()

    assert "Grace Hopper" in checked
    assert undone == "Check-in of Grace Hopper undone."
    assert page.locator("#total-checked-in").inner_text() == "0"
    page.wait_for_selector("#q:focus", timeout=5000)
    assert page.evaluate("window.deskMarker") == "same page"


def test_unknown_code_is_spelled_out(desk_page):
    scan(desk_page, "ZZZZZ-ZZZZZ")

    text = answer(desk_page, "unknown_code").inner_text()
    assert "Unknown code" in text and "Do not admit".upper() in text.upper()
