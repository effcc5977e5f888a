"""Organizers add and remove check-in staff; new staff set a password by link."""
import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditAction, AuditEntry, EventMembership, Role, User

from .checkin_fixtures import door, second_client, staff  # noqa: F401
from .conftest import PASSWORD, WebClient
from .helpers import field_errors, flashes

LINK = re.compile(r'id="set-password-link" readonly value="http://localhost(/set-password/[^"]+)"')
JOIN_LINK = re.compile(r'id="join-link" readonly value="http://localhost(/join/[^"]+)"')


def staff_url(event) -> str:
    return f"/events/{event.id}/staff"


def roles(app, event) -> dict[str, str]:
    with app.app_context():
        return {email: role.value for email, role in db.session.execute(
            select(User.email, EventMembership.role)
            .join(EventMembership, EventMembership.user_id == User.id)
            .where(EventMembership.event_id == event.id))}


def join_link(response) -> str:
    return JOIN_LINK.search(response.get_data(as_text=True)).group(1)


def staff_added_entries(app) -> list[dict]:
    with app.app_context():
        return list(db.session.execute(select(AuditEntry.details).where(
            AuditEntry.action == AuditAction.STAFF_ADDED)).scalars())


def test_existing_account_joins_only_by_confirming_the_link(app, signed_in, event,
                                                            make_user, second_client):
    make_user("volunteer@example.org")

    response = signed_in.post_form(staff_url(event), {"email": " Volunteer@Example.org "})
    link = join_link(response)
    before = dict(roles(app, event))
    second_client.login("volunteer@example.org")
    desk_before = second_client.get(f"/events/{event.id}/desk").status_code
    page = second_client.get(link)
    joined = second_client.post_form(link)
    again = second_client.post_form(link)

    assert response.status_code == 200
    assert "volunteer@example.org" not in before
    assert desk_before == 404
    assert page.status_code == 200
    assert "Join Test Conference" in page.get_data(as_text=True)
    assert joined.status_code == 302
    assert joined.location.endswith(f"/events/{event.id}/desk")
    assert again.status_code == 409
    assert roles(app, event)["volunteer@example.org"] == "staff"
    assert staff_added_entries(app) == [
        {"email": "volunteer@example.org", "new_account": False}]


def test_invite_password_alone_opens_no_other_event(app, client, make_user, make_event,
                                                    second_client):
    """The takeover QA found: B invites victim@, sets its password, A adds victim@."""
    organizer_a = make_user("a@example.org")
    event_a = make_event(organizer_a, "A's gala")
    organizer_b = make_user("other@example.org")
    event_b = make_event(organizer_b, "B's fair")
    client.login(organizer_b.email)
    invite = client.post_form(staff_url(event_b), {"email": "victim@example.org"})
    second_client.fetch_csrf_token("/login")
    set_link = LINK.search(invite.get_data(as_text=True)).group(1)
    second_client.fetch_csrf_token(set_link)
    second_client.post_form(set_link, {"password": "b-knows-this",
                                       "confirm": "b-knows-this"})

    client_a = WebClient(app.test_client())
    client_a.login(organizer_a.email)
    added_by_a = client_a.post_form(staff_url(event_a), {"email": "victim@example.org"})
    link_for_a = join_link(added_by_a)
    second_client.login("victim@example.org", "b-knows-this")
    scan = second_client.post_form(f"/events/{event_a.id}/desk/scan", {"q": "a"})
    stranger_use = client_a.post_form(link_for_a)  # A signed in, not the invitee

    assert added_by_a.status_code == 200
    assert "can sign in with their password" not in added_by_a.get_data(as_text=True)
    assert scan.status_code == 404
    assert stranger_use.status_code == 404
    assert "victim@example.org" not in roles(app, event_a)


def test_forged_expired_or_orphaned_join_links_are_refused(app, signed_in, event,
                                                           make_user, second_client,
                                                           monkeypatch):
    from webapp.staff import services

    make_user("volunteer@example.org")
    link = join_link(signed_in.post_form(staff_url(event),
                                         {"email": "volunteer@example.org"}))
    second_client.login("volunteer@example.org")

    forged = second_client.post_form(link[:-3] + "abc")
    huge = second_client.get("/join/" + "x" * 5000)
    no_csrf = second_client.client.post(link, data={})
    monkeypatch.setattr(services, "LINK_MAX_AGE_SECONDS", -1)
    expired = second_client.post_form(link)

    assert forged.status_code == 404
    assert huge.status_code == 404
    assert no_csrf.status_code == 400
    assert expired.status_code == 410
    assert "volunteer@example.org" not in roles(app, event)


