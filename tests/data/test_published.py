"""The published roster read back: on duty now vs required, shifts, the grid by person, publications.

These tests only read, so each database (SQLite, and PostgreSQL when
``TEST_DATABASE_URL`` is set) is built once for the module.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy.orm import Session

from data.bootstrap import drop_everything
from data.db import make_engine, upgrade_schema

from data.published import (
    ON_DUTY_COLUMNS,
    SHIFT_COLUMNS,
    on_duty_vs_required,
    published_periods,
    published_range,
    published_shifts,
    roster_by_person,
)
from tests.conftest import skip_or_fail
from tests.data.published_practice import PUBLISHED_AT, START, build_clinic, publish_by_hand, require

MON, TUE = START, START + dt.timedelta(days=1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def read_engine(request, tmp_path_factory):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('published') / 'test.db'}")
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            skip_or_fail("TEST_DATABASE_URL is not set", "CLINICOPS_REQUIRE_POSTGRES")
        eng = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        drop_everything(eng)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def clinic(read_engine):
    engine = read_engine
    ids = build_clinic(engine)
    # Monday: Main MAs 2 (prefer 3) in the morning, +1 (prefer +1) from 10 to 12, 1 in the afternoon;
    # a nurse all day at Main; Riverside front desk 1 (prefer 2) in the morning.
    require(engine, ids["main"], 0, "08:00", "12:00", ids["ma"], 2, 3)
    require(engine, ids["main"], 0, "10:00", "12:00", ids["ma"], 1, 1)
    require(engine, ids["main"], 0, "12:00", "16:00", ids["ma"], 1, None)
    require(engine, ids["main"], 0, "08:00", "16:00", ids["rn"], 1, 1)
    require(engine, ids["river"], 0, "08:00", "12:00", ids["front_desk"], 1, 2)
    publish_by_hand(engine, [
        (ids["ann"], ids["main"], ids["day"], MON),
        (ids["ben"], ids["main"], ids["late"], MON),
        (ids["dan"], ids["river"], ids["river_day"], MON),
        (ids["ann"], ids["main"], ids["day"], TUE),
    ])
    return ids


def _rows(frame):
    return [tuple(r) for r in frame[["location", "role", "on_duty", "names", "minimum", "preferred", "short", "over",
                                     "status"]].itertuples(index=False)]


def test_on_duty_in_the_morning_is_short_of_mas_and_the_nurse(read_engine, clinic):
    with Session(read_engine) as s:
        frame = on_duty_vs_required(s, dt.datetime.combine(MON, dt.time(9, 0)))
    assert list(frame.columns) == ON_DUTY_COLUMNS
    assert _rows(frame) == [
        ("Main", "ma", 1, "Ann Alpha", 2, 3, 1, 0, "short"),
        ("Main", "rn", 0, "", 1, 1, 1, 0, "short"),
        ("Riverside", "front_desk", 1, "Dan Dole", 1, 2, 0, 0, "below preferred"),
    ]


def test_overlapping_requirement_windows_add_up(read_engine, clinic):
    with Session(read_engine) as s:
        frame = on_duty_vs_required(s, dt.datetime.combine(MON, dt.time(11, 30)), clinic["main"])
    assert _rows(frame) == [
        ("Main", "ma", 1, "Ann Alpha", 3, 4, 2, 0, "short"),
        ("Main", "rn", 0, "", 1, 1, 1, 0, "short"),
    ]


def test_afternoon_over_and_not_required(read_engine, clinic):
    with Session(read_engine) as s:
        frame = on_duty_vs_required(s, dt.datetime.combine(MON, dt.time(13, 0)))
    assert _rows(frame) == [
        ("Main", "ma", 2, "Ann Alpha, Ben Beta", 1, 1, 0, 1, "over"),
        ("Main", "rn", 0, "", 1, 1, 1, 0, "short"),
        ("Riverside", "front_desk", 1, "Dan Dole", 0, 0, 0, 1, "not required"),
    ]


def test_a_shift_ends_and_a_window_closes_at_their_end_time(read_engine, clinic):
    with Session(read_engine) as s:
        frame = on_duty_vs_required(s, dt.datetime.combine(MON, dt.time(16, 0)))
    assert _rows(frame) == [("Main", "ma", 1, "Ben Beta", 0, 0, 0, 1, "not required")]


def test_location_filter_and_a_day_without_requirements(read_engine, clinic):
    with Session(read_engine) as s:
        river = on_duty_vs_required(s, dt.datetime.combine(MON, dt.time(9, 0)), clinic["river"])
        tuesday = on_duty_vs_required(s, dt.datetime.combine(TUE, dt.time(9, 0)))
        night = on_duty_vs_required(s, dt.datetime.combine(TUE, dt.time(23, 0)))
    assert _rows(river) == [("Riverside", "front_desk", 1, "Dan Dole", 1, 2, 0, 0, "below preferred")]
    assert _rows(tuesday) == [("Main", "ma", 1, "Ann Alpha", 0, 0, 0, 1, "not required")]
    assert night.empty and list(night.columns) == ON_DUTY_COLUMNS


def test_published_shifts_and_the_grid_by_person(read_engine, clinic):
    with Session(read_engine) as s:
        shifts = published_shifts(s, MON, TUE)
        main_only = published_shifts(s, MON, TUE, clinic["main"])
        assert published_range(s) == (MON, TUE)
    assert list(shifts.columns) == SHIFT_COLUMNS
    assert [(r.name, r.day, r.shift, r.location, r.paid_hours) for r in shifts.itertuples(index=False)] == [
        ("Ann Alpha", MON, "Day 08:00-16:00", "Main", 7.5),
        ("Dan Dole", MON, "Day 08:00-16:00", "Riverside", 7.5),
        ("Ben Beta", MON, "Late 12:00-20:00", "Main", 7.5),
        ("Ann Alpha", TUE, "Day 08:00-16:00", "Main", 7.5),
    ]
    assert len(main_only) == 3
    grid = roster_by_person(shifts, [MON, TUE])
    assert list(grid.columns) == ["staff_id", "name", "role_name", MON, TUE, "shifts", "hours"]
    assert [tuple(r)[1:] for r in grid.itertuples(index=False)] == [  # MAs before the front desk
        ("Ann Alpha", "Medical assistant", "08:00-16:00 Main", "08:00-16:00 Main", 2, 15.0),
        ("Ben Beta", "Medical assistant", "12:00-20:00 Main", "", 1, 7.5),
        ("Dan Dole", "Front desk", "08:00-16:00 Riverside", "", 1, 7.5),
    ]


def test_published_periods_say_who_published_what(read_engine, clinic):
    with Session(read_engine) as s:
        periods = published_periods(s, MON, MON + dt.timedelta(days=6))
        assert published_periods(s, MON - dt.timedelta(days=7), MON - dt.timedelta(days=1)).empty
        assert list(published_periods(s, MON, MON + dt.timedelta(days=6), clinic["river"])["shifts"]) == [1]
    assert periods[["name", "start", "end", "published_at", "published_by", "shifts"]].to_dict("records") == [
        {"name": "Hand roster", "start": MON, "end": MON + dt.timedelta(days=6), "published_at": PUBLISHED_AT,
         "published_by": "Test Manager", "shifts": 4},
    ]


def test_nothing_published(engine):  # its own, empty database
    build_clinic(engine)
    with Session(engine) as s:
        assert published_range(s) is None
        assert published_shifts(s, MON, TUE).empty
        assert roster_by_person(published_shifts(s, MON, TUE), [MON]).empty
