"""Every route, every method, tried by everyone who should be turned away.

The routes come from the application's URL map, so a route added later is
tried without anyone remembering, and fails until EXPECTATIONS has its line.
"""
from enum import Enum

import pytest

from webapp import create_app

from .conftest import TEST_SECRET_KEY, WebClient
from .figures import MATRIX_ROUTES, note_status
from .world import World, build_world, data_snapshot


class Access(Enum):
    PUBLIC = "anyone"
    SIGNED_IN = "any signed-in user; shows only their own events"
    ORGANIZER = "organizers of the event"
    DESK = "organizers and check-in staff of the event"
    API = "a desk token of the event that is not revoked"
    STATIC = "static files"


# One line per endpoint. A new route fails the matrix until it has one.
EXPECTATIONS: dict[str, Access] = {
    "static": Access.STATIC,
    "favicon": Access.STATIC,  # tested in test_sessions.py
    "auth.login": Access.PUBLIC,
    "auth.logout": Access.SIGNED_IN,
    "events.index": Access.SIGNED_IN,
    "events.create": Access.SIGNED_IN,
    "events.show": Access.ORGANIZER,
    "events.edit": Access.ORGANIZER,
    "tickets.create_type": Access.ORGANIZER,
    "tickets.edit_type": Access.ORGANIZER,
    "tickets.index": Access.ORGANIZER,
    "attendees.index": Access.ORGANIZER,
    "attendees.assign": Access.ORGANIZER,
    "attendees.edit": Access.ORGANIZER,
    "attendees.move": Access.ORGANIZER,
    "attendees.unassign": Access.ORGANIZER,
    "audit.index": Access.ORGANIZER,
    "exports.attendees": Access.ORGANIZER,
    "exports.check_ins": Access.ORGANIZER,
    "bulk.new": Access.ORGANIZER,
    "bulk.read_source": Access.ORGANIZER,
    "bulk.map_columns": Access.ORGANIZER,
    "bulk.check": Access.ORGANIZER,
    "bulk.commit": Access.ORGANIZER,
    "bulk.problems": Access.ORGANIZER,
    "checkin.desk": Access.DESK,
    "checkin.name_desk": Access.DESK,
    "checkin.scan": Access.DESK,
    "checkin.undo": Access.DESK,
    "checkin.counts": Access.DESK,
    "printing.ticket": Access.DESK,  # the desk's search links reprints
    "printing.all_tickets": Access.ORGANIZER,
    "desk_tokens.index": Access.ORGANIZER,
    "desk_tokens.create": Access.ORGANIZER,
    "desk_tokens.revoke": Access.ORGANIZER,
    "staff.index": Access.ORGANIZER,
    "staff.add": Access.ORGANIZER,
    "staff.new_link": Access.ORGANIZER,
    "staff.remove": Access.ORGANIZER,
    "staff.set_password": Access.PUBLIC,
    "staff.join": Access.SIGNED_IN,
    "api.create_check_in": Access.API,
}


