"""AppTest fixtures: the app over a small demo practice in a temporary SQLite file.

The database has one account per role (passwords in ``PASSWORDS``). ``app``
is signed in as the manager the way a browser tab is after a sign-in: a
sign-in session row in the database, its id in the tab's session state. (No
setting or variable lets the app itself skip the sign-in.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data import accounts
from data.bootstrap import prepare_database
from data.db import make_engine
from ui.access import SESSION_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORDS = {"boss": "boss-password-123", "desk": "desk-password-123", "doc": "doc-password-1234"}
ROLES = {"manager": "boss", "front_desk": "desk", "physician": "doc"}


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pages") / "demo.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    prepare_database(engine, dt.datetime.now(), demo=True, months=2)
    with Session(engine) as s:
        for role, username in ROLES.items():
            accounts.create_account(s, username=username, display_name=f"Test {role.replace('_', ' ')}", role=role,
                                    password=PASSWORDS[username], actor="test set-up", now=dt.datetime.now())
    engine.dispose()
    return url


def start_session(db_url: str, username: str) -> int:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        account = accounts.get_account(s, username)
        started = accounts.start_session(s, account=account, method="password", address="local",
                                         user_agent="AppTest", now=dt.datetime.now())
    engine.dispose()
    return started.session_id


def fresh_app(db_url: str, monkeypatch, role: str | None) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    if role is not None:
        at.session_state[SESSION_KEY] = start_session(db_url, ROLES[role])
    return at


@pytest.fixture
def app(demo_db_url, monkeypatch) -> AppTest:
    """The app in a tab where the manager is signed in."""
    return fresh_app(demo_db_url, monkeypatch, "manager")


@pytest.fixture
def app_as(demo_db_url, monkeypatch):
    """``app_as("physician")``: a tab signed in with that role; ``app_as(None)``: signed out."""
    return lambda role: fresh_app(demo_db_url, monkeypatch, role)
