"""AppTest: the Planning inputs page (manager only) over a copy of the demo practice."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import planning_store
from data.db import make_engine
from data.models import AuditEntry, Staff
from data.roster_models import CoverageRequirement, PlannerSettings
from tests.pages.conftest import fresh_app

PAGE = "pages/planner_inputs.py"


def plain(markdown: str) -> str:
    """Markdown as read: without the escapes the page adds to names and times."""
    return markdown.replace("\\", "").replace("\u200b", "")


@pytest.fixture(scope="module")
def inputs_db_url(demo_db_url, tmp_path_factory) -> str:
    """A copy of the shared demo database, so saves here cannot change what other page tests see."""
    source = demo_db_url.removeprefix("sqlite:///")
    target = tmp_path_factory.mktemp("planner_inputs") / "demo.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def page(inputs_db_url, monkeypatch):
    return fresh_app(inputs_db_url, monkeypatch, "manager").switch_page(PAGE)


def test_each_section_renders(page, inputs_db_url):
    at = page.run()
    assert not at.exception
    assert at.title[0].value == "Planning inputs"
    assert [t.label for t in at.tabs] == ["Staff and eligibility", "Shift templates", "Coverage needs",
                                          "Labor rules and budget", "Time off and wishes"]
    assert [e.key for e in at.data_editor] == ["staff_editor_0_all", "templates_editor_0_all",
                                               "coverage_editor_0_all"]
    staff = at.data_editor[0].value
    assert "Christine Howard" not in set(staff["name"])  # the office manager is not rostered
    assert staff.set_index("name").loc["Kim Alvarez", "status"] == "No"
    assert staff.set_index("name").loc["Kim Alvarez", "reason"].startswith("RN license expired on ")
    assert any("Kim Alvarez" in e.value and "cannot be rostered" in e.value for e in at.error)
    with Session(make_engine(inputs_db_url)) as s:
        assert len(at.data_editor[1].value) == len(planning_store.templates(s))
        assert len(at.data_editor[2].value) == len(planning_store.coverage(s))
    assert at.number_input(key="rules_day").value == 10.0
    assert at.number_input(key="rules_budget").value == 19000.0
    assert {h.value for h in at.subheader} >= {"Time off", "Shift wishes"}
    assert any(label.startswith("Megan Foster: ") for label in at.selectbox(key="time_off_pick").options)


def test_a_bad_template_row_shows_its_message_and_saves_nothing(page, inputs_db_url):
    engine = make_engine(inputs_db_url)
    with Session(engine) as s:
        before = planning_store.templates(s)
    page.session_state["templates_editor_0_all"] = {
        "edited_rows": {"1": {"end_time": "06:00"}},
        "added_rows": [{"location": "Riverside", "name": "Evening", "start_time": "16:00", "end_time": "21:00",
                        "unpaid_break_minutes": 300, "days": ["Mon"]}],
        "deleted_rows": [0]}
    at = page.run()
    at = at.button(key="templates_save").click().run()
    assert not at.exception
    name = before["name"].iloc[1]
    start = f"{before['start_time'].iloc[1]:%H:%M}"
    messages = [plain(e.value) for e in at.error if "nothing was saved" in e.value]
    assert len(messages) == 1
    assert messages[0] == (
        "2 problems to fix; nothing was saved.\n\n"
        f"- **Row 2 ({name} at Main Street)** · End: The shift ends at 06:00, before it starts at {start}. "
        "Shifts cannot run past midnight.\n"
        "- **New row 1 (Evening at Riverside)** · Unpaid break: The unpaid break (minutes) must be between 0 and "
        "240.")
    with Session(engine) as s:
        assert planning_store.templates(s).equals(before)


def test_labor_rules_form_refuses_a_zero_budget_then_saves(page, inputs_db_url):
    engine = make_engine(inputs_db_url)
    at = page.run()
    at.number_input(key="rules_budget").set_value(0.0)
    at.number_input(key="rules_day").set_value(9.5)
    at = at.button(key="FormSubmitter:rules_form-Save rules").click().run()
    assert [e.value for e in at.error if "budget" in e.value] == [
        "The labor budget must be more than $0, or left empty for no budget. Nothing was saved."]
    assert at.number_input(key="rules_budget").value == 0.0  # the entered value is kept
    with Session(engine) as s:
        row = s.get(PlannerSettings, 1)
        assert (float(row.max_hours_per_day), float(row.weekly_budget)) == (10.0, 19000.0)

    at.number_input(key="rules_budget").set_value(21000.0)
    at = at.button(key="FormSubmitter:rules_form-Save rules").click().run()
    assert not at.exception
    assert "Labor rules and budget saved." in [s.value for s in at.success]
    with Session(engine) as s:
        row = s.get(PlannerSettings, 1)
        assert (float(row.max_hours_per_day), float(row.weekly_budget)) == (9.5, 21000.0)


def test_a_coverage_edit_saves_and_is_audited(page, inputs_db_url):
    engine = make_engine(inputs_db_url)
    with Session(engine) as s:
        first = planning_store.coverage(s).iloc[0]
        assert first["preferred"] is pd.NA or first["preferred"] > first["minimum"]
        rows_with_no_preferred = int(planning_store.coverage(s)["preferred"].isna().sum())
    assert rows_with_no_preferred > 0  # blank cells come back from the editor as pd.NA and must stay blank
    page.session_state["coverage_editor_0_all"] = {
        "edited_rows": {"0": {"minimum": int(first["minimum"]) + 1}}, "added_rows": [], "deleted_rows": []}
    at = page.run()
    at = at.button(key="coverage_save").click().run()
    assert not at.exception
    assert "Saved: 1 changed." in [s.value for s in at.success]
    with Session(engine) as s:
        row = s.get(CoverageRequirement, int(first["id"]))
        assert row.minimum == int(first["minimum"]) + 1
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.entity_id, entry.actor) == ("coverage.update", str(first["id"]),
                                                                "Test manager (boss)")
        assert entry.old_value["minimum"] == int(first["minimum"])


def test_only_the_manager_can_open_planning_inputs(app_as):
    at = app_as("front_desk").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_a_staff_edit_saves_only_the_changed_row(page, inputs_db_url):
    engine = make_engine(inputs_db_url)
    at = page.run()
    table = at.data_editor(key="staff_editor_0_all").value
    first, second = (int(i) for i in table["id"].iloc[:2])
    with Session(engine) as s:  # another manager changes the second person after this table was read
        s.get(Staff, second).pay_rate = Decimal("31.25")
        s.commit()
    at.session_state["staff_editor_0_all"] = {
        "edited_rows": {"0": {"pay_rate": 26.75, "employment": "Part time"}}, "added_rows": [], "deleted_rows": []}
    at = at.run()
    at = at.button(key="staff_save").click().run()
    assert "Saved: 1 person changed." in [s.value for s in at.success]
    with Session(engine) as s:
        assert (s.get(Staff, first).pay_rate, s.get(Staff, first).employment_type) == (Decimal("26.75"), "part_time")
        assert s.get(Staff, second).pay_rate == Decimal("31.25")  # not reverted by the stale table
