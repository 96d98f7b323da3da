"""AppTest: the staff planner and compare pages over their own small demo database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import accounts
from data.bootstrap import prepare_database
from data.db import make_engine
from data.models import Staff
from data.roster_inputs import Away, ScenarioInputs
from data.roster_models import Scenario, ScenarioShift
from data.scenarios import clone_scenario, create_scenario, default_inputs, get_scenario
from data.solve_jobs import enqueue
from data.solve_worker import work_once
from tests.pages.conftest import PASSWORDS, fresh_app

START = dt.date.today() + dt.timedelta(days=(7 - dt.date.today().weekday()) % 7 or 7)


@pytest.fixture(scope="module")
def planner_db(tmp_path_factory) -> str:
    """A demo practice with a solved one-week plan and a solved copy with Luis away."""
    url = f"sqlite:///{tmp_path_factory.mktemp('planner') / 'demo.db'}"
    engine = make_engine(url)
    now = dt.datetime.now()
    prepare_database(engine, now, demo=True, months=1)
    with Session(engine) as s:
        accounts.create_account(s, username="boss", display_name="Test manager", role="manager",
                                password=PASSWORDS["boss"], actor="test", now=now)
        accounts.create_account(s, username="desk", display_name="Test desk", role="front_desk",
                                password=PASSWORDS["desk"], actor="test", now=now)
        plan = create_scenario(s, name="Next week", start=START, weeks=1, inputs=default_inputs(s, 1),
                               actor="test", now=now)
        luis = s.scalars(select(Staff).where(Staff.first_name == "Luis")).one()
        inputs = ScenarioInputs.from_json(plan.inputs)
        inputs.levers.away.append(Away(luis.id, START, START + dt.timedelta(days=4)))
        away = clone_scenario(s, plan.id, name="Luis away", inputs=inputs, actor="test", now=now)
        for scenario in (plan, away):
            enqueue(s, scenario.id, 6, actor="test", now=now)
    while work_once(engine, "test", workers=2):
        pass
    engine.dispose()
    return url


def named(planner_db, name: str) -> int:
    engine = make_engine(planner_db)
    with Session(engine) as s:
        found = s.scalars(select(Scenario.id).where(Scenario.name == name)).one()
    engine.dispose()
    return found


def planner_page(planner_db, monkeypatch, role="manager", scenario="Next week"):
    """The planner showing ``scenario`` (the demo may have queued its own roster meanwhile)."""
    at = fresh_app(planner_db, monkeypatch, role).run()
    at = at.switch_page("pages/staff_planner.py").run()
    return at.selectbox(key="planner_scenario").set_value(named(planner_db, scenario)).run()


def test_planner_shows_a_solved_roster(planner_db, monkeypatch):
    at = planner_page(planner_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Staff planner"
    assert [t.label for t in at.tabs] == ["Roster", "Timeline", "Coverage", "Cost", "Fairness", "Penalties", "Edit"]
    labels = [m.label for m in at.metric]
    for label in ("Pay", "Overtime", "Coverage short", "Wishes granted", "Total pay", "Budget"):
        assert label in labels
    grid = at.dataframe[0].value
    assert "Role" in grid.columns and len(grid.columns) == 1 + 7
    assert grid.index.name == "Person" and len(grid) == 26
    assert len(at.get("vega_lite_chart")) >= 2  # coverage heatmap and weekly pay
    assert any(b.label == "Publish this roster" for b in at.button)
    assert any("RN license" in w.value for w in at.warning)  # the demo's lapsed license is explained


def test_the_scenario_is_kept_in_the_url(planner_db, monkeypatch):
    at = planner_page(planner_db, monkeypatch)
    chosen = at.selectbox(key="planner_scenario").value
    assert at.query_params["scenario"] == str(chosen)


def test_a_new_scenario_needs_a_name(planner_db, monkeypatch):
    at = planner_page(planner_db, monkeypatch)
    engine = make_engine(planner_db)
    with Session(engine) as s:
        before = len(s.scalars(select(Scenario)).all())
    at.text_input[0].set_value("   ")
    at = at.button(key="FormSubmitter:new_scenario-Create").click().run()
    assert any("Give the scenario a name" in e.value for e in at.error)
    with Session(engine) as s:
        assert len(s.scalars(select(Scenario)).all()) == before


def test_a_hand_edit_is_pinned_and_checked(planner_db, monkeypatch):
    at = planner_page(planner_db, monkeypatch)
    scenario_id = at.selectbox(key="planner_scenario").value
    form_person = at.selectbox[[s.label for s in at.selectbox].index("Person")]
    at = form_person.select_index(0).run()
    at = at.button(key="FormSubmitter:edit_cell-Apply edit").click().run()
    assert not at.exception
    engine = make_engine(planner_db)
    with Session(engine) as s:
        pinned = s.scalars(select(ScenarioShift).where(ScenarioShift.scenario_id == scenario_id,
                                                       ScenarioShift.pinned)).all()
    assert len(pinned) == 1 and pinned[0].template_id is None  # "Day off" is the first choice
    assert any("checker finds no broken rule" in m.value or "broken by this roster" in m.value
               for m in [*at.success, *at.error])


def test_front_desk_cannot_open_the_planner(planner_db, monkeypatch):
    at = fresh_app(planner_db, monkeypatch, "front_desk").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/staff_planner.py")  # not in the front desk's navigation at all


def test_compare_two_scenarios(planner_db, monkeypatch):
    at = fresh_app(planner_db, monkeypatch, "manager").run()
    at.query_params["compare"] = f"{named(planner_db, 'Next week')},{named(planner_db, 'Luis away')}"
    at = at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 2
    assert set(table["Scenario"].str.split(" \\(").str[0]) == {"Next week", "Luis away"}
    assert any("cell(s) differ" in c.value for c in at.caption)
    diff = at.dataframe[1].value
    assert (diff["Person"] == "Luis Ramirez").any()
    engine = make_engine(planner_db)
    with Session(engine) as s:
        away = s.scalars(select(Scenario).where(Scenario.name == "Luis away")).one()
        assert get_scenario(s, away.id).summary["figures"] is not None


def _set_interim(planner_db, scenario_id: int, interim: bool) -> None:
    engine = make_engine(planner_db)
    with Session(engine) as s:
        scenario = s.get(Scenario, scenario_id)
        scenario.summary = {**(scenario.summary or {}), "interim": interim}
        s.commit()
    engine.dispose()


def test_a_solve_that_ends_while_the_page_is_drawn_shows_its_final_roster(planner_db, monkeypatch):
    """The page reads the scenario, then the job: a solve that ends in between left the roster so far
    on screen beside "done", with no fragment to redraw it. The page now reruns once and shows the final
    roster, without the warning about a solve that did not finish."""
    from ui import solver

    sid = named(planner_db, "Luis away")
    at = planner_page(planner_db, monkeypatch, scenario="Luis away")
    assert not any("did not finish" in w.value for w in at.warning)
    real_job = solver.current_job
    ended = []

    def job_ends_now(scenario_id):
        if scenario_id == sid and not ended:
            ended.append(True)
            _set_interim(planner_db, sid, False)  # the worker's final save lands now
        return real_job(scenario_id)

    try:
        _set_interim(planner_db, sid, True)  # what the page reads first: the roster so far
        monkeypatch.setattr(solver, "current_job", job_ends_now)
        at = at.run()
        assert not at.exception and ended
        assert not any("did not finish" in w.value for w in at.warning)
        assert any("Last solve" in c.value and "done" in c.value for c in at.caption)
        # a summary that stays interim after the job ended (a final save that never came) reruns
        # only once: the warning is shown, and the page does not loop
        monkeypatch.setattr(solver, "current_job", real_job)
        _set_interim(planner_db, sid, True)
        at = at.run()
        assert not at.exception
        assert any("did not finish" in w.value for w in at.warning)
    finally:
        _set_interim(planner_db, sid, False)