def test_join_link_sends_a_signed_out_person_to_sign_in(app, signed_in, event,
                                                        make_user, client):
    make_user("volunteer@example.org")
    link = join_link(signed_in.post_form(staff_url(event),
                                         {"email": "volunteer@example.org"}))
    anonymous = WebClient(app.test_client())

    response = anonymous.client.get(link)

    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_new_person_gets_account_and_one_time_link(app, signed_in, event, second_client):
    added = signed_in.post_form(staff_url(event), {"email": "new@example.org"})
    link = LINK.search(added.get_data(as_text=True)).group(1)

    second_client.fetch_csrf_token("/login")
    refused_before = second_client.post_form("/login", {"email": "new@example.org",
                                                        "password": "anything at all"})
    form = second_client.get(link)
    second_client.fetch_csrf_token(link)
    mismatch = second_client.post_form(link, {"password": "a-new-password",
                                              "confirm": "different"})
    done = second_client.post_form(link, {"password": "a-new-password",
                                          "confirm": "a-new-password"})
    reused = second_client.get(link)
    signed = second_client.login("new@example.org", "a-new-password")

    assert added.status_code == 201
    assert refused_before.status_code == 401
    assert form.status_code == 200 and "new@example.org" in form.get_data(as_text=True)
    assert field_errors(mismatch) == ["The two passwords differ."]
    assert done.status_code == 302 and done.location.endswith("/login")
    assert reused.status_code == 410
    assert signed.status_code == 302
    assert second_client.get(f"/events/{event.id}/desk").status_code == 302  # desk name


def test_forged_or_expired_link_is_refused(app, signed_in, event, monkeypatch):
    from webapp.staff import services

    added = signed_in.post_form(staff_url(event), {"email": "new@example.org"})
    link = LINK.search(added.get_data(as_text=True)).group(1)
    monkeypatch.setattr(services, "LINK_MAX_AGE_SECONDS", -1)

    assert signed_in.get(link).status_code == 410
    assert signed_in.get(link[:-3] + "abc").status_code == 404
    assert signed_in.get("/set-password/" + "x" * 5000).status_code == 404


def test_new_link_only_for_staff_without_password(app, signed_in, event, staff):
    signed_in.post_form(staff_url(event), {"email": "new@example.org"})
    with app.app_context():
        members = dict(db.session.execute(
            select(User.email, EventMembership.id)
            .join(EventMembership, EventMembership.user_id == User.id)).all())

    fresh = signed_in.post_form(f"{staff_url(event)}/{members['new@example.org']}/link")
    takeover = signed_in.post_form(f"{staff_url(event)}/{members['staff@example.org']}/link")
    organizer = signed_in.post_form(
        f"{staff_url(event)}/{members['organizer@example.org']}/link")

    assert fresh.status_code == 200 and LINK.search(fresh.get_data(as_text=True))
    assert takeover.status_code == 409 and not LINK.search(takeover.get_data(as_text=True))
    assert organizer.status_code == 404


@pytest.mark.parametrize("email, status, message", [
    ("", 422, "Enter the person's email address."),
    ("not-an-email", 422, "Enter a valid email address, like name@example.org."),
    ("organizer@example.org", 409,
     "organizer@example.org already belongs to this event (organizer)."),
    ("STAFF@example.org", 409, "staff@example.org already belongs to this event "
                               "(check-in staff)."),
    ("a\x00b@example.org", 422, "This field must not contain NUL characters."),
])
def test_bad_staff_emails_get_a_message(app, signed_in, event, staff, email, status,
                                        message):
    response = signed_in.post_form(staff_url(event), {"email": email})

    assert response.status_code == status
    assert message in field_errors(response)
    assert len(roles(app, event)) == 2


def test_remove_staff_keeps_account_and_audits(app, signed_in, event, staff, second_client):
    with app.app_context():
        membership_id = db.session.execute(select(EventMembership.id).where(
            EventMembership.role == Role.STAFF)).scalar_one()
        organizer_membership = db.session.execute(select(EventMembership.id).where(
            EventMembership.role == Role.ORGANIZER)).scalar_one()
    second_client.login(staff.email)

    response = signed_in.post_form(f"{staff_url(event)}/{membership_id}/remove")
    shown = flashes(signed_in.get(staff_url(event)))
    not_staff = signed_in.post_form(f"{staff_url(event)}/{organizer_membership}/remove")

    assert response.status_code == 302
    assert shown == ["staff@example.org is no longer check-in staff of this event."]
    assert not_staff.status_code == 404
    assert roles(app, event) == {"organizer@example.org": "organizer"}
    assert second_client.get(f"/events/{event.id}/desk").status_code == 404
    with app.app_context():
        assert db.session.execute(select(AuditEntry.summary).where(
            AuditEntry.action == AuditAction.STAFF_REMOVED)).scalar_one() == \
            "Removed staff@example.org from check-in staff"


def test_staff_pages_are_404_for_staff_and_other_organizers(app, client, event, staff,
                                                            make_user, make_event,
                                                            second_client):
    client.login(staff.email)
    assert client.get(staff_url(event)).status_code == 404
    assert client.post_form(staff_url(event), {"email": "x@example.org"}).status_code == 404

    stranger = make_user("stranger@example.org", PASSWORD)
    make_event(stranger, "Theirs")
    second_client.login(stranger.email)
    assert second_client.get(staff_url(event)).status_code == 404
