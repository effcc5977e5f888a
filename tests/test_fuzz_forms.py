"""Every form on every page, filled with generated input by hypothesis.

The forms are found by following the links of a signed-in organizer over
a demo-like event, so a form added later is fuzzed too. For each input:
no 5xx; a refused submission changes no data and says why on the page.
"""
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from webapp.extensions import db

from .conftest import WebClient
from .figures import count, note_status
from .forms_on_pages import Field, Form, crawl, local_path
from .world import build_event, data_snapshot

EXAMPLES_PER_FORM = 60
EXAMPLES_PER_SEARCH = 25
MESSAGE = re.compile(r'class="(flash flash-\w+|field-error)"|<p class="lead">')
MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']
# Numbers at and past every edge a form or the database has.
EDGE_NUMBERS = [-1, 0, 1, 2, 7, 100_001, 2**31, 2**31 - 1, 2**63, -2**63, 10**30]


@pytest.fixture
def demo_world(app):
    """The demo event of the demo organizer, and another organizer's event."""
    with app.app_context():
        load_demo(total_tickets=60)
        other = build_event("Omega", "other.organizer@example.org",
                            "other.staff@example.org")
        db.session.remove()
    client = WebClient(app.test_client())
    assert client.login(DEMO_EMAIL, DEMO_PASSWORD).status_code == 302
    stale = WebClient(app.test_client()).fetch_csrf_token("/login")
    return client, other, stale


def text_values(other) -> st.SearchStrategy[str]:
    foreign = [str(value) for value in other.url_values().values()] + other.markers
    return st.one_of(
        st.just(""),
        st.text(max_size=40),
        st.text(alphabet=st.sampled_from("ab\x00\t\r\n ="), max_size=12),
        st.sampled_from(["A" * 10_000, "𝔘ñï©ødé " * 800, "x\x00y", " " * 300]),
        st.sampled_from(foreign + MARKUP + ["=1+1", "@SUM(A1)", "'; DROP TABLE x; --"]),
        st.sampled_from(EDGE_NUMBERS).map(str),
        st.emails().map(str),
    )


def field_values(form_field: Field, other) -> st.SearchStrategy:
    texts = text_values(other)
    if form_field.kind == "select":
        foreign = [str(other.ticket_type_id), str(other.event_id)]
        return st.one_of(st.sampled_from(form_field.options or [""]),
                         st.sampled_from(foreign), texts)
    if form_field.kind == "number":
        return st.one_of(st.sampled_from(EDGE_NUMBERS).map(str), texts)
    if form_field.kind == "datetime-local":
        return st.one_of(
            st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
            st.sampled_from(["9999-12-31T23:59", "0001-01-01T00:00",
                             "2027-02-30T10:00"]),
            texts)
    if form_field.kind == "file":
        return st.one_of(st.binary(max_size=2000),
                         texts.map(lambda text: text.encode("utf-8", "replace")))
    return st.one_of(st.just(form_field.value), texts)


def submissions(form: Form, other, token: str, stale: str) -> st.SearchStrategy[dict]:
    """A dict of form data: each field generated, left out, or kept as served."""
    missing = object()
    csrf = st.sampled_from(["valid"] * 4 + ["missing", "stale", "garbled"]) \
        if form.user_fields else st.sampled_from(["missing", "stale", "garbled"])
    tokens = {"valid": token, "missing": missing, "stale": stale,
              "garbled": token[::-1]}
    parts = {}
    for form_field in form.fields:
        if form_field.is_csrf:
            parts[form_field.name] = csrf.map(tokens.get)
        elif form_field.kind == "submit":
            parts[form_field.name] = st.just(form_field.value)
        else:
            parts[form_field.name] = st.one_of(st.just(missing),
                                               field_values(form_field, other))
    return st.fixed_dictionaries(parts).map(
        lambda data: {name: value for name, value in data.items()
                      if value is not missing})


def as_request_data(form: Form, data: dict) -> dict:
    files = {f.name for f in form.fields if f.kind == "file"}
    return {name: (io.BytesIO(value), "upload.csv") if name in files else value
            for name, value in data.items()}


def fuzz_post_form(app, client, form: Form, other, stale: str) -> None:
    url = local_path(form.action)

    @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=submissions(form, other, client.csrf_token, stale))
    def submit(data):
        count("generated inputs")
        before = data_snapshot(app)
        response = client.post(url, data=as_request_data(form, data))
        note_status(response.status_code)
        body = response.get_data(as_text=True)

        assert response.status_code < 500, (url, data)
        # Every refusal in this app is a 4xx; a 2xx after a POST is a success
        # that shows its result at once (a new desk token is shown only then).
        accepted = response.status_code < 400
        count(f"fuzzed submissions {'accepted' if accepted else 'refused'}")
        if not accepted:
            assert data_snapshot(app) == before, ("refused but changed data", url, data)
        if response.status_code >= 400:
            assert MESSAGE.search(body), ("refused without a message", url, data)

    submit()


def fuzz_search_form(app, client, form: Form, other) -> None:
    url = local_path(form.action).split("?")[0]
    fields = {f.name: field_values(f, other) for f in form.user_fields}

    @settings(max_examples=EXAMPLES_PER_SEARCH, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(query=st.fixed_dictionaries(fields), page=st.sampled_from(EDGE_NUMBERS))
    def search(query, page):
        count("generated inputs")
        response = client.get(url, query_string={**query, "page": str(page)})
        note_status(response.status_code)
        assert response.status_code in (200, 400), (url, query)

    search()


def test_every_form_survives_generated_input(app, demo_world):
    client, other, stale = demo_world

    def get(path):
        response = client.get(path)
        note_status(response.status_code)
        assert response.status_code < 500, path
        return (response.status_code, response.content_type,
                response.get_data(as_text=True))

    pages, forms = crawl(get)
    posts = [form for form in forms if form.method == "POST"]
    searches = [form for form in forms if form.method == "GET" and form.user_fields]

    # The demo organizer's pages hold at least these forms; more are welcome.
    actions = {re.sub(r"\d+", "N", local_path(form.action)) for form in posts}
    assert {"/events/new", "/events/N/edit", "/events/N/ticket-types/new",
            "/events/N/ticket-types/N/edit", "/events/N/attendees/new",
            "/events/N/attendees/N", "/events/N/attendees/N/move",
            "/events/N/attendees/N/unassign", "/logout"} <= actions
    for form in posts:
        fuzz_post_form(app, client, form, other, stale)
    for form in searches:
        fuzz_search_form(app, client, form, other)
    count("forms fuzzed", len(posts) + len(searches))
    count("pages crawled", len(pages))


def test_sign_in_form_survives_generated_input(app, demo_world):
    """The one form an anonymous visitor sees, found the same way."""
    _client, other, stale = demo_world
    visitor = WebClient(app.test_client())
    visitor.fetch_csrf_token("/login")

    def get(path):
        response = visitor.get(path)
        note_status(response.status_code)
        return (response.status_code, response.content_type,
                response.get_data(as_text=True))

    _pages, forms = crawl(get, start="/login")

    assert [local_path(form.action) for form in forms] == ["/login"]
    fuzz_post_form(app, visitor, forms[0], other, stale)
    count("forms fuzzed")
