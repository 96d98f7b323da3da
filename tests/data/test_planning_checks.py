"""Planning-input rules that need no database: weekday and time parsing, template and
coverage rows, one test per rule with the exact message a manager reads."""

from __future__ import annotations

import datetime as dt

import pytest

from data.models import Role
from data.planning_checks import RowProblem, format_weekdays, parse_time, parse_weekdays, weekday_index
from data.planning_store import CoverageRow, TemplateRow, check_coverage, check_templates
from data.roster_inputs import InputInvalid

LOCATIONS = {1: "Main", 2: "Riverside"}
ROLES = {
    3: Role(id=3, code="rn", name="Registered nurse", is_provider=False, required_credential="RN license"),
    4: Role(id=4, code="ma", name="Medical assistant", is_provider=False),
    5: Role(id=5, code="tech", name="Lab tech", is_provider=False, required_credential="Tech license"),
    6: Role(id=6, code="billing", name="Billing", is_provider=False),
}
STAFFED = {
    "rn": (["Rita Reyes"], ["Sam Stone: RN license expired on 24 Feb 2026."]),
    "ma": (["Mia Moss", "Mo Mills"], []),
    "tech": ([], ["Tom Teller: Tech license expired on 21 Jan 2026."]),
}


def t(hhmm: str) -> dt.time:
    return dt.time(*map(int, hhmm.split(":")))


def template(**changes) -> TemplateRow:
    row = TemplateRow(id=None, location_id=1, name="Early", start_time=t("07:00"), end_time=t("15:30"),
                      unpaid_break_minutes=30, weekdays=["Mon", "Tue", "Wed", "Thu", "Fri"], active=True)
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def template_problems(*rows: TemplateRow, max_hours: float = 10) -> list[RowProblem]:
    return check_templates(list(rows), LOCATIONS, max_hours)[1]


def need(**changes) -> CoverageRow:
    row = CoverageRow(id=None, location_id=1, weekday=0, start_time=t("08:00"), end_time=t("12:00"), role_id=4,
                      minimum=2, preferred=3)
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def coverage_problems(*rows: CoverageRow) -> list[RowProblem]:
    return check_coverage(list(rows), LOCATIONS, ROLES, STAFFED)[1]


# --- weekdays and times ------------------------------------------------------------------------


@pytest.mark.parametrize("text, days", [
    ("Mon-Fri", (0, 1, 2, 3, 4)), ("Mon, Wed, Fri", (0, 2, 4)), ("0,1,2", (0, 1, 2)), ("sat", (5,)),
    ("mon - wed, sun", (0, 1, 2, 6)), (["Sat", "Sun"], (5, 6)), ([4, 0], (0, 4)), ("Monday-Wednesday", (0, 1, 2)),
])
def test_weekdays_parse_from_what_a_manager_types(text, days):
    assert parse_weekdays(text) == days


@pytest.mark.parametrize("text, message", [
    ("", "Choose at least one weekday."),
    ([], "Choose at least one weekday."),
    ("7", "There is no weekday 7: use Mon to Sun (0 = Monday, 6 = Sunday)."),
    ("Funday", '"Funday" is not a weekday: use Mon to Sun.'),
    ("Fri-Mon", '"Fri-Mon" runs backwards: write it as Mon, Fri-Sun.'),
    ("Mon-", '"Mon-" is missing its last day: write a range as Mon-Fri.'),
])
def test_weekday_outside_mon_sun_is_refused(text, message):
    with pytest.raises(InputInvalid) as err:
        parse_weekdays(text)
    assert (err.value.field, str(err.value)) == ("weekdays", message)


def test_weekday_index_outside_0_6_is_refused():
    assert weekday_index("Sun") == 6
    with pytest.raises(InputInvalid, match="There is no weekday -1"):
        weekday_index(-1)


def test_missing_values_from_an_edited_table_count_as_blank():
    import numpy as np
    import pandas as pd

    from data.planning_checks import is_blank

    assert [is_blank(v) for v in (None, "", "  ", float("nan"), pd.NA, pd.NaT, np.nan)] == [True] * 7
    assert [is_blank(v) for v in (0, "0", 2.5, np.int64(3), [], ["Mon"], dt.time(7))] == [False] * 7


