"""The repair report (ui.published_views.render_report) drawn alone (AppTest.from_function): the figures
leave the absence out, the change list counts it, and the page says so."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.repair import CHANGE_COLUMNS, RepairReport

SICK_DAY = dt.date(2026, 3, 6)


def _draw(report) -> None:
    from ui.published_views import render_report

    render_report(report)


def _report(rows: list[dict]) -> RepairReport:
    return RepairReport(
        scenario_id=1, name="Sick call", status="solved", solved=True, absences=[(7, SICK_DAY)],
        changes=pd.DataFrame(rows, columns=CHANGE_COLUMNS), wages_before=1000.0, wages_after=880.0,
        short_hours_uncovered=0.0, short_hours_after=0.0)


def _row(staff_id: int, name: str, change: str, before: str | None, after: str | None, covers: bool) -> dict:
    return {"staff_id": staff_id, "name": name, "role_name": "Medical assistant", "day": SICK_DAY,
            "from": before, "to": after, "change": change, "covers": covers}


def _run(report: RepairReport) -> AppTest:
    at = AppTest.from_function(_draw, args=(report,), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_repair_where_nobody_covers_explains_why_the_list_has_one_change():
    at = _run(_report([_row(7, "Kim Lee", "absent", "Clinic day 07:45-17:00", None, False)]))
    assert [(m.label, m.value) for m in at.metric][:2] == [("People moved", "0"), ("Cells changed", "0")]
    assert at.info[0].value == "Nobody needs to cover: the minimum staffing is met without this person."
    assert "**Every change** (1)" in [md.value for md in at.markdown]
    assert [c.value for c in at.caption] == [
        "Includes the shift of the person away, which the figures above leave out."]


def test_covers_are_counted_apart_from_the_absences():
    at = _run(_report([
        _row(7, "Kim Lee", "absent", "Clinic day 07:45-17:00", None, False),
        _row(7, "Kim Lee", "absent", "Clinic day 07:45-17:00", None, False),
        _row(9, "Ana Ruiz", "added", None, "Clinic day 07:45-17:00", True),
    ]))
    assert [(m.label, m.value) for m in at.metric][:2] == [("People moved", "1"), ("Cells changed", "1")]
    # (times are escaped so that Streamlit's markdown shows them as written)
    assert "**Who covers**\n\n- **Ana Ruiz** works Clinic day 07:\u200b45\\-17:\u200b00 on Fri 6 Mar" in [
        md.value for md in at.markdown]
    assert "**Every change** (3)" in [md.value for md in at.markdown]
    assert [c.value for c in at.caption] == [
        "Includes the 2 shifts of the person away, which the figures above leave out."]
