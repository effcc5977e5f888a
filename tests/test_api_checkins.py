"""The scanner API: bearer tokens, JSON:API answers, idempotent request ids."""
import threading

import pytest

from .checkin_fixtures import (  # noqa: F401
    active_check_ins,
    door,
    make_desk_token,
    scan_results,
)


@pytest.fixture
def device(client, door, make_desk_token):
    """Post scans as the scanner device "Scanner 1" of the event."""
    _token_id, token = make_desk_token(door.event)

    def post(body, *, token=token, event_id=door.event.id, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        send = {"data": body} if isinstance(body, (bytes, str)) else {"json": body}
        return client.post(f"/api/v1/events/{event_id}/check-ins", headers=headers,
                           **send, **kwargs)
    return post


def test_check_in_returns_201_with_the_holder(app, device, door):
    response = device({"code": door.code(0), "request_id": "a1"})

    data = response.get_json()["data"]
    assert response.status_code == 201
    assert data["type"] == "check-ins"
    assert data["attributes"]["holder"] == {"name": "Ada Lovelace"}
    assert data["attributes"]["ticket_type"] == "General"
    assert data["attributes"]["desk_name"] == "Scanner 1"
    assert active_check_ins(app) == 1


@pytest.mark.parametrize("index, status, code", [
    (3, 409, "no_holder"),
    (None, 404, "unknown_code"),
])
def test_refusals_are_jsonapi_errors(app, device, door, index, status, code):
    response = device({"code": door.code(index) if index is not None else "ZZZZZZZZZZ"})

    error = response.get_json()["errors"][0]
    assert response.status_code == status
    assert (error["status"], error["code"]) == (str(status), code)
    assert error["source"] == {"pointer": "/code"}
    assert error["title"] and error["detail"]
    assert scan_results(app) == [code]


def test_second_scan_is_409_with_first_check_in(app, device, door):
    device({"code": door.code(0)})

    response = device({"code": door.code(0)})

    error = response.get_json()["errors"][0]
    assert response.status_code == 409
    assert error["code"] == "already_checked_in"
    assert error["meta"]["desk_name"] == "Scanner 1"
    assert error["meta"]["checked_in_at"].endswith("Z")
    assert active_check_ins(app) == 1


def test_other_event_ticket_is_422(app, device, organizer, make_event, make_ticket_type,
                                   tickets_of):
    foreign = tickets_of(make_ticket_type(make_event(organizer, "Other"), "VIP", 1))[0]

    response = device({"code": foreign.code})

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "other_event"


def test_same_request_id_replays_the_first_answer(app, device, door):
    first = device({"code": door.code(0), "request_id": "req-7"})
    second = device({"code": door.code(0), "request_id": "req-7"})
    refused = device({"code": "ZZZZZZZZZZ", "request_id": "req-8"})
    refused_again = device({"code": "ZZZZZZZZZZ", "request_id": "req-8"})

    assert (second.status_code, second.get_json()) == (201, first.get_json())
    assert (refused_again.status_code, refused_again.get_json()) == \
        (404, refused.get_json())
    assert scan_results(app) == ["checked_in", "unknown_code"]


def test_same_request_id_from_another_token_is_a_new_scan(app, device, door,
                                                          make_desk_token):
    _id, other_token = make_desk_token(door.event, "Scanner 2")
    device({"code": door.code(0), "request_id": "shared"})

    response = device({"code": door.code(0), "request_id": "shared"}, token=other_token)

    assert response.status_code == 409
    assert scan_results(app) == ["checked_in", "already_checked_in"]


def test_concurrent_retries_write_one_row(app, retrying_threads, device, door):
    """Threads in one process through the test client; the live race test does gunicorn."""
    barrier = threading.Barrier(retrying_threads)
    answers = []

    def retry():
        barrier.wait()
        response = device({"code": door.code(2), "request_id": "same-request"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=retry) for _ in range(retrying_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _body in answers} == {201}
    assert len({str(body) for _status, body in answers}) == 1
    assert scan_results(app) == ["checked_in"]
    assert active_check_ins(app) == 1


@pytest.fixture
def retrying_threads():
    return 4


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "token_missing"),
    ({"Authorization": "Bearer"}, 401, "token_missing"),
    ({"Authorization": "Basic abc"}, 401, "token_missing"),
    ({"Authorization": "Bearer ao_not-a-real-token"}, 401, "token_invalid"),
    ({"Authorization": "Bearer " + "x" * 5000}, 401, "token_invalid"),
])
def test_missing_or_bad_token_is_401(app, client, door, headers, status, code):
    response = client.post(f"/api/v1/events/{door.event.id}/check-ins",
                           json={"code": door.code(0)}, headers=headers)

    assert response.status_code == status
    assert response.get_json()["errors"][0]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert scan_results(app) == []


