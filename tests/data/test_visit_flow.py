"""The visit state machine: one test per rule of which action may follow which status."""

import datetime as dt

import pytest

from data.visit_flow import ACTIONS, STATUS_STAMP, Status, TransitionRefused, allowed_actions, check_transition

NOW = dt.datetime(2026, 3, 2, 10, 0)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SCHEDULED, ["check_in", "no_show", "cancel"]),
        (Status.CHECKED_IN, ["room", "left"]),
        (Status.ROOMED, ["provider_in", "left"]),
        (Status.WITH_PROVIDER, ["check_out"]),
        (Status.CHECKED_OUT, []),
        (Status.NO_SHOW, []),
        (Status.CANCELLED, []),
        (Status.LEFT, []),
    ],
)
def test_allowed_actions_per_status(status, expected):
    assert [a.code for a in allowed_actions(status)] == expected


def test_happy_path_moves_through_every_status():
    status, previous = Status.SCHEDULED, None
    for code, minutes in (("check_in", 0), ("room", 10), ("provider_in", 15), ("check_out", 30)):
        at = NOW - dt.timedelta(minutes=60 - minutes)
        action = check_transition(status, code, at, previous, NOW)
        status, previous = action.to_status, at
    assert status == Status.CHECKED_OUT


def test_check_out_before_arrival_is_refused():
    with pytest.raises(TransitionRefused, match="Can't check out: the patient has not checked in yet"):
        check_transition(Status.SCHEDULED, "check_out", NOW, None, NOW)


def test_rooming_a_no_show_is_refused():
    with pytest.raises(TransitionRefused, match="Can't room: the patient was marked as a no-show"):
        check_transition(Status.NO_SHOW, "room", NOW, NOW, NOW)


def test_action_before_previous_status_time_is_refused():
    checked_in = NOW - dt.timedelta(minutes=5)
    with pytest.raises(TransitionRefused, match="already checked in at 09:55"):
        check_transition(Status.CHECKED_IN, "room", checked_in - dt.timedelta(minutes=1), checked_in, NOW)


def test_action_in_the_future_is_refused():
    with pytest.raises(TransitionRefused, match="in the future"):
        check_transition(Status.SCHEDULED, "check_in", NOW + dt.timedelta(minutes=10), None, NOW)


def test_unknown_action_is_refused():
    with pytest.raises(TransitionRefused, match="not a front-desk action"):
        check_transition(Status.SCHEDULED, "teleport", NOW, None, NOW)


def test_every_action_stamps_the_column_of_its_target_status():
    for action in ACTIONS.values():
        assert action.stamp == STATUS_STAMP[action.to_status]
