"""AppTest: the wait-time goal page."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import Goal, Practice


def open_goal_page(app):
    at = app.run()
    return at.switch_page("pages/wait_goal.py").run()


def test_goal_page_renders_history(app):
    at = open_goal_page(app)
    assert not at.exception
    assert at.title[0].value == "Wait-time goal"
    assert [m.value for m in at.metric][:3] == ["17 min", "12 min", "90%"]
    assert len(at.get("vega_lite_chart")) == 3
    assert len(at.dataframe) >= 4  # three "where we breach" tables and the before/after table


def test_invalid_goal_shows_a_message_and_saves_nothing(app, demo_db_url):
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        goals_before = s.scalar(select(func.count(Goal.id)))
    at = open_goal_page(app)
    at.number_input[0].set_value(10)  # target
    at.number_input[1].set_value(12)  # warning after the target
    at = at.button[0].click().run()
    assert any("The warning must come before the target" in e.value for e in at.error)
    with Session(engine) as s:
        assert s.scalar(select(func.count(Goal.id))) == goals_before


def test_changing_what_seen_means(app, demo_db_url):
    at = open_goal_page(app)
    at.radio[0].set_value("provider")
    at = at.button[1].click().run()
    assert not at.exception
    assert "with the provider" in at.caption[0].value
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        practice = s.get(Practice, 1)
        assert practice.seen_definition == "provider"
        practice.seen_definition = "roomed"
        s.commit()
