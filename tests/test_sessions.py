"""Sessions renewed at sign-in and ended at sign-out, cookie flags, headers, limits."""
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import FailedSignIn, SignIn
from webapp.web import CONTENT_SECURITY_POLICY

from .conftest import PASSWORD, WebClient
from .helpers import field_errors
from .live import PROJECT_ROOT, LiveClient, live_server  # noqa: F401


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_sign_in_starts_a_new_session(app, organizer):
    client = WebClient(app.test_client())
    client.fetch_csrf_token("/login")
    with client.session_transaction() as session:
        session["left_by_previous_user"] = "their data"
    anonymous_cookie = session_cookie(client)

    client.login(organizer.email)

    assert session_cookie(client) not in (None, anonymous_cookie)
    with client.session_transaction() as session:
        assert "left_by_previous_user" not in session
        assert set(session) >= {"_user_id", "sign_in"}


def test_old_cookie_no_longer_works_after_sign_out(app, organizer):
    client = WebClient(app.test_client())
    client.login(organizer.email)
    signed_in_cookie = session_cookie(client)
    assert client.get("/").status_code == 200

    response = client.post_form("/logout")

    assert response.status_code == 302
    assert session_cookie(client) != signed_in_cookie
    replay = app.test_client()
    replay.set_cookie("session", signed_in_cookie)
    replayed = replay.get("/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")
    with app.app_context():
        ended = db.session.execute(select(func.count()).select_from(SignIn)
                                   .where(SignIn.ended_at.is_not(None))).scalar_one()
        assert ended == 1


