"""What every page needs: the database, the clock, who is acting, the filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.bootstrap import prepare_database
from data.db import make_engine
from data.models import Location, Provider

LOCATION_KEY = "location_id"
DAY_KEY = "board_day"


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
    """Who the audit log records for a change made in this browser tab."""
    return st.session_state.get("actor_name") or "Front desk (no sign-in)"


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
    return st.session_state.get(DAY_KEY) or now().date()


def shared_sidebar() -> None:
    """Location and date, shared by every page."""
    names = locations()
    with st.sidebar:
        st.selectbox(
            "Location",
            options=[None, *names],
            format_func=lambda i: "All locations" if i is None else names[i],
            key=LOCATION_KEY,
        )
        st.date_input("Date", value=now().date(), key=DAY_KEY, format="YYYY-MM-DD")
