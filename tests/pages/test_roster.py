"""The Published roster page (AppTest): empty state, the grid and exports, sick-call refusals, an impossible
repair explained, and the page closed to other roles."""

from __future__ import annotations

import datetime as dt
import shutil
from types import SimpleNamespace

import pytest
import streamlit as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data import accounts
from data.db import make_engine
from data.models import Location, Role, Staff
from data.roster_models import PublishedShift, Scenario, ShiftTemplate, SolveJob
from tests.pages.conftest import APP
from ui import solver

PASSWORD = "roster-page-password-1"


def _db(demo_db_url: str, tmp_path) -> str:
    """A private copy of the demo database (these tests publish and record sick calls)."""
    source = demo_db_url.removeprefix("sqlite:///")
    target = tmp_path / "roster.db"
    shutil.copyfile(source, target)
    url = f"sqlite:///{target}"
    # Start from nothing published: other page tests may have let the demo publish its own roster.
    engine = make_engine(url)
    with Session(engine) as s:
        for table in (PublishedShift, SolveJob, Scenario):
            s.execute(delete(table))
        s.commit()
    engine.dispose()
    return url


def _signed_in(url: str, monkeypatch, role: str) -> AppTest:
    engine = make_engine(url)
    now = dt.datetime.now()
    with Session(engine, expire_on_commit=False) as s:
        username = f"roster_{role}"
        account = accounts.get_account(s, username) or accounts.create_account(
            s, username=username, display_name=f"Roster {role}", role=role, password=PASSWORD, actor="test",
            now=now)
        started = accounts.start_session(s, account=account, method="password", address="local",
                                         user_agent="AppTest", now=now)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_session_id"] = started.session_id
    return at


def _publish_by_hand(url: str, days: int = 7) -> tuple[int, list[str]]:
    """Three medical assistants on the clinic day at Main Street from today for ``days`` days."""
    engine = make_engine(url)
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    at = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)
    with Session(engine, expire_on_commit=False) as s:
        main = s.scalars(select(Location).where(Location.name == "Main Street")).one()
        template = s.scalars(select(ShiftTemplate).where(ShiftTemplate.location_id == main.id,
                                                         ShiftTemplate.name == "Clinic day 07:45-17:00")).one()
        people = s.scalars(select(Staff).join(Role).where(Role.code == "ma", Staff.home_location_id == main.id)
                           .order_by(Staff.last_name, Staff.first_name).limit(3)).all()
        scenario = Scenario(name="Hand-made March roster", start_date=monday, weeks=2, kind="plan", status="published",
                            inputs={}, summary={"figures": {}}, created_at=at, created_by="test", updated_at=at,
                            published_at=at, published_by="Pat Publisher")
        s.add(scenario)
        s.flush()
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            for person in people:
                s.add(PublishedShift(staff_id=person.id, location_id=main.id, template_id=template.id, day=day,
                                     start_at=dt.datetime.combine(day, template.start_time),
                                     end_at=dt.datetime.combine(day, template.end_time), scenario_id=scenario.id,
                                     published_at=at))
        s.commit()
        names = [p.full_name for p in people]
    engine.dispose()
    return scenario.id, names


