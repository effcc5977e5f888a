"""Configuration defaults; each one can be overridden by an environment variable."""
import os
import secrets
from pathlib import Path

INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"


def database_url(url: str) -> str:
    """Use psycopg2 for PostgreSQL URLs (SQLAlchemy 2.1 would pick psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'admitone.sqlite'}")
    )
    # No pool_pre_ping: on PostgreSQL, database.configure_postgresql finds
    # the pooled connections that died while idle (a restart) without a
    # round trip per request, and replaces them before a request uses them.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Served over HTTPS only (behind a proxy that terminates TLS): cookies
    # are Secure and browsers are told never to use plain HTTP again.
    HTTPS = os.environ.get("HTTPS", "").lower() in ("1", "true", "yes")
    SESSION_COOKIE_SECURE = HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a desk shift, so an open form does not expire
    # Sized for the bulk page's 10,000-row batches; anything larger gets a page
    # naming the limit (web.handle_http_error). The form of rows is sent
    # urlencoded (about 1.5 MB for 10,000 rows), which only MAX_CONTENT_LENGTH
    # bounds. Multipart forms (file upload, column mapping) carry one text
    # part of up to the 5 MB file limit plus line-break growth, so one part
    # may hold 6 MB; no page of ours sends more than a few dozen parts, and a
    # low part count caps the parser's work on hostile requests.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024))
    MAX_FORM_MEMORY_SIZE = int(os.environ.get("MAX_FORM_MEMORY_SIZE", 6 * 1024 * 1024))
    MAX_FORM_PARTS = int(os.environ.get("MAX_FORM_PARTS", 1_000))
    ATTENDEES_PER_PAGE = 50
    SQLITE_BUSY_TIMEOUT_SECONDS = 15
    # Failed sign-ins allowed within the window per account from one address,
    # per address (an office or venue shares one, so it is higher), and per
    # account from everywhere (high, so a guesser elsewhere cannot lock
    # door staff out, yet guessing spread over many addresses stops).
    SIGN_IN_FAILURES_PER_PAIR = env_int("SIGN_IN_FAILURES_PER_PAIR", 5)
    SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 100)
    SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 30)
    SIGN_IN_WINDOW_SECONDS = env_int("SIGN_IN_WINDOW_SECONDS", 15 * 60)


def load_secret_key(instance_path: Path) -> str:
    """Return a secret key kept in the instance folder, made on first use.

    Production sets SECRET_KEY; this keeps a laptop's sessions valid across
    restarts without anyone having to invent a key.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()
