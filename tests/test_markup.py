"""Names and emails with HTML or script in them show as text, everywhere."""
import pytest

from .live import browser, live_server, page  # noqa: F401

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
EMAIL = '"><img src=x onerror=alert(1)>@example.org'
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;",
           "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"]


@pytest.fixture
def marked_up(app, organizer, make_event, make_ticket_type, tickets_of, make_holder):
    """An event, a ticket type and a holder whose names carry markup."""
    event = make_event(organizer, name=f"Expo {SCRIPT}")
    ticket_type = make_ticket_type(event, f"VIP {IMAGE}", 2)
    holder = make_holder(event, tickets_of(ticket_type)[0], SCRIPT, IMAGE, EMAIL)
    return event, holder


def pages_showing_names(event, holder) -> list[str]:
    return [
        "/", f"/events/{event.id}", f"/events/{event.id}/attendees",
        f"/events/{event.id}/attendees?q=%3Cscript%3E",
        f"/events/{event.id}/attendees/{holder.id}",
        f"/events/{event.id}/tickets", f"/events/{event.id}/audit",
        f"/events/{event.id}/audit?attendee=%3Cscript%3E",
    ]


def test_markup_is_escaped_on_every_page(signed_in, marked_up):
    event, holder = marked_up

    for path in pages_showing_names(event, holder):
        response = signed_in.get(path)
        body = response.get_data(as_text=True)

        assert response.status_code == 200, path
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert ESCAPED[0] in body, path


def test_markup_in_names_shows_before_and_after_in_the_audit(signed_in, marked_up):
    event, holder = marked_up
    signed_in.post_form(f"/events/{event.id}/attendees/{holder.id}", {
        "first_name": "Plain", "last_name": "Name", "email": "plain@example.org"})

    body = signed_in.get(f"/events/{event.id}/audit?action=holder_edited") \
        .get_data(as_text=True)

    assert f"<del>{ESCAPED[0]}</del> → <ins>Plain</ins>" in body
    assert "<script>alert" not in body


@pytest.mark.parametrize("export", ["attendees.csv", "check-ins.csv"])
def test_exports_are_never_served_as_html(signed_in, marked_up, export):
    event, _holder = marked_up

    response = signed_in.get(f"/events/{event.id}/exports/{export}")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.live
@pytest.mark.browser
def test_browser_shows_markup_as_text_and_runs_none(page, marked_up, organizer):
    event, holder = marked_up
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    shown, injected = {}, {}
    for path in pages_showing_names(event, holder):
        page.goto(path)
        shown[path] = page.locator("main").inner_text()
        injected[path] = page.evaluate(
            "document.querySelectorAll('img, script').length")

    assert dialogs == []
    assert set(injected.values()) == {0}
    for path, text in shown.items():
        assert SCRIPT in text, path
    assert IMAGE in shown[f"/events/{event.id}/attendees/{holder.id}"]
    assert EMAIL in shown[f"/events/{event.id}/attendees"]


@pytest.mark.parametrize("role", ["organizer", "staff"])
def test_every_page_reachable_by_links_escapes_markup(app, marked_up, organizer,
                                                      make_user, role):
    """Pages added later (desk, bulk preview, printable tickets) are covered too."""
    from webapp.extensions import db
    from webapp.models import EventMembership, Role

    from .conftest import WebClient
    from .forms_on_pages import crawl

    event, _holder = marked_up
    email = organizer.email
    if role == "staff":
        email = make_user("staff@example.org").email
        with app.app_context():
            db.session.add(EventMembership(event_id=event.id, role=Role.STAFF,
                                           user_id=make_user_id(email)))
            db.session.commit()
    client = WebClient(app.test_client())
    client.login(email)
    escaped_on = []

    def get(path):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, path
        if not response.content_type.startswith("text/html"):
            # A CSV holds the text as typed; it must never be taken for HTML.
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            return response.status_code, response.content_type, body
        assert "<script>alert" not in body and "<img src=x" not in body, path
        if ESCAPED[0] in body:
            escaped_on.append(path)
        return response.status_code, response.content_type, body

    pages, _forms = crawl(get)

    assert len(escaped_on) >= (6 if role == "organizer" else 1), (pages, escaped_on)


def make_user_id(email: str) -> int:
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User

    return db.session.execute(select(User.id).where(User.email == email)).scalar_one()
