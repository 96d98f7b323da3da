"""AppTest fixtures: the app over a small demo practice in a temporary SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data.bootstrap import prepare_database
from data.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pages") / "demo.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    prepare_database(engine, dt.datetime.now(), demo=True, months=2)
    engine.dispose()
    return url


@pytest.fixture
def app(demo_db_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=60)