def _scenarios(url: str, kind: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        count = s.scalar(select(func.count(Scenario.id)).where(Scenario.kind == kind))
    engine.dispose()
    return count


@pytest.fixture
def db(demo_db_url, tmp_path) -> str:
    return _db(demo_db_url, tmp_path)


def _open(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/roster.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_without_a_published_roster_it_says_how_to_get_one(db, monkeypatch):
    at = _open(_signed_in(db, monkeypatch, "manager"))
    assert [t.value for t in at.title] == ["Published roster"]
    assert at.info[0].value.startswith("Nothing has been published yet.")
    assert not at.get("download_button") and len(at.dataframe) == 0


def test_the_published_roster_grid_who_published_it_and_exports(db, monkeypatch):
    _, names = _publish_by_hand(db)
    at = _open(_signed_in(db, monkeypatch, "manager"))
    assert any("March roster** (" in m.value and "by Pat Publisher" in m.value for m in at.markdown)
    grid = at.dataframe[0].value
    assert sorted(grid.index) == sorted(names)
    today = dt.date.today()
    today_column = f"{today:%a} {today.day} · today"
    assert list(grid[today_column]) == ["07:45-17:00 M"] * 3
    # Seven days from today always fall in the two weeks shown from this Monday: 21 shifts of 8 paid hours.
    assert [m.value for m in at.metric] == ["3", "21", "168.0"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:4] == ["CSV", "Excel", "Print view", "Calendars (.zip)"]
    assert at.selectbox(key="sick_person").value is not None


def test_a_sick_call_without_days_is_refused_and_saves_nothing(db, monkeypatch):
    _publish_by_hand(db)
    at = _open(_signed_in(db, monkeypatch, "manager"))
    person = at.selectbox(key="sick_person").value
    at.multiselect(key=f"sick_days_{person}").set_value([]).run()
    at.button[[b.label for b in at.button].index("Find cover")].click().run()
    assert [e.value for e in at.error] == ["Choose at least one day the person will miss."]
    assert _scenarios(db, "repair") == 0


def _impossible_repair(url: str) -> None:
    """A sick call on a hand-published roster whose solve has ended: no repair satisfies every rule."""
    published_id, _ = _publish_by_hand(url)
    engine = make_engine(url)
    now = dt.datetime.now().replace(microsecond=0)
    with Session(engine) as s:
        repair = Scenario(
            name="Sick call: Ana Example, today", start_date=dt.date.today(), weeks=1, kind="repair",
            status="draft", parent_id=published_id, inputs={}, created_at=now, created_by="Roster manager",
            updated_at=now, summary={"status": "infeasible", "errors": [], "conflict": {
                "sentences": ["Main Street needs 5 medical assistants on Fri but only 4 may work."],
                "relax": ["Allow overtime, or lower the minimum staffing."]}})
        s.add(repair)
        s.flush()
        s.add(SolveJob(scenario_id=repair.id, status="done", time_limit_s=5, requested_by="test", requested_at=now,
                       finished_at=now, message="No roster satisfies every rule; see why below."))
        s.commit()
    engine.dispose()


def test_an_impossible_repair_shows_the_engines_explanation(db, monkeypatch):
    _impossible_repair(db)
    at = _open(_signed_in(db, monkeypatch, "manager"))
    assert [e.value for e in at.error] == [
        "**No repair satisfies every rule.** Main Street needs 5 medical assistants on Fri but only 4 may work."]
    assert "Allow overtime, or lower the minimum staffing." in at.info[-1].value
    publish = at.button[[b.label for b in at.button].index("Publish repair")]
    assert publish.disabled


def test_a_repair_that_ends_while_the_page_draws_is_shown_without_a_click(db, monkeypatch):
    """The page sees the job running, its progress panel a moment later sees it done: the page must redraw
    itself with the result (it used to wait forever, since the panel had never seen the job run)."""
    _impossible_repair(db)
    real = solver.current_job
    looks = []

    def running_at_first_look(scenario_id):
        job = real(scenario_id)
        looks.append(job.status)
        if len(looks) == 1:  # the page's own look, just before the job ends
            return SimpleNamespace(**{c: getattr(job, c) for c in ("id", "status", "time_limit_s", "elapsed_s",
                                                                      "started_at", "best_objective", "best_bound",
                                                                      "solutions")} | {"status": "running"})
        return job

    monkeypatch.setattr(solver, "current_job", running_at_first_look)
    at = _open(_signed_in(db, monkeypatch, "manager"))
    assert len(looks) >= 3  # the page, its panel, and the page again after the panel asked for a redraw
    assert [e.value for e in at.error] == [
        "**No repair satisfies every rule.** Main Street needs 5 medical assistants on Fri but only 4 may work."]


def test_the_page_is_not_in_the_front_desks_menu(db, monkeypatch):
    at = _signed_in(db, monkeypatch, "front_desk").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/roster.py")
