"""The visit state machine: which front-desk action may follow which status.

Pure Python, no database: the same rules guard the board's buttons (only
allowed actions are offered) and the write path (anything else is refused
with a sentence the front desk understands, and nothing is written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    ROOMED = "roomed"
    WITH_PROVIDER = "with_provider"
    CHECKED_OUT = "checked_out"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LEFT = "left"


STATUS_LABELS: dict[str, str] = {
    Status.SCHEDULED: "Scheduled",
    Status.CHECKED_IN: "Checked in",
    Status.ROOMED: "Roomed",
    Status.WITH_PROVIDER: "With provider",
    Status.CHECKED_OUT: "Checked out",
    Status.NO_SHOW: "No-show",
    Status.CANCELLED: "Cancelled",
    Status.LEFT: "Left without being seen",
}

# The timestamp column each status is entered with.
STATUS_STAMP: dict[str, str] = {
    Status.SCHEDULED: "booked_at",
    Status.CHECKED_IN: "checked_in_at",
    Status.ROOMED: "roomed_at",
    Status.WITH_PROVIDER: "provider_at",
    Status.CHECKED_OUT: "checked_out_at",
    Status.NO_SHOW: "no_show_at",
    Status.CANCELLED: "cancelled_at",
    Status.LEFT: "left_at",
}

FINAL_STATUSES = frozenset({Status.CHECKED_OUT, Status.NO_SHOW, Status.CANCELLED, Status.LEFT})


@dataclass(frozen=True)
class Action:
    """A front-desk action: its button label and the move it makes."""

    code: str
    label: str
    from_statuses: frozenset[str]
    to_status: str

    @property
    def stamp(self) -> str:
        return STATUS_STAMP[self.to_status]


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("check_in", "Check in", frozenset({Status.SCHEDULED}), Status.CHECKED_IN),
        Action("room", "Room", frozenset({Status.CHECKED_IN}), Status.ROOMED),
        Action("provider_in", "Provider in", frozenset({Status.ROOMED}), Status.WITH_PROVIDER),
        Action("check_out", "Check out", frozenset({Status.WITH_PROVIDER}), Status.CHECKED_OUT),
        Action("no_show", "No-show", frozenset({Status.SCHEDULED}), Status.NO_SHOW),
        Action("cancel", "Cancel", frozenset({Status.SCHEDULED}), Status.CANCELLED),
        Action(
            "left",
            "Left without being seen",
            frozenset({Status.CHECKED_IN, Status.ROOMED}),
            Status.LEFT,
        ),
    )
}

# Why an action is refused, by the status the visit is in: the front desk
# reads these, so they say what happened, not what the code checked.
_REFUSAL_BY_STATUS: dict[str, str] = {
    Status.SCHEDULED: "the patient has not checked in yet",
    Status.CHECKED_IN: "the patient is still in the waiting room",
    Status.ROOMED: "the patient is in a room waiting for the provider",
    Status.WITH_PROVIDER: "the patient is with the provider",
    Status.CHECKED_OUT: "the visit is already checked out",
    Status.NO_SHOW: "the patient was marked as a no-show",
    Status.CANCELLED: "the appointment was cancelled",
    Status.LEFT: "the patient left without being seen",
}


class TransitionRefused(ValueError):
    """An action that the visit's status does not allow; the message is for people."""


def allowed_actions(status: str) -> list[Action]:
    """The actions the board may offer for a visit in ``status``, in button order."""
    return [a for a in ACTIONS.values() if status in a.from_statuses]


def check_transition(
    status: str,
    action_code: str,
    at: dt.datetime,
    previous_time: dt.datetime | None,
    now: dt.datetime,
) -> Action:
    """Validate one action and return it, or raise ``TransitionRefused``.

    Args:
        status: the visit's current status.
        action_code: a key of ``ACTIONS``.
        at: when the action happened (normally now; the desk may back-date it).
        previous_time: the timestamp of the visit's current status, if any.
        now: the current time; actions cannot be recorded in the future.
    """
    action = ACTIONS.get(action_code)
    if action is None:
        raise TransitionRefused(f"'{action_code}' is not a front-desk action.")
    if status not in action.from_statuses:
        reason = _REFUSAL_BY_STATUS.get(status, f"the visit is {status}")
        raise TransitionRefused(f"Can't {action.label.lower()}: {reason}.")
    if at > now + dt.timedelta(minutes=1):
        raise TransitionRefused(f"Can't {action.label.lower()} at {at:%H:%M}: that time is in the future.")
    if previous_time is not None and at < previous_time:
        raise TransitionRefused(
            f"Can't {action.label.lower()} at {at:%H:%M}: the visit was already "
            f"{STATUS_LABELS[status].lower()} at {previous_time:%H:%M}."
        )
    return action