def application_routes() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route, read from a throwaway app."""
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = application_routes()


def test_every_expectation_names_a_route():
    endpoints = {endpoint for endpoint, _rule, _method in ROUTES}

    assert sorted(set(EXPECTATIONS) - endpoints) == []


def build_url(app, endpoint: str, method: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules(endpoint))
    missing = sorted(rule.arguments - set(values))
    if missing:
        pytest.fail(f"{rule.rule} takes {missing}: add their values to "
                    "EventRows.url_values in tests/world.py", pytrace=False)
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, {name: values[name] for name in rule.arguments},
                         method=method)


def cross_event_values(world: World) -> dict:
    """This event's id with the other event's child rows."""
    return {**world.other.url_values(), "event_id": world.this.event_id}


class Actor:
    """Someone trying a route: a signed-in client and the markers they must not see."""

    def __init__(self, app, name: str, email: str | None, forbidden: list[str]):
        self.name = name
        self.client = WebClient(app.test_client())
        if email:
            assert self.client.login(email).status_code == 302
        else:
            self.client.fetch_csrf_token("/login")
        self.forbidden = forbidden

    def request(self, method: str, url: str, **kwargs):
        data = {"csrf_token": self.client.csrf_token} if method != "GET" else None
        response = self.client.open(url, method=method, data=data, **kwargs)
        note_status(response.status_code)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, f"{self.name}: {method} {url} -> 5xx"
        leaked = [marker for marker in self.forbidden if marker in body]
        assert not leaked, f"{self.name}: {method} {url} shows {leaked}"
        return response


def actors(app, world: World) -> dict[str, Actor]:
    this, other = world.this.markers, world.other.markers
    return {
        "anonymous": Actor(app, "anonymous", None, this + other),
        "other organizer": Actor(app, "other organizer", world.other_organizer, this),
        "staff": Actor(app, "staff of this event", world.staff, other),
        "other staff": Actor(app, "staff of the other event", world.other_staff, this),
        "organizer": Actor(app, "organizer of this event", world.organizer, other),
    }


def goes_to_sign_in(response) -> bool:
    return (response.status_code == 302
            and response.headers["Location"].startswith("/login"))


def check_event_route(access: Access, people: dict[str, Actor], method: str,
                      url: str, cross_url: str | None) -> None:
    assert goes_to_sign_in(people["anonymous"].request(method, url))
    for name in ("other organizer", "other staff"):
        assert people[name].request(method, url).status_code == 404, name

    staff = people["staff"].request(method, url)
    if access is Access.ORGANIZER:
        assert staff.status_code == 404
    else:
        assert staff.status_code not in (401, 403, 404), staff.status_code

    if cross_url:
        # The right event with another event's ticket, holder or type.
        assert people["organizer"].request(method, cross_url).status_code == 404
        assert people["staff"].request(method, cross_url).status_code == 404


def check_api_route(app, world: World, method: str, url: str, cross_url: str | None):
    client = app.test_client()
    for headers in ({}, {"Authorization": f"Bearer {world.this.revoked_token}"},
                    {"Authorization": f"Bearer {world.other.revoked_token}"}):
        for target in filter(None, (url, cross_url)):
            response = client.open(target, method=method, headers=headers, json={})
            note_status(response.status_code)
            body = response.get_data(as_text=True)
            assert response.status_code in (401, 403), (target, headers)
            markers = world.this.markers + world.other.markers
            assert not [marker for marker in markers if marker in body]


@pytest.mark.parametrize("endpoint, rule, method", ROUTES,
                         ids=[f"{method} {rule}" for _e, rule, method in ROUTES])
def test_route_access(app, endpoint, rule, method):
    access = EXPECTATIONS.get(endpoint)
    if access is None:
        pytest.fail(f"{method} {rule} ({endpoint}) is not in EXPECTATIONS in "
                    "tests/test_access_matrix.py; add one line for it", pytrace=False)
    if access is Access.STATIC:
        assert app.test_client().get("/static/css/app.css").status_code == 200
        return

    MATRIX_ROUTES.add((method, rule))
    world = build_world(app)
    url = build_url(app, endpoint, method, world.this.url_values())
    takes_child = len(next(app.url_map.iter_rules(endpoint)).arguments) > 1
    cross_url = build_url(app, endpoint, method, cross_event_values(world)) \
        if takes_child else None
    before = data_snapshot(app)

    if access is Access.API:
        check_api_route(app, world, method, url, cross_url)
    else:
        people = actors(app, world)
        if access in (Access.ORGANIZER, Access.DESK):
            check_event_route(access, people, method, url, cross_url)
        else:
            for actor in people.values():
                response = actor.request(method, url)
                if access is Access.SIGNED_IN and actor.name == "anonymous":
                    assert goes_to_sign_in(response)

    assert data_snapshot(app) == before, "a refused request changed data"


def app_with_door_routes(database_url: str, desk_role):
    """The app plus a sample desk page and token API, to test the matrix itself."""
    import hashlib

    from flask import Blueprint, abort, request
    from flask_login import login_required
    from sqlalchemy import select

    from webapp.events.access import load_event
    from webapp.extensions import db
    from webapp.models import DeskToken

    door = Blueprint("door", __name__)
    api = Blueprint("door_api", __name__, url_prefix="/api")

    @door.get("/events/<int:event_id>/sample-desk")
    @login_required
    def desk(event_id: int):
        return load_event(event_id, role=desk_role).name

    @api.post("/events/<int:event_id>/sample-scans")
    def scan(event_id: int):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        found = db.session.execute(select(DeskToken).where(
            DeskToken.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            DeskToken.event_id == event_id)).scalar_one_or_none()
        if found is None or found.revoked_at is not None:
            abort(401)
        return {"data": []}

    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "CSRF_EXEMPT_BLUEPRINTS": ["door_api"]})
    app.register_blueprint(door)
    app.register_blueprint(api)
    return app


def test_matrix_lets_staff_use_desk_routes_and_refuses_revoked_tokens(app, database_url):
    from webapp.extensions import db
    from webapp.models import Role

    door_app = app_with_door_routes(database_url, Role.STAFF)
    world = build_world(door_app)
    values = world.this.url_values()
    desk_url = build_url(door_app, "door.desk", "GET", values)
    scan_url = build_url(door_app, "door_api.scan", "POST", values)

    check_event_route(Access.DESK, actors(door_app, world), "GET", desk_url, None)
    check_api_route(door_app, world, "POST", scan_url, None)
    with door_app.app_context():
        db.engine.dispose()


def test_matrix_catches_a_desk_route_closed_to_staff(app, database_url):
    from webapp.extensions import db
    from webapp.models import Role

    door_app = app_with_door_routes(database_url, Role.ORGANIZER)
    world = build_world(door_app)
    desk_url = build_url(door_app, "door.desk", "GET", world.this.url_values())

    with pytest.raises(AssertionError):
        check_event_route(Access.DESK, actors(door_app, world), "GET", desk_url, None)
    with door_app.app_context():
        db.engine.dispose()