def test_weekdays_format_compactly():
    assert [format_weekdays(d) for d in ((0, 1, 2, 3, 4), (0, 2, 4), (5, 6), "0,1,2,4", (3,))] == [
        "Mon-Fri", "Mon, Wed, Fri", "Sat, Sun", "Mon-Wed, Fri", "Thu"]


def test_times_parse_and_impossible_hours_are_refused():
    assert parse_time("7:30", "start_time", "Start") == dt.time(7, 30)
    assert parse_time(dt.time(16, 0), "end_time", "End") == dt.time(16, 0)
    with pytest.raises(InputInvalid, match='"25:00" is not a time of day: hours run 00-23 and minutes 00-59.'):
        parse_time("25:00", "start_time", "Start")
    with pytest.raises(InputInvalid, match="Enter the end time."):
        parse_time(None, "end_time", "End")


# --- shift templates ---------------------------------------------------------------------------


def test_a_valid_template_row_has_no_problems_and_is_named_from_its_hours_when_unnamed():
    checked, problems, warnings = check_templates([template(name="")], LOCATIONS, 10)
    assert (problems, warnings) == ([], [])
    assert checked[0].name == "07:00-15:30" and checked[0].weekdays == (0, 1, 2, 3, 4) and checked[0].paid_hours == 8


def test_template_ending_before_it_starts_is_refused():
    assert template_problems(template(start_time=t("15:00"), end_time=t("07:00"))) == [RowProblem(
        1, "end_time", "The shift ends at 07:00, before it starts at 15:00. Shifts cannot run past midnight.")]


def test_template_of_zero_or_under_an_hour_is_refused():
    assert template_problems(template(end_time=t("07:00")), template(name="Short", end_time=t("07:45"))) == [
        RowProblem(1, "end_time", "The shift starts and ends at 07:00: it must last at least an hour."),
        RowProblem(2, "end_time", "The shift lasts 45 minutes; a shift must last at least an hour.")]


def test_template_negative_break_is_refused():
    assert template_problems(template(unpaid_break_minutes=-15)) == [
        RowProblem(1, "unpaid_break_minutes", "The unpaid break (minutes) cannot be negative.")]


def test_template_break_as_long_as_the_shift_is_refused():
    assert template_problems(template(end_time=t("09:00"), unpaid_break_minutes=120)) == [
        RowProblem(1, "unpaid_break_minutes", "The unpaid break (120 min) is as long as the shift itself (120 min).")]


def test_template_paying_under_an_hour_after_its_break_is_refused():
    assert template_problems(template(end_time=t("11:30"), unpaid_break_minutes=240)) == [RowProblem(
        1, "unpaid_break_minutes",
        "After its 240-minute unpaid break the shift pays only 30 minutes; a shift must pay at least an hour.")]


def test_template_without_weekdays_or_location_is_refused():
    assert template_problems(template(weekdays=[]), template(name="B", location_id=None)) == [
        RowProblem(1, "weekdays", "Choose at least one weekday."),
        RowProblem(2, "location_id", "Choose the location that offers this shift.")]


def test_template_weekday_text_outside_mon_sun_is_refused():
    assert template_problems(template(weekdays="Mon-Fri, 8")) == [
        RowProblem(1, "weekdays", "There is no weekday 8: use Mon to Sun (0 = Monday, 6 = Sunday).")]


def test_duplicate_templates_are_refused():
    rows = [template(), template(name="early"), template(name="Other", weekdays="Fri-Sat"),
            template(name="Other Riverside", location_id=2)]
    assert template_problems(*rows) == [
        RowProblem(2, "name", 'Row 1 already has the name "early" at Main.'),
        RowProblem(2, "start_time", "Same hours as row 1 (07:00-15:30 at Main on Mon-Fri): remove one of them."),
        RowProblem(3, "start_time", "Same hours as row 1 (07:00-15:30 at Main on Fri): remove one of them."),
    ]


