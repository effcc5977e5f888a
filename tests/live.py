"""A real server for race and browser tests: gunicorn with several workers.

Import the fixtures into a test module with `from .live import live_server`
(and `browser`, `page` for Playwright). The server runs on 127.0.0.1 only,
against the same test database as the `app` fixture.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import CSRF_INPUT, PASSWORD, TEST_SECRET_KEY
from .databases import IN_CI, SKIP_NOTICES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LIVE_WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, log_path: Path, process: subprocess.Popen):
        self.url = url
        self.log_path = log_path
        self.process = process

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tracebacks(self) -> int:
        return self.log_text().count("Traceback (most recent call last)")


def start_gunicorn(database_url: str, log_path: Path, workers: int = LIVE_WORKERS,
                   extra_env: dict | None = None) -> LiveServer:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY,
           "LOG_LEVEL": "INFO", **(extra_env or {})}
    log_file = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5", "wsgi:app"],
        cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    # Workers boot slowly on a busy 2-core machine: a first request that
    # times out is waiting for a worker, not a failure.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/login", timeout=10).status_code == 200:
                return LiveServer(url, log_path, process)
        except (requests.ConnectionError, requests.Timeout):
            # Workers still booting on a busy machine: not ready yet.
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """gunicorn with several workers serving the test database."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "server.log"
    server = start_gunicorn(database_url, log_path)
    yield server
    stop_gunicorn(server)


class LiveClient(requests.Session):
    """A signed-in browser-like HTTP client for the live server."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self.csrf_token = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def fetch_csrf_token(self, path: str = "/login") -> str:
        page = self.get(self.url(path), timeout=30).text
        self.csrf_token = CSRF_INPUT.search(page).group(1)
        return self.csrf_token

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.fetch_csrf_token("/login")
        response = self.post(self.url("/login"), data={
            "email": email, "password": password, "csrf_token": self.csrf_token},
            allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[:500]
        self.fetch_csrf_token("/")
        return response

    def post_form(self, path: str, data: dict, **kwargs) -> requests.Response:
        data = {"csrf_token": self.csrf_token, **data}
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        return self.post(self.url(path), data=data, **kwargs)


def flash_texts(html_text: str) -> list[str]:
    import html

    return [html.unescape(m) for m in
            re.findall(r'<p class="flash[^"]*">(.*?)</p>', html_text, re.S)]


# Each test module that imports `browser` gets its own session fixture, but
# a process may run only one sync Playwright; the modules share it.
_shared_browser = {}


@pytest.fixture(scope="session")
def browser(request):
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; browser tests skipped"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests must run)", pytrace=False)
        SKIP_NOTICES.append(message)
        pytest.skip(message)
    if "browser" not in _shared_browser:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared_browser["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

        def close():
            _shared_browser.pop("browser").close()
            playwright.stop()

        request.config.add_cleanup(close)
    return _shared_browser["browser"]


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab with its own cookies, pointed at the live server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
