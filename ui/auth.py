"""The sign-in gate: first-run set-up, sign-in (password or single sign-on), sign-out.

``gate()`` runs in ``app.py`` on every script run, before navigation. It finds
who is signed in, in this order, and checks it against the database each time
(so a sign-out elsewhere, an expiry or a deactivation takes effect at once):

1. the sign-in session this browser tab holds (``st.session_state``);
2. the ``clinicops_session`` cookie, an HttpOnly cookie set by
   ``ui/auth_routes.py`` after a password sign-in, so a reload keeps the
   sign-in for up to ``accounts.SESSION_LIFETIME``;
3. Streamlit's single sign-on (``st.user``), when ``[auth]`` is configured in
   ``.streamlit/secrets.toml``, matched to an active account by e-mail.

With nobody signed in, ``app.py`` shows ``signed_out_page`` (the sign-in
form, or on a database with no accounts the form that creates the first
manager) as the only page and stops, so no page renders without passing here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st

from data import accounts
from data.accounts import AccountError, SignedIn
from data.goals import practice
from ui import auth_routes, context
from ui.access import CURRENT_KEY, SESSION_KEY

CLAIM_KEY = "auth_claim_ticket"
CLEAR_COOKIE_KEY = "auth_clear_cookie"
SSO_CHECKED_KEY = "auth_sso_refused"  # the e-mail single sign-on gave, when no account matched
SIGNED_OUT_KEY = "auth_signed_out"  # after a sign-out, single sign-on waits for its button


def _text(read, default):
    """A request detail from ``st.context`` as text (outside a browser, e.g. AppTest, there is none)."""
    try:
        value = read()
    except Exception:
        return default
    return value if isinstance(value, str) and value else default


def client_address() -> str:
    """The browser's address as Streamlit sees it ("local" for this machine)."""
    return _text(lambda: st.context.ip_address, "local")


def _user_agent() -> str:
    return _text(lambda: st.context.headers.get("User-Agent"), "")


def _cookie() -> str | None:
    return _text(lambda: st.context.cookies.get(auth_routes.COOKIE_NAME), None)


# --- single sign-on ---------------------------------------------------------------------


