"""Wait math on hand-built visits, with exact expected values."""

import datetime as dt

import pandas as pd
import pytest

from data import kpis
from data.kpis import WaitRules, annotate_visits, queue_by_provider, today_kpis

NOW = dt.datetime(2026, 3, 2, 10, 0)
T = lambda hhmm: dt.datetime(2026, 3, 2, int(hhmm[:2]), int(hhmm[3:]))  # noqa: E731

COLUMNS = ["id", "scheduled_at", "provider", "status", "booked_at", "checked_in_at", "roomed_at",
           "provider_at", "checked_out_at", "no_show_at", "cancelled_at", "left_at"]


def visits(*rows) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows, start=1):
        base = dict.fromkeys(COLUMNS)
        base.update(id=i, provider="Dr. A", booked_at=T("07:00"))
        base.update(row)
        records.append(base)
    df = pd.DataFrame(records, columns=COLUMNS)
    for column in COLUMNS:
        if column.endswith("_at"):
            df[column] = pd.to_datetime(df[column])
    return df


# Seen at 10, 20 and 30 minutes; one waiting 20 minutes (breached), one
# waiting 13 (warning), one waiting 5 (on track), one walk-out, one no-show,
# one not yet arrived, one with the provider after a 16-minute wait.
FIXTURE = visits(
    dict(scheduled_at=T("08:00"), status="checked_out", checked_in_at=T("07:55"), roomed_at=T("08:05"),
         provider_at=T("08:10"), checked_out_at=T("08:30")),
    dict(scheduled_at=T("08:15"), status="checked_out", checked_in_at=T("08:10"), roomed_at=T("08:30"),
         provider_at=T("08:40"), checked_out_at=T("09:00")),
    dict(scheduled_at=T("08:30"), status="roomed", checked_in_at=T("08:20"), roomed_at=T("08:50")),
    dict(scheduled_at=T("09:30"), status="checked_in", checked_in_at=T("09:40"), provider="Dr. B"),
    dict(scheduled_at=T("09:45"), status="checked_in", checked_in_at=T("09:47")),
    dict(scheduled_at=T("09:50"), status="checked_in", checked_in_at=T("09:55")),
    dict(scheduled_at=T("08:45"), status="left", checked_in_at=T("08:40"), left_at=T("09:20")),
    dict(scheduled_at=T("09:00"), status="no_show", no_show_at=T("09:30")),
    dict(scheduled_at=T("10:30"), status="scheduled"),
    dict(scheduled_at=T("09:15"), status="with_provider", checked_in_at=T("09:10"), roomed_at=T("09:26"),
         provider_at=T("09:35")),
)
RULES = WaitRules(target_minutes=17, warning_minutes=12, target_share=0.9, seen_definition="roomed")


def test_wait_runs_from_check_in_to_rooming():
    a = annotate_visits(FIXTURE, RULES, NOW)
    assert a["wait_min"].round(6).tolist()[:6] == [10.0, 20.0, 30.0, 20.0, 13.0, 5.0]
    assert a.loc[9, "wait_min"] == 16.0


def test_wait_with_provider_definition_runs_to_provider():
    a = annotate_visits(FIXTURE, WaitRules(seen_definition="provider"), NOW)
    # Checked in 08:20, roomed 08:50, not yet with the provider: still waiting at 10:00.
    assert a.loc[2, "waiting"]
    assert a.loc[2, "wait_min"] == 100.0
    assert a.loc[0, "wait_min"] == 15.0
    assert a.loc[1, "wait_min"] == 30.0


def test_minutes_left_only_for_waiting_patients():
    a = annotate_visits(FIXTURE, RULES, NOW)
    assert a.loc[3, "minutes_left"] == -3.0
    assert a.loc[4, "minutes_left"] == 4.0
    assert a.loc[5, "minutes_left"] == 12.0
    assert a["minutes_left"].isna().sum() == 7


def test_bands_against_goal():
    a = annotate_visits(FIXTURE, RULES, NOW)
    assert a["band"].tolist() == [
        kpis.MET, kpis.BREACHED, kpis.BREACHED, kpis.BREACHED, kpis.WARNING, kpis.ON_TRACK,
        kpis.BREACHED, kpis.CLOSED, kpis.NOT_ARRIVED, kpis.MET,
    ]


def test_wait_exactly_at_target_is_not_a_breach():
    df = visits(dict(scheduled_at=T("09:40"), status="checked_in", checked_in_at=T("09:43")))
    a = annotate_visits(df, RULES, NOW)
    assert a.loc[0, "wait_min"] == 17.0
    assert a.loc[0, "band"] == kpis.WARNING


def test_urgency_puts_most_overdue_waiting_first_then_in_progress_then_to_come():
    a = annotate_visits(FIXTURE, RULES, NOW).sort_values("urgency", kind="stable")
    assert a["id"].tolist() == [4, 5, 6, 3, 10, 9, 1, 2, 7, 8]


def test_time_in_current_status():
    a = annotate_visits(FIXTURE, RULES, NOW)
    assert a.loc[2, "in_status_min"] == 70.0  # roomed at 08:50
    assert a.loc[9, "in_status_min"] == 25.0  # with provider since 09:35
    assert pd.isna(a.loc[0, "in_status_min"])  # checked out: closed
    assert pd.isna(a.loc[8, "in_status_min"])  # not arrived


def test_today_kpis_exact():
    k = today_kpis(annotate_visits(FIXTURE, RULES, NOW), RULES)
    assert k.waiting_now == 3
    assert k.seen == 4  # rooming ends the wait: 10, 20, 30, 16
    assert k.no_shows == 1
    assert k.left_without_seen == 1
    assert k.median_wait == 18.0
    assert k.p90_wait == pytest.approx(27.0)
    assert k.share_within_target == pytest.approx(2 / 5)  # 10 and 16 within; 20, 30 and the walk-out not
    assert k.longest_current_wait == 20.0
    assert k.breached_now == 1


def test_today_kpis_on_an_empty_day():
    k = today_kpis(annotate_visits(visits(dict(scheduled_at=T("11:00"), status="scheduled")), RULES, NOW), RULES)
    assert (k.waiting_now, k.seen, k.median_wait, k.share_within_target, k.longest_current_wait) == (0, 0, None, None, None)


def test_queue_by_provider():
    q = queue_by_provider(annotate_visits(FIXTURE, RULES, NOW))
    assert q.to_dict("records") == [
        {"provider": "Dr. A", "waiting_now": 2, "breached": 0, "still_to_come": 1},
        {"provider": "Dr. B", "waiting_now": 1, "breached": 1, "still_to_come": 0},
    ]


def test_unknown_seen_definition_is_rejected():
    with pytest.raises(ValueError):
        kpis.seen_column("at the desk")
