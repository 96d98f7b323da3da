"""Coverage derived from booked appointments and scaled demand: exact numbers on a
hand-built appointment frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.coverage_derive import (
    StaffingRatios,
    demand_by_hour,
    propose_coverage,
    scale_coverage,
    weekly_person_hours,
)
from data.roster_inputs import InputInvalid

MONDAY = dt.datetime(2026, 3, 2)


def booked(*entries: tuple[int, int, int, int, int, int]) -> pd.DataFrame:
    """(location, provider, days after MONDAY, hour, minute, how many) -> one row per appointment."""
    rows = []
    for loc, provider, day, hour, minute, count in entries:
        for i in range(count):
            rows.append((loc, provider, MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute + i)))
    return pd.DataFrame(rows, columns=["location_id", "provider_id", "scheduled_at"])


# Location 1, two weeks. Mondays: 08:00 both providers (3 + 2 appointments in week 1, provider 1 alone
# with 1 in week 2); 09:00 provider 1 (1, week 1 only); 10:00 provider 2 with 26 arrivals (week 1) and
# 10 (week 2). Location 2: Tuesday 13:00, one provider, 4 arrivals, week 2 only.
APPOINTMENTS = booked(
    (1, 1, 0, 8, 0, 3), (1, 2, 0, 8, 10, 2), (1, 1, 0, 9, 0, 1), (1, 2, 0, 10, 0, 26),
    (1, 1, 7, 8, 0, 1), (1, 2, 7, 10, 0, 10),
    (2, 3, 8, 13, 15, 4),
)


def test_demand_counts_distinct_providers_and_arrivals_per_hour_averaged_over_the_weeks():
    demand = demand_by_hour(APPOINTMENTS, weeks=2)
    assert demand.values.tolist() == [
        # location, weekday, hour, providers in clinic, arrivals
        [1, 0, 8, 1.5, 3.0],  # (2 + 1) / 2 providers, (5 + 1) / 2 arrivals
        [1, 0, 9, 0.5, 0.5],
        [1, 0, 10, 1.0, 18.0],  # (26 + 10) / 2
        [2, 1, 13, 0.5, 2.0],
    ]


def test_demand_of_one_week_is_not_averaged():
    demand = demand_by_hour(APPOINTMENTS[APPOINTMENTS["scheduled_at"] < MONDAY + dt.timedelta(days=7)], weeks=1)
    assert demand.values.tolist() == [[1, 0, 8, 2.0, 5.0], [1, 0, 9, 1.0, 1.0], [1, 0, 10, 1.0, 26.0]]


def test_no_appointments_give_no_demand():
    assert demand_by_hour(APPOINTMENTS.iloc[0:0], weeks=4).empty
    with pytest.raises(InputInvalid, match="Look at one week or more."):
        demand_by_hour(APPOINTMENTS, weeks=0)


def test_proposal_uses_the_default_ratios_and_merges_equal_hours():
    demand = pd.DataFrame(
        [[1, 0, 8, 2.0, 5.0], [1, 0, 9, 2.0, 13.0], [1, 0, 10, 3.0, 25.0], [1, 0, 11, 3.0, 24.0],
         [1, 0, 14, 1.0, 0.0]],
        columns=["location_id", "weekday", "hour", "providers", "arrivals"])
    proposal = propose_coverage(demand)
    assert [[r.role_code, f"{r.start_time:%H:%M}-{r.end_time:%H:%M}", r.minimum,
             None if pd.isna(r.preferred) else int(r.preferred)] for r in proposal.itertuples()] == [
        # front desk: 1 per 12 arrivals an hour, at least 1 while open: 5 -> 1, 13 -> 2, 25 -> 3, 24 -> 2
        ["front_desk", "08:00-09:00", 1, None],
        ["front_desk", "09:00-10:00", 2, None],
        ["front_desk", "10:00-11:00", 3, None],
        ["front_desk", "11:00-12:00", 2, None],
        ["front_desk", "14:00-15:00", 1, None],
        # MAs: 1.0 per provider, preferred 1.2 (2 -> 2, pref 3; 3 -> 3, pref 4; 1 -> 1, pref 2)
        ["ma", "08:00-10:00", 2, 3],
        ["ma", "10:00-12:00", 3, 4],
        ["ma", "14:00-15:00", 1, 2],
        # one nurse per location while open; the gap at 12:00-14:00 splits the window
        ["rn", "08:00-12:00", 1, None],
        ["rn", "14:00-15:00", 1, None],
    ]
    assert proposal["location_id"].unique().tolist() == [1] and proposal["weekday"].unique().tolist() == [0]


def test_proposal_rounds_averages_up_and_follows_custom_ratios():
    demand = demand_by_hour(APPOINTMENTS, weeks=2)
    ratios = StaffingRatios(ma_per_provider=1.5, ma_preferred_per_provider=2.0, arrivals_per_front_desk=8,
                            nurses_per_location=0)
    proposal = propose_coverage(demand, ratios)
    assert [[r.location_id, r.weekday, r.role_code, f"{r.start_time:%H:%M}-{r.end_time:%H:%M}", r.minimum,
             None if pd.isna(r.preferred) else int(r.preferred)] for r in proposal.itertuples()] == [
        [1, 0, "front_desk", "08:00-10:00", 1, None],  # 3.0 and 0.5 arrivals / 8 -> at least 1
        [1, 0, "front_desk", "10:00-11:00", 3, None],  # 18 / 8 = 2.25 -> 3
        [1, 0, "ma", "08:00-09:00", 3, None],  # 1.5 providers x 1.5 = 2.25 -> 3; x 2.0 = 3: no extra
        [1, 0, "ma", "09:00-10:00", 1, None],  # 0.5 x 1.5 = 0.75 -> 1; x 2.0 = 1
        [1, 0, "ma", "10:00-11:00", 2, None],  # 1.0 x 1.5 = 1.5 -> 2; x 2.0 = 2
        [2, 1, "front_desk", "13:00-14:00", 1, None],
        [2, 1, "ma", "13:00-14:00", 1, None],
    ]


@pytest.mark.parametrize("ratios, field", [
    (StaffingRatios(ma_per_provider=0), "ma_per_provider"),
    (StaffingRatios(ma_preferred_per_provider=0.8), "ma_preferred_per_provider"),
    (StaffingRatios(arrivals_per_front_desk=0), "arrivals_per_front_desk"),
    (StaffingRatios(nurses_per_location=-1), "nurses_per_location"),
])
def test_impossible_ratios_are_refused(ratios, field):
    with pytest.raises(InputInvalid) as err:
        propose_coverage(demand_by_hour(APPOINTMENTS, weeks=1), ratios)
    assert err.value.field == field


def test_scaling_demand_rounds_up_and_drops_a_preferred_level_equal_to_the_minimum():
    frame = pd.DataFrame({"minimum": [5, 1, 0, 2], "preferred": pd.array([6, None, None, 3], dtype="Int64")})
    up = scale_coverage(frame, 110)
    assert up["minimum"].tolist() == [6, 2, 0, 3]  # 5.5 -> 6, 1.1 -> 2, 0 stays 0, 2.2 -> 3
    assert up["preferred"].tolist() == [7, pd.NA, pd.NA, 4]  # 6.6 -> 7, 3.3 -> 4
    down = scale_coverage(frame, 50)
    assert down["minimum"].tolist() == [3, 1, 0, 1]
    assert down["preferred"].tolist() == [pd.NA, pd.NA, pd.NA, 2]  # 6 -> 3 equals the minimum: dropped
    assert frame["minimum"].tolist() == [5, 1, 0, 2]  # the original is unchanged


@pytest.mark.parametrize("percent", [0, 5, 301, "lots"])
def test_scaling_outside_10_to_300_percent_is_refused(percent):
    with pytest.raises(InputInvalid) as err:
        scale_coverage(pd.DataFrame({"minimum": [1], "preferred": [None]}), percent)
    assert err.value.field == "percent"


def test_weekly_person_hours_count_minimum_and_preferred_levels():
    proposal = propose_coverage(demand_by_hour(APPOINTMENTS, weeks=2))
    hours = weekly_person_hours(proposal)
    assert hours.values.tolist() == [
        [1, "front_desk", 4.0, 4.0],  # 2 h x 1 (08:00-10:00) + 1 h x 2 (10:00-11:00)
        [1, "ma", 4.0, 5.0],  # 1 h x 2 + 1 h x 1 + 1 h x 1 (preferred 2 at 10:00-11:00)
        [1, "rn", 3.0, 3.0],
        [2, "front_desk", 1.0, 1.0],
        [2, "ma", 1.0, 1.0],
        [2, "rn", 1.0, 1.0],
    ]