def sso_providers() -> list[str | None]:
    """Providers configured in ``[auth]`` of secrets.toml: ``[None]`` for a single unnamed one, [] for none."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file: StreamlitSecretNotFoundError (a FileNotFoundError), or a bad file
        return []
    if not isinstance(auth, Mapping):
        return []
    if auth.get("client_id"):
        return [None]
    return [name for name, value in auth.items() if isinstance(value, Mapping) and value.get("client_id")]


def _sso_user() -> tuple[bool, str]:
    try:
        if not st.user.get("is_logged_in", False):
            return False, ""
        return True, str(st.user.get("email") or "")
    except Exception:
        return False, ""


# --- who is signed in -------------------------------------------------------------------


def resolve() -> SignedIn | None:
    now = context.now()
    with context.session() as s:
        session_id = st.session_state.get(SESSION_KEY)
        if session_id is not None:
            user = accounts.session_by_id(s, session_id, now)
            if user is not None:
                return user
            st.session_state.pop(SESSION_KEY, None)
            return None  # ended, expired or deactivated: do not fall back to an old cookie
        user = accounts.session_by_token(s, _cookie(), now)
        if user is not None:
            st.session_state[SESSION_KEY] = user.session_id
            return user
        if sso_providers():
            logged_in, email = _sso_user()
            if logged_in and not st.session_state.get(SSO_CHECKED_KEY) and not st.session_state.get(SIGNED_OUT_KEY):
                account = accounts.account_for_email(s, email)
                if account is None:
                    st.session_state[SSO_CHECKED_KEY] = email or "(no e-mail)"
                    accounts.record_sso_refused(s, email=email or "(no e-mail)", address=client_address(), now=now)
                    return None
                started = accounts.start_session(s, account=account, method="sso", address=client_address(),
                                                 user_agent=_user_agent(), now=now)
                accounts.record_sso_sign_in(s, account=account, address=client_address(), now=now)
                st.session_state[SESSION_KEY] = started.session_id
                return accounts.session_by_id(s, started.session_id, now)
    return None


def gate() -> SignedIn | None:
    """The signed-in session, checked now (None: nobody; ``app.py`` then shows ``signed_out_page``)."""
    user = resolve()
    if user is None:
        st.session_state.pop(CURRENT_KEY, None)
        return None
    st.session_state[CURRENT_KEY] = user
    _claim_cookie()
    return user


def signed_out_page() -> None:
    """The sign-in page, or on a database with no accounts the form for the first manager."""
    with context.session() as s:
        first_run = not accounts.has_accounts(s)
        clinic = practice(s).name
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        if first_run:
            _first_run_form(clinic)
        else:
            _sign_in_form(clinic)
        _clear_cookie()


def _signed_in_now(account: accounts.Account, method: str) -> None:
    with context.session() as s:
        started = accounts.start_session(s, account=account, method=method, address=client_address(),
                                         user_agent=_user_agent(), now=context.now())
    st.session_state[SESSION_KEY] = started.session_id
    st.session_state[CLAIM_KEY] = started.claim_ticket
    st.session_state.pop(CLEAR_COOKIE_KEY, None)
    st.rerun()


def _first_run_form(clinic: str) -> None:
    st.title("Welcome to ClinicOps")
    st.markdown(
        f"**{context.escape_markdown(clinic)}** has no accounts yet. Create the first **manager** account: "
        "the manager adds everyone else (front desk, physicians) under *Users and access*."
    )
    with st.form("first_manager"):
        name = st.text_input("Your name", max_chars=120, placeholder="e.g. Dana Whitfield")
        username = st.text_input("User name", max_chars=60, placeholder="e.g. dana",
                                 help="Letters, digits, dots, dashes or underscores; you sign in with it.")
        password = st.text_input("Password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH,
                                 help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.")
        repeat = st.text_input("Password again", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH)
        submitted = st.form_submit_button("Create the manager account", type="primary", width="stretch")
    st.caption("On a server you can also run `python -m data.admin create-user NAME --role manager`.")
    if not submitted:
        return
    if password != repeat:
        st.error("The two passwords differ.")
        return
    try:
        with context.session() as s:
            account = accounts.create_first_manager(s, username=username, display_name=name, password=password,
                                                    now=context.now())
    except AccountError as refused:
        st.error(str(refused))
        return
    _signed_in_now(account, "password")


def _sign_in_form(clinic: str) -> None:
    st.title("Sign in to ClinicOps")
    st.caption(context.escape_markdown(clinic))
    refused = st.session_state.get(SSO_CHECKED_KEY)
    if refused:
        st.error(
            f"Single sign-on worked, but {context.inline_code(refused)} has no active ClinicOps account. "
            "Ask the practice manager to add your e-mail address to your account."
        )
        if st.button("Sign out of single sign-on"):
            st.session_state.pop(SSO_CHECKED_KEY, None)
            st.logout()
    providers = sso_providers()
    if providers and not refused:
        for provider in providers:
            label = "Sign in with single sign-on" if provider is None else f"Sign in with {provider.title()}"
            if st.button(label, key=f"sso_{provider}", type="primary", width="stretch"):
                st.session_state.pop(SIGNED_OUT_KEY, None)
                if _sso_user()[0]:
                    st.rerun()
                st.login(provider) if provider else st.login()
        st.caption("Or with a ClinicOps password:")
    with st.form("sign_in"):
        username = st.text_input("User name", max_chars=60, autocomplete="username")
        password = st.text_input("Password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH,
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if not submitted:
        st.caption("Forgotten your password? The practice manager can set a new one.")
        return
    with context.session() as s:
        result = accounts.authenticate(s, username=username, password=password, address=client_address(),
                                       now=context.now())
    if result.account is None:
        st.error(result.message, icon=":material/lock:")
        return
    _signed_in_now(result.account, "password")


def sign_out() -> None:
    """End this tab's sign-in session (and with it the cookie) at once."""
    user = st.session_state.get(CURRENT_KEY)
    if user is not None:
        with context.session() as s:
            accounts.end_session(s, user.session_id, actor=user.account.actor, now=context.now())
    for key in (SESSION_KEY, CURRENT_KEY, CLAIM_KEY):
        st.session_state.pop(key, None)
    st.session_state[CLEAR_COOKIE_KEY] = True
    st.session_state[SIGNED_OUT_KEY] = True  # do not sign straight back in through single sign-on
    if user is not None and user.method == "sso":
        st.logout()
    st.rerun()


def sidebar_account(user: SignedIn) -> None:
    with st.sidebar:
        st.divider()
        st.caption(
            f"Signed in as **{context.escape_markdown(user.account.display_name)}** · "
            f"{user.account.role_label}"
        )
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            sign_out()


# --- the cookie, through ui/auth_routes.py ----------------------------------------------


def _claim_cookie() -> None:
    """Once after a sign-in: the browser trades the one-time ticket for the HttpOnly cookie."""
    ticket = st.session_state.pop(CLAIM_KEY, None)
    if not accounts.well_formed_token(ticket):
        return
    url = auth_routes.base_path() + auth_routes.CLAIM_PATH
    with st.sidebar:
        _script(
            f"fetch({json.dumps(url)}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}});"
        )


def _clear_cookie() -> None:
    if not st.session_state.pop(CLEAR_COOKIE_KEY, False):
        return
    url = auth_routes.base_path() + auth_routes.END_PATH
    _script(f"fetch({json.dumps(url)}, {{method: 'POST', credentials: 'same-origin'}});")


def _script(code: str) -> None:
    # Our own constant script; the only value in it is a token checked against [A-Za-z0-9_-].
    st.html(f"<script>{code}</script>", unsafe_allow_javascript=True, width="content")
