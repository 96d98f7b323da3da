"""Browser tests: a real ``streamlit run app.py`` on 127.0.0.1 and a free port,
over a temporary demo database, driven by Debian's Chromium through Playwright.

Where no Chromium exists the tests skip; CI sets ``CLINICOPS_REQUIRE_BROWSER=1``
so that a missing browser fails instead.

The database has one account per role (``USERS``), made through the data
layer. ``manager_page`` is a tab that signed in as the manager through the
sign-in form once per test session and kept its HttpOnly session cookie (the
browser state is reused, as a reload would), so those tests also exercise the
cookie; ``page`` is a fresh, signed-out tab.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sqlalchemy.orm import Session

from data import accounts
from data.bootstrap import prepare_database
from data.db import make_engine
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CLINICOPS_CHROMIUM", "/usr/bin/chromium")
USERS = {  # user name: (role, password)
    "e2e_manager": ("manager", "e2e-manager-password"),
    "e2e_desk": ("front_desk", "e2e-desk-password-1"),
    "e2e_doctor": ("physician", "e2e-doctor-password"),
}
VIEWPORT = {"width": 1500, "height": 1100}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)", "CLINICOPS_REQUIRE_BROWSER")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("e2e") / "clinicops.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    prepare_database(engine, dt.datetime.now(), demo=True, months=3)
    with Session(engine) as s:
        for username, (role, password) in USERS.items():
            accounts.create_account(s, username=username, display_name=f"E2E {role.replace('_', ' ')}", role=role,
                                    password=password, actor="e2e set-up", now=dt.datetime.now())
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app_url(db_url, tmp_path_factory) -> str:
    """Base URL of a running app; the server is stopped after the session."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"no Chromium at {CHROMIUM}", "CLINICOPS_REQUIRE_BROWSER")
    port = _free_port()
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [streamlit, "run", "app.py", "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_app(page) -> None:
    """Wait until the script run finished and the page holds its content."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_timeout(500)


def sign_in(page, base: str, username: str, password: str | None = None, path: str = "") -> None:
    """Sign in through the form at ``base/path`` and wait for the signed-in page."""
    page.goto(f"{base}/{path}")
    wait_for_app(page)
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password or USERS[username][1])
    page.get_by_role("button", name="Sign in").click()
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
    wait_for_app(page)


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "clinicops_session"), None)


@pytest.fixture(scope="session")
def manager_storage(browser, app_url, tmp_path_factory) -> str:
    """Browser state (the HttpOnly session cookie) of one sign-in as the manager."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, app_url, "e2e_manager")
    deadline = time.monotonic() + 15
    while session_cookie(context) is None and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    path = tmp_path_factory.mktemp("e2e-state") / "manager.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def manager_page(browser, manager_storage):
    """A new tab of a browser where the manager signed in earlier."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=manager_storage)
    page = context.new_page()
    yield page
    context.close()