def token_from_hours_ago(app, token: str, hours: int) -> str:
    """The same session's CSRF token, signed as if the page was loaded long ago."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - hours * 3600

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token",
                                        signer=Earlier)
    return serializer.dumps(serializer.loads(token))


def test_sign_out_works_from_a_page_open_all_day(app, organizer, event):
    client = WebClient(app.test_client())
    client.login(organizer.email)
    old_token = token_from_hours_ago(app, client.csrf_token, hours=9)

    expired_form = client.post_form(f"/events/{event.id}/staff",
                                    {"email": "x@example.org", "csrf_token": old_token})
    signed_out = client.post_form("/logout", {"csrf_token": old_token})

    assert expired_form.status_code == 400
    assert signed_out.status_code == 302 and signed_out.location.endswith("/login")
    assert client.get("/").status_code == 302


def test_sign_out_still_needs_this_sessions_token(app, organizer):
    client = WebClient(app.test_client())
    client.login(organizer.email)
    other = WebClient(app.test_client())
    other.fetch_csrf_token("/login")

    missing = client.client.post("/logout", data={})
    forged_token = client.csrf_token[:-4] + "abcd"
    forged = client.post_form("/logout", {"csrf_token": forged_token})
    other_session = client.post_form("/logout", {"csrf_token": other.csrf_token})

    assert [missing.status_code, forged.status_code, other_session.status_code] == \
        [400, 400, 400]
    assert "This form expired or did not come from this site" in \
        forged.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_sign_out_on_one_laptop_keeps_the_other_signed_in(app, organizer):
    desk, office = WebClient(app.test_client()), WebClient(app.test_client())
    desk.login(organizer.email)
    office.login(organizer.email)

    desk.post_form("/logout")

    assert desk.get("/").status_code == 302
    assert office.get("/").status_code == 200


def test_session_cookie_flags(app, organizer):
    client = WebClient(app.test_client())
    client.fetch_csrf_token("/login")

    data = {"email": organizer.email, "password": PASSWORD,
            "csrf_token": client.csrf_token}
    response = client.post("/login", data=data)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP unless HTTPS=true


def test_https_setting_makes_cookies_secure(tmp_path):
    script = (
        "from webapp import create_app\n"
        f"app = create_app({{'TESTING': True, 'SECRET_KEY': 'k', "
        f"'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite'}})\n"
        "page = app.test_client().get('/login')\n"
        "print(page.headers['Set-Cookie'])\n"
        "print(page.headers.get('Strict-Transport-Security'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, text=True,
                            capture_output=True, timeout=60,
                            env={"HTTPS": "true", "PATH": "/usr/bin"})

    assert result.returncode == 0, result.stderr
    assert "; Secure" in result.stdout and "HttpOnly" in result.stdout
    assert result.stdout.splitlines()[-1] == "max-age=31536000"


def test_no_strict_transport_security_without_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_favicon_is_served(app, client):
    icon = client.get("/favicon.ico")

    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's signature
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/login").get_data(
        as_text=True)


def test_security_headers(app, signed_in, event):
    page = signed_in.get(f"/events/{event.id}")
    stylesheet = signed_in.get("/static/css/app.css")

    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    assert stylesheet.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")


def try_sign_in(app, email: str, password: str, address: str = "127.0.0.1"):
    client = WebClient(app.test_client())
    client.fetch_csrf_token("/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": client.csrf_token},
                       environ_base={"REMOTE_ADDR": address})


def failed_count(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(FailedSignIn)).scalar_one()


PAIR_MESSAGE = ("Too many failed sign-ins for this account from this network. Try "
                "again in 15 minutes, or ask an organizer to check the password.")


def test_guessing_from_one_place_does_not_lock_the_account_elsewhere(app, organizer,
                                                                    make_user):
    make_user("colleague@example.org")
    wrong = [try_sign_in(app, organizer.email, "wrong", "10.0.0.66").status_code
             for _ in range(5)]

    limited = try_sign_in(app, organizer.email, PASSWORD, "10.0.0.66")
    at_the_door = try_sign_in(app, organizer.email, PASSWORD, "10.0.0.7")
    colleague = try_sign_in(app, "colleague@example.org", PASSWORD, "10.0.0.66")

    assert wrong == [401] * 5
    assert limited.status_code == 429
    assert 880 <= int(limited.headers["Retry-After"]) <= 900
    assert field_errors(limited) == [PAIR_MESSAGE]
    assert at_the_door.status_code == 302
    assert colleague.status_code == 302
    assert failed_count(app) == 5  # a refused attempt does not extend the wait


def test_account_has_a_ceiling_across_addresses(app, organizer, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_FAILURES_PER_ACCOUNT", 6)
    wrong = [try_sign_in(app, organizer.email, "wrong", f"10.0.1.{n}").status_code
             for n in range(6)]

    limited = try_sign_in(app, organizer.email, PASSWORD, "10.0.2.1")

    assert wrong == [401] * 6
    assert limited.status_code == 429
    assert field_errors(limited) == [
        "Too many failed sign-ins for this account from many places. Try again in "
        "15 minutes, or ask an organizer to check the password."]


def test_address_is_limited_across_accounts(app, organizer, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_FAILURES_PER_ADDRESS", 4)
    statuses = [try_sign_in(app, f"guess{n}@example.org", "wrong").status_code
                for n in range(4)]

    limited = try_sign_in(app, organizer.email, PASSWORD)

    assert statuses == [401] * 4
    assert limited.status_code == 429
    assert field_errors(limited) == [
        "Too many failed sign-ins from this network. Try again in 15 minutes."]


def test_unknown_email_costs_one_password_hash_like_a_known_one(app, organizer,
                                                               monkeypatch):
    from webapp.auth import sessions
    from webapp.models import user as user_module

    sessions.dummy_password_hash()  # made once per process, not per attempt
    checked = []

    def spy(real):
        def check(pwhash, password):
            checked.append(pwhash.split("$")[0])
            return real(pwhash, password)
        return check

    monkeypatch.setattr(sessions, "check_password_hash",
                        spy(sessions.check_password_hash))
    monkeypatch.setattr(user_module, "check_password_hash",
                        spy(user_module.check_password_hash))

    unknown = try_sign_in(app, "nobody@example.org", "wrong")
    unknown_checks = list(checked)
    known = try_sign_in(app, organizer.email, "wrong")

    assert unknown.status_code == known.status_code == 401
    assert len(unknown_checks) == 1
    assert len(checked) == 2
    assert checked[0] == checked[1]  # the same hashing method and cost


def test_success_forgets_the_accounts_failures(app, organizer):
    for _ in range(4):
        try_sign_in(app, organizer.email, "wrong")

    assert try_sign_in(app, organizer.email, PASSWORD).status_code == 302
    assert failed_count(app) == 0
    assert [try_sign_in(app, organizer.email, "wrong").status_code
            for _ in range(5)] == [401] * 5


@pytest.mark.parametrize("email, password, message", [
    ("", PASSWORD, "This field is required."),
    ("a" * 300 + "@example.org", PASSWORD,
     "Field cannot be longer than 254 characters."),
    ("organizer@example.org", "x" * 1001,
     "Field cannot be longer than 1000 characters."),
    ("organizer@example.org", "pass\x00word",
     "This field must not contain NUL characters."),
])
def test_bad_sign_in_input_is_refused_and_not_counted(app, organizer, email, password,
                                                      message):
    response = try_sign_in(app, email, password)

    assert response.status_code == 422
    assert message in field_errors(response)
    assert failed_count(app) == 0


@pytest.mark.live
def test_limit_holds_for_simultaneous_attempts_across_workers(live_server, organizer):
    """Forty wrong passwords at once through gunicorn: exactly the limit get checked."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(password: str) -> int:
        client = LiveClient(live_server.url)
        client.fetch_csrf_token("/login")
        data = {"email": organizer.email, "password": password,
                "csrf_token": client.csrf_token}
        return client.post(client.url("/login"), data=data, timeout=60,
                           allow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        first = list(pool.map(attempt, ["wrong"] * 40))
    later = [attempt(PASSWORD) for _ in range(3)]

    assert sorted(first) == [401] * 5 + [429] * 35
    assert later == [429] * 3
    assert live_server.tracebacks() == 0
