"""What every page needs: the database, the clock, who is acting, the filters.

The sidebar filters (location, date) and the operations page's provider live
in the address as query parameters (``?location=2&date=2026-11-20&provider=5``),
so a manager's URL reopens the same view. A value in the address is applied
once when a tab opens; one that does not fit (an unknown id, a bad date, any
other text) is dropped with a short notice, and the view falls back to its
default.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.bootstrap import prepare_database
from data.db import make_engine
from data.models import Location, Provider

LOCATION_KEY = "location"
DAY_KEY = "date"
PROVIDER_KEY = "provider"
_URL_SEEN = "_url_seen"  # query values already applied (or written) in this tab
_NOTICES = "_url_notices"
_MAX_DAYS_AWAY = 3 * 366


@st.cache_resource(show_spinner="Setting up the practice database (the first run builds the demo practice)...")
def engine() -> Engine:
    """One engine per server process; the schema is upgraded on first use."""
    eng = make_engine()
    prepare_database(eng)
    return eng


@contextmanager
def session() -> Iterator[Session]:
    with Session(engine(), expire_on_commit=False) as s:
        yield s


def now() -> dt.datetime:
    """The practice's wall-clock time (the server's local time)."""
    return dt.datetime.now().replace(microsecond=0)


def actor() -> str:
    """Who the audit log records for a change made in this browser tab: the signed-in person.

    Checked against the database at the moment of the write, so a session
    that was ended (or an account deactivated) a second ago cannot write.
    """
    from ui import access

    return access.actor()


@st.cache_data(ttl=300)
def locations() -> dict[int, str]:
    with session() as s:
        rows = s.execute(select(Location.id, Location.name).where(Location.active).order_by(Location.id)).all()
    return {row.id: row.name for row in rows}


@st.cache_data(ttl=300)
def providers(location_id: int | None) -> dict[int, str]:
    with session() as s:
        stmt = select(Provider.id, Provider.display_name).where(Provider.active).order_by(Provider.display_name)
        if location_id is not None:
            stmt = stmt.where(Provider.default_location_id == location_id)
        rows = s.execute(stmt).all()
    return {row.id: row.display_name for row in rows}


def selected_location() -> int | None:
    """The sidebar's location (None = all locations)."""
    value = st.session_state.get(LOCATION_KEY)
    return value if value in locations() else None


def selected_day() -> dt.date:
    value = st.session_state.get(DAY_KEY)
    return value if isinstance(value, dt.date) else now().date()


# --- text from users and addresses ------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&^=\"'%])")


def escape_markdown(text: object) -> str:
    """Text to show literally inside Streamlit markdown (names, labels, query values).

    Every markdown, HTML and LaTeX character is backslash-escaped; a zero-width
    space after each colon stops Streamlit's ``:icon:`` and ``:color[...]``
    directives. Streamlit never renders raw HTML here (no ``unsafe_allow_html``).
    """
    clean = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean).replace(":", ":\u200b")


# --- view state in the address ----------------------------------------------------------


def parse_id(raw: str, allowed: dict[int, Any]) -> int | None:
    """An id from the address, if it is one of ``allowed``."""
    if not re.fullmatch(r"[0-9]{1,9}", raw or ""):
        return None
    value = int(raw)
    return value if value in allowed else None


def parse_day(raw: str, today: dt.date) -> dt.date | None:
    """A ``YYYY-MM-DD`` day from the address, within three years of today."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw or ""):
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return day if abs((day - today).days) <= _MAX_DAYS_AWAY else None


def seed_from_url(param: str, key: str, parse: Callable[[str], Any], what: str, *, none_ok: bool = False) -> None:
    """Before the widget ``key`` is drawn: apply ``?param=`` once per tab, or note why not.

    ``parse`` returns the widget value, or None for a value that does not fit.
    """
    raw = st.query_params.get(param)
    seen = st.session_state.setdefault(_URL_SEEN, {})
    if raw is None or seen.get(param) == raw:
        return
    seen[param] = raw
    value = parse(raw)
    if value is None and not none_ok:
        st.session_state.setdefault(_NOTICES, []).append(
            f"The address asked for {what} {inline_code(raw[:60])}, which is not one ClinicOps knows; "
            "it was ignored."
        )
        del st.query_params[param]
        return
    st.session_state[key] = value


def write_to_url(param: str, value: Any, default: Any, serialize: Callable[[Any], str] = str) -> None:
    """After the widget is drawn: keep ``?param=`` in step with it (absent when it is the default)."""
    seen = st.session_state.setdefault(_URL_SEEN, {})
    if value is None or value == default:
        if param in st.query_params:
            del st.query_params[param]
        seen.pop(param, None)
        return
    text = serialize(value)
    if st.query_params.get(param) != text:
        st.query_params[param] = text
    seen[param] = text


def show_url_notices() -> None:
    for notice in st.session_state.pop(_NOTICES, []):
        st.warning(notice, icon=":material/link_off:")


def inline_code(text: str) -> str:
    """``text`` as inline code: shown character for character, never interpreted."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


# --- the shared sidebar -----------------------------------------------------------------


def shared_sidebar() -> None:
    """Location and date, shared by every page, kept in the address."""
    names = locations()
    today = now().date()
    seed_from_url("location", LOCATION_KEY, lambda raw: parse_id(raw, names), "location")
    seed_from_url("date", DAY_KEY, lambda raw: parse_day(raw, today), "date")
    if st.session_state.get(LOCATION_KEY) not in (None, *names):
        st.session_state[LOCATION_KEY] = None
    with st.sidebar:
        location = st.selectbox(
            "Location",
            options=[None, *names],
            format_func=lambda i: "All locations" if i is None else names[i],
            key=LOCATION_KEY,
        )
        # No ``value=``: the default is today, and a date from the address sits in session state.
        day = st.date_input("Date", key=DAY_KEY, format="YYYY-MM-DD")
    write_to_url("location", location, None)
    write_to_url("date", day, today, lambda d: d.isoformat())


def app_root_url() -> str:
    """The app's address as this browser reaches it, without page or query (for links)."""
    from urllib.parse import urlsplit, urlunsplit

    from ui.navigation import PAGES

    try:
        url = st.context.url
    except Exception:
        url = None
    url = url if isinstance(url, str) else ""
    parts = urlsplit(url or "http://localhost:8501/")
    path = parts.path.rstrip("/")
    for page in PAGES:
        if path.endswith("/" + page.url_path):
            path = path[: -len(page.url_path) - 1]
            break
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))
