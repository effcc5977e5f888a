"""Two quick scans at the desk with JavaScript: both are sent, in order."""
import pytest

from webapp.tickets.codes import format_code

from .checkin_fixtures import door, scan_results, staff  # noqa: F401
from .live import browser, live_server, page  # noqa: F401
from .test_desk_browser import desk_page, scan  # noqa: F401
from .test_layout_browser import keep_screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]


def hold_first_scan(page) -> list:
    """Keep the first scan request in flight until the test lets it go."""
    held = []

    def handle(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/desk/scan", handle)
    return held


def test_scan_made_while_the_previous_is_sending_is_queued_not_lost(
        app, desk_page, door):
    page = desk_page
    held = hold_first_scan(page)
    first, second = format_code(door.code(0)), format_code(door.code(1))

    scan(page, first)
    while not held:
        page.wait_for_timeout(50)
    scan(page, second)
    page.wait_for_timeout(300)

    # The second code waits in the queue; the input is free for the next.
    assert page.input_value("#q") == ""
    assert page.get_attribute("#desk", "data-waiting") == "2"
    assert len(held) == 1

    held[0].continue_()
    page.wait_for_selector(f'#desk-answer .answer[data-code="{second}"]')
    keep_screenshot(page, "desk-two-scans")

    # The log line follows the answer box; wait for it rather than race it.
    page.locator("#desk-log li").nth(1).wait_for()
    shown = page.locator("#desk-answer .answer").inner_text()
    assert f"Scanned: {second}" in shown and "Grace Hopper" in shown
    log = page.locator("#desk-log li").all_inner_texts()
    assert [entry.split(":")[0] for entry in log] == [second, first]
    assert "Ada Lovelace" in log[1] and "Grace Hopper" in log[0]
    assert page.locator("#total-checked-in").inner_text() == "2"
    assert page.get_attribute("#desk", "data-waiting") is None
    assert scan_results(app) == ["checked_in", "checked_in"]


def test_scans_never_concatenate_in_the_input(app, desk_page, door):
    page = desk_page
    held = hold_first_scan(page)

    scan(page, door.code(0))
    while not held:
        page.wait_for_timeout(50)
    scan(page, door.code(1))
    scan(page, door.code(2))
    assert page.input_value("#q") == ""

    held[0].continue_()
    page.wait_for_selector(f'#desk-answer .answer[data-code="{door.code(2)}"]')
    page.locator("#desk-log li").nth(2).wait_for()

    assert [e.split(":")[0] for e in page.locator("#desk-log li").all_inner_texts()] \
        == [door.code(2), door.code(1), door.code(0)]
    assert scan_results(app) == ["checked_in"] * 3


def test_scan_input_takes_the_room_not_the_button(desk_page):
    widths = desk_page.evaluate(
        "[document.getElementById('q').offsetWidth,"
        " document.querySelector('.scan-row').offsetWidth]")

    assert widths[0] > widths[1] / 2, widths
