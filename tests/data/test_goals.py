"""Goals and practice settings: validation in the manager's words, history kept."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.goals import SettingsInvalid, goals, rules_on, set_goal, set_practice_settings
from data.kpis import WaitRules
from data.models import AuditEntry, Goal
from tests.conftest import DAY

NOW = dt.datetime.combine(DAY, dt.time(12))


def test_rules_on_use_the_goal_in_force(engine, small_practice):
    with Session(engine) as s:
        set_goal(s, target=15, warning=10, share=0.8, effective_from=DAY + dt.timedelta(days=7), actor="m", now=NOW)
        assert rules_on(s, DAY) == WaitRules(17, 12, 0.9, "roomed")
        assert rules_on(s, DAY + dt.timedelta(days=7)) == WaitRules(15, 10, 0.8, "roomed")
        # Before the first goal, history is judged against the first goal.
        assert rules_on(s, DAY - dt.timedelta(days=365)) == WaitRules(17, 12, 0.9, "roomed")
        assert [g.wait_target_minutes for g in goals(s)] == [17, 15]


@pytest.mark.parametrize(
    ("target", "warning", "share", "field", "message"),
    [
        (0, 0, 0.9, "target", "between 1 and 240"),
        ("abc", 5, 0.9, "target", "whole number"),
        (17, 17, 0.9, "warning", "before the target"),
        (17, -1, 0.9, "warning", "before the target"),
        (17, 12, 0, "share", "more than 0%"),
        (17, 12, 1.5, "share", "at most 100%"),
    ],
)
def test_invalid_goal_changes_nothing(engine, small_practice, target, warning, share, field, message):
    with Session(engine) as s:
        with pytest.raises(SettingsInvalid, match=message) as raised:
            set_goal(s, target=target, warning=warning, share=share, effective_from=DAY, actor="m", now=NOW)
        assert raised.value.field == field
    with Session(engine) as s:
        assert s.scalar(select(func.count(Goal.id))) == 1
        assert s.scalar(select(func.count(AuditEntry.id))) == 0


def test_same_day_goal_replaces_and_audits_old_to_new(engine, small_practice):
    with Session(engine) as s:
        set_goal(s, target=20, warning=15, share=0.85, effective_from=DAY, actor="m", now=NOW)
        set_goal(s, target=18, warning=14, share=0.85, effective_from=DAY, actor="m2", now=NOW)
        assert s.scalar(select(func.count(Goal.id))) == 2
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.old_value["wait_target_minutes"] == 20
    assert last.new_value["wait_target_minutes"] == 18
    assert last.actor == "m2"


def test_seen_definition_switch_applies_everywhere(engine, small_practice):
    with Session(engine) as s:
        set_practice_settings(s, seen_definition="provider", board_refresh_seconds=30, actor="m", now=NOW)
        assert rules_on(s, DAY).seen_definition == "provider"
        with pytest.raises(SettingsInvalid, match="between 2 and 600"):
            set_practice_settings(s, seen_definition="roomed", board_refresh_seconds=1, actor="m", now=NOW)
        with pytest.raises(SettingsInvalid, match="counts as seen"):
            set_practice_settings(s, seen_definition="desk", board_refresh_seconds=10, actor="m", now=NOW)
    with Session(engine) as s:
        assert rules_on(s, DAY).seen_definition == "provider"
