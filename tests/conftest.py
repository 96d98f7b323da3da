"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when
``TEST_DATABASE_URL`` is set), and a tiny hand-built practice for exact tests."""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from data.bootstrap import drop_everything  # noqa: E402
from data.db import make_engine, upgrade_schema  # noqa: E402
from data.models import Goal, Location, Patient, Practice, Provider, Role, Staff, VisitType  # noqa: E402

DAY = dt.date(2026, 3, 2)  # a Monday


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip() not in ("", "0")


def skip_or_fail(reason: str, required_by: str) -> None:
    """Skip a test whose infrastructure is missing, unless CI says it must run."""
    if _required(required_by):
        pytest.fail(f"{reason} ({required_by} is set, so this test must run)")
    pytest.skip(reason)


def pytest_generate_tests(metafunc):
    if "db_url_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_url_kind", ["sqlite", "postgresql"])


def empty_postgres() -> Engine:
    """The PostgreSQL test database, wiped (skipped or failed when there is none)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("TEST_DATABASE_URL is not set", "CLINICOPS_REQUIRE_POSTGRES")
    eng = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    drop_everything(eng)
    return eng


@pytest.fixture
def engine(db_url_kind, tmp_path) -> Engine:
    """A migrated, empty database: SQLite in a temp file, or the PostgreSQL test database."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}") if db_url_kind == "sqlite" else empty_postgres()
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine() -> Engine:
    """The PostgreSQL test database alone, migrated and empty: for what only PostgreSQL has (the job queue)."""
    eng = empty_postgres()
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade_schema(eng)
    yield eng
    eng.dispose()


def build_small_practice(engine: Engine) -> dict[str, int]:
    """One location, two providers, four patients, two visit types, a goal."""
    with Session(engine) as s:
        s.add(Practice(id=1, name="Test Clinic", seen_definition="roomed", board_refresh_seconds=10))
        loc = Location(name="Main", address="1 Main St", exam_rooms=4)
        role = Role(code="physician", name="Physician", is_provider=True, is_clinical=True)
        s.add_all([loc, role])
        providers = []
        for first, last in (("Ann", "Alpha"), ("Ben", "Beta")):
            person = Staff(first_name=first, last_name=last, role=role, home_location=loc,
                           pay_rate=Decimal("100"), contracted_hours=Decimal("40"))
            providers.append(Provider(staff=person, display_name=f"Dr. {last}", degree="MD", default_location=loc))
        s.add_all(providers)
        patients = [Patient(mrn=f"T{i}", first_name=f, last_name=l, birth_year=1980)
                    for i, (f, l) in enumerate((("Jane", "Smith"), ("Omar", "Khan"), ("Li", "Wei"), ("Eva", "Ng")))]
        s.add_all(patients)
        follow = VisitType(name="Follow-up", duration_minutes=15)
        new = VisitType(name="New patient", duration_minutes=30, is_new_patient=True)
        s.add_all([follow, new])
        s.add(Goal(effective_from=DAY - dt.timedelta(days=30), wait_target_minutes=17, warning_minutes=12,
                   target_share=0.9, created_at=dt.datetime(2026, 1, 1), created_by="test"))
        s.commit()
        return {
            "location": loc.id,
            "provider_a": providers[0].id,
            "provider_b": providers[1].id,
            "patients": [p.id for p in patients],
            "follow_up": follow.id,
            "new_patient": new.id,
        }


@pytest.fixture
def small_practice(engine) -> dict[str, int]:
    return build_small_practice(engine)