def test_revoked_token_is_403(app, device, door, signed_in, make_desk_token):
    token_id, token = make_desk_token(door.event, "Lost phone")

    revoked = signed_in.post_form(f"/events/{door.event.id}/desk-tokens/{token_id}/revoke")
    response = device({"code": door.code(0)}, token=token)

    assert revoked.status_code == 302
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["code"] == "token_revoked"
    assert active_check_ins(app) == 0


def test_token_of_another_event_is_404(app, device, door, organizer, make_event):
    other = make_event(organizer, "Other")

    response = device({"code": door.code(0)}, event_id=other.id)
    huge_id = device({"code": door.code(0)}, event_id=2**40)

    assert response.status_code == 404
    assert huge_id.status_code == 404
    assert active_check_ins(app) == 0


@pytest.mark.parametrize("body, status, code, pointer", [
    ("{not json", 400, "malformed_json", ""),
    (b"\xff\xfe", 400, "malformed_json", ""),
    ("[1, 2]", 422, "not_an_object", ""),
    ({}, 422, "invalid_code", "/code"),
    ({"code": 12345}, 422, "invalid_code", "/code"),
    ({"code": ""}, 422, "invalid_code", "/code"),
    ({"code": "A" * 201}, 422, "invalid_code", "/code"),
    ({"code": "AB\x00CD"}, 422, "invalid_code", "/code"),
    ({"code": "ABCDE", "request_id": 7}, 422, "invalid_request_id", "/request_id"),
    ({"code": "ABCDE", "request_id": "r" * 101}, 422, "invalid_request_id", "/request_id"),
])
def test_bad_bodies_are_refused(app, device, body, status, code, pointer):
    response = device(body)

    error = response.get_json()["errors"][0]
    assert response.status_code == status
    assert error["code"] == code
    assert error["source"]["pointer"] == pointer
    assert scan_results(app) == []


def test_huge_body_is_413(app, device):
    response = device({"code": "A", "padding": "x" * 10_000})

    error = response.get_json()["errors"][0]
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert error["code"] == "body_too_large"
    assert error["detail"] == ("The body may be at most 4,096 bytes: one JSON object "
                               "with 'code' and 'request_id'. Nothing was saved.")
    assert scan_results(app) == []


def test_desk_tokens_page_shows_a_token_once_and_audits(app, signed_in, door):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import AuditAction, AuditEntry, DeskToken

    created = signed_in.post_form(f"/events/{door.event.id}/desk-tokens",
                                  {"desk_name": "Gate B"})
    listed = signed_in.get(f"/events/{door.event.id}/desk-tokens")

    page = created.get_data(as_text=True)
    assert created.status_code == 201
    token = page.split('id="new-token" class="code" readonly value="')[1].split('"')[0]
    assert token.startswith("ao_") and token not in listed.get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(select(DeskToken)).scalar_one()
        assert stored.token_hash != token and len(stored.token_hash) == 64
        assert db.session.execute(select(AuditEntry.action).where(
            AuditEntry.action == AuditAction.DESK_TOKEN_CREATED)).scalar_one()
