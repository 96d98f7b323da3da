"""Two small HTTP endpoints that keep a sign-in across page reloads, safely.

Streamlit talks to the browser over a WebSocket, which cannot set cookies, and
a cookie set by a page script could be read by any script on the page. So the
app is served through ``st.App`` with these routes (see ``app.py``):

``POST /_clinicops/session/claim`` with ``{"ticket": ...}``
    After a sign-in, the page holds a one-time ticket (random, valid for a
    minute, stored hashed, good only from the address that signed in). The
    browser posts it here; the server makes the
    session token, stores its hash and sets it as an ``HttpOnly``,
    ``SameSite=Strict`` cookie (``Secure`` over HTTPS). The token itself never
    passes through the page's scripts or the WebSocket.

``POST /_clinicops/session/end``
    Sign-out: ends the session the cookie stands for and deletes the cookie.
    (The app has already ended the session in the database, so a cookie that
    somehow survives opens nothing.)

Both refuse requests from another origin (``Origin`` / ``Sec-Fetch-Site``),
which also stops a foreign page from signing a browser in to someone else's
account.
"""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data import accounts
from data.db import make_engine

COOKIE_NAME = "clinicops_session"
CLAIM_PATH = "_clinicops/session/claim"
END_PATH = "_clinicops/session/end"
_MAX_BODY = 1024

_engine: Engine | None = None
_engine_lock = threading.Lock()


def _db() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = make_engine()
        return _engine


def base_path() -> str:
    """``/`` or ``/<server.baseUrlPath>/``."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def same_origin(headers) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = headers.get("origin")
    host = headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


def client_address(host: str | None) -> str:
    """The client's address as the app records it (``st.context.ip_address``, "local" for loopback)."""
    return "local" if host in (None, "", "127.0.0.1", "::1") else host


def _claim(ticket: object, address: str) -> tuple[str, dt.datetime] | None:
    with Session(_db(), expire_on_commit=False) as s:
        return accounts.claim_session(s, ticket, dt.datetime.now().replace(microsecond=0), address)


def _end(token: str | None) -> None:
    with Session(_db(), expire_on_commit=False) as s:
        accounts.end_session_by_token(s, token, dt.datetime.now().replace(microsecond=0))


def routes() -> list:
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    path = base_path()

    def _reply(ok: bool, status: int = 200) -> JSONResponse:
        response = JSONResponse({"ok": ok}, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def claim(request: Request) -> JSONResponse:
        if not same_origin(request.headers):
            return _reply(False, 403)
        body = await request.body()
        if len(body) > _MAX_BODY:
            return _reply(False, 413)
        try:
            import json

            ticket = json.loads(body or b"{}").get("ticket")
        except (ValueError, AttributeError):
            return _reply(False, 400)
        address = client_address(request.client.host if request.client else None)
        result = await run_in_threadpool(_claim, ticket, address)
        if result is None:
            return _reply(False, 400)
        token, expires_at = result
        response = _reply(True)
        response.set_cookie(
            COOKIE_NAME, token,
            max_age=max(60, int((expires_at - dt.datetime.now()).total_seconds())),
            path=path, httponly=True, samesite="strict", secure=request.url.scheme == "https",
        )
        return response

    async def end(request: Request) -> JSONResponse:
        if not same_origin(request.headers):
            return _reply(False, 403)
        await run_in_threadpool(_end, request.cookies.get(COOKIE_NAME))
        response = _reply(True)
        response.delete_cookie(COOKIE_NAME, path=path, httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")
        return response

    return [
        Route(path + CLAIM_PATH, claim, methods=["POST"]),
        Route(path + END_PATH, end, methods=["POST"]),
    ]