def test_template_longer_than_the_daily_maximum_is_allowed_but_flagged():
    checked, problems, warnings = check_templates([template(name="Long", end_time=t("19:00"))], LOCATIONS, 10)
    assert problems == [] and len(checked) == 1
    assert warnings == ["Row 1 (Long): 11.5 paid hours is more than the 10-hour daily maximum, so the planner cannot "
                        "give this shift to anyone until you raise the maximum in Labor rules."]


# --- coverage requirements ---------------------------------------------------------------------


def test_a_valid_requirement_has_no_problems():
    checked, problems, warnings = check_coverage([need()], LOCATIONS, ROLES, STAFFED)
    assert (problems, warnings) == ([], [])
    assert (checked[0].minimum, checked[0].preferred, checked[0].weekday) == (2, 3, 0)


def test_requirement_ending_before_it_starts_is_refused():
    assert coverage_problems(need(start_time=t("12:00"), end_time=t("08:00"))) == [
        RowProblem(1, "end_time", "The window ends at 08:00, before it starts at 12:00.")]


def test_negative_minimum_is_refused():
    assert coverage_problems(need(minimum=-1, preferred=None)) == [
        RowProblem(1, "minimum", "The minimum cannot be negative.")]


def test_impossible_minimum_is_refused():
    assert coverage_problems(need(minimum=2.5), need(start_time=t("13:00"), end_time=t("17:00"), minimum=80)) == [
        RowProblem(1, "minimum", "The minimum must be a whole number, not 2.5."),
        RowProblem(2, "minimum", "The minimum must be between 0 and 50.")]


def test_preferred_below_minimum_is_refused():
    assert coverage_problems(need(minimum=3, preferred=2)) == [
        RowProblem(1, "preferred", "Preferred (2) cannot be less than the minimum (3).")]


def test_requirement_weekday_outside_0_6_is_refused():
    assert coverage_problems(need(weekday=7)) == [
        RowProblem(1, "weekday", "There is no weekday 7: use Mon to Sun (0 = Monday, 6 = Sunday).")]


def test_requirement_for_a_role_nobody_active_holds_is_refused():
    assert coverage_problems(need(role_id=6, preferred=None)) == [RowProblem(
        1, "role_id",
        "Nobody active works as Billing, so no one can cover this need. Add or reactivate someone first.")]


def test_requirement_nobody_is_qualified_for_names_who_and_why():
    assert coverage_problems(need(role_id=5, minimum=1, preferred=None)) == [RowProblem(
        1, "role_id", "No one is qualified to work as Lab tech: Tom Teller: Tech license expired on 21 Jan 2026.")]


def test_requirement_of_zero_for_an_unstaffed_role_is_allowed():
    assert coverage_problems(need(role_id=5, minimum=0, preferred=None)) == []


def test_requirement_for_a_provider_role_is_refused():
    assert coverage_problems(need(role_id=99)) == [RowProblem(
        1, "role_id", "Choose a role the planner rosters (providers keep their own schedules).")]


def test_duplicate_and_overlapping_requirements_are_refused():
    rows = [need(), need(), need(start_time=t("11:00"), end_time=t("13:00")), need(weekday="Tue"),
            need(start_time=t("12:00"), end_time=t("13:00"))]
    assert coverage_problems(*rows) == [
        RowProblem(2, "start_time", "Mon 08:00-12:00 is the same window as row 1 (08:00-12:00) for Medical assistant "
                                    "at Main. Give each time window one row."),
        RowProblem(3, "start_time", "Mon 11:00-13:00 overlaps row 1 (08:00-12:00) for Medical assistant at Main. "
                                    "Give each time window one row."),
        RowProblem(5, "start_time", "Mon 12:00-13:00 overlaps row 3 (11:00-13:00) for Medical assistant at Main. "
                                    "Give each time window one row."),
    ]


def test_needing_more_people_at_once_than_the_role_has_is_a_warning():
    checked, problems, warnings = check_coverage([need(minimum=3, preferred=None)], LOCATIONS, ROLES, STAFFED)
    assert problems == [] and len(checked) == 1
    assert warnings == ["Row 1: needs 3 people as Medical assistant at once, but only 2 can work that role; the "
                        "planner will report the shortfall."]
