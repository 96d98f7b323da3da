"""The cookie endpoints (``ui/auth_routes.py``) through Starlette's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from data import accounts
from data.db import make_engine, upgrade_schema
from ui import auth_routes


@pytest.fixture
def client(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'routes.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    monkeypatch.setattr(auth_routes, "_engine", engine)
    with Session(engine, expire_on_commit=False) as s:
        account = accounts.create_account(s, username="dana", display_name="Dana", role="manager",
                                          password="dana-password-1", actor="t", now=dt.datetime.now())
    app = Starlette(routes=auth_routes.routes())
    # Starlette's test client connects from "testclient"; the session was signed in from there too.
    with TestClient(app, base_url="http://clinic.test") as http:
        http.start = lambda: _start(engine, account, "testclient")
        yield http
    engine.dispose()


def _start(engine, account, address):
    with Session(engine, expire_on_commit=False) as s:
        return accounts.start_session(s, account=account, method="password", address=address, user_agent="t",
                                      now=dt.datetime.now())


SAME_ORIGIN = {"Origin": "http://clinic.test", "Sec-Fetch-Site": "same-origin"}


def test_a_ticket_becomes_an_httponly_strict_cookie_once(client):
    ticket = client.start().claim_ticket
    response = client.post("/_clinicops/session/claim", json={"ticket": ticket}, headers=SAME_ORIGIN)
    assert response.status_code == 200 and response.json() == {"ok": True}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("clinicops_session=") and ticket not in cookie
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age="):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain http here; set over https
    again = client.post("/_clinicops/session/claim", json={"ticket": ticket}, headers=SAME_ORIGIN)
    assert again.status_code == 400 and "set-cookie" not in again.headers


def test_another_origin_cannot_claim_or_end_a_session(client):
    ticket = client.start().claim_ticket
    for headers in ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://evil.example"}, {}):
        assert client.post("/_clinicops/session/claim", json={"ticket": ticket}, headers=headers).status_code == 403
        assert client.post("/_clinicops/session/end", headers=headers).status_code == 403
    assert client.post("/_clinicops/session/claim", json={"ticket": ticket}, headers=SAME_ORIGIN).status_code == 200


def test_bad_bodies_are_refused(client):
    for body in (b"not json", b"[]", b'{"ticket": "<script>"}', b"x" * 2000):
        response = client.post("/_clinicops/session/claim", content=body, headers=SAME_ORIGIN)
        assert response.status_code in (400, 413) and "set-cookie" not in response.headers


def test_ending_the_session_deletes_the_cookie_and_revokes_the_token(client):
    started = client.start()
    client.post("/_clinicops/session/claim", json={"ticket": started.claim_ticket}, headers=SAME_ORIGIN)
    token = client.cookies.get("clinicops_session")
    with Session(auth_routes._engine) as s:
        assert accounts.session_by_token(s, token, dt.datetime.now()) is not None
    response = client.post("/_clinicops/session/end", headers=SAME_ORIGIN)
    assert response.status_code == 200 and 'clinicops_session=""' in response.headers["set-cookie"]
    with Session(auth_routes._engine) as s:
        assert accounts.session_by_token(s, token, dt.datetime.now()) is None
