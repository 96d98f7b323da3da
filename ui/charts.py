"""Altair charts as plain functions of DataFrames, so tests can build them."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

WEEKDAY_ORDER = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def daily_share_chart(daily: pd.DataFrame, target_share: float, goal_from: dt.date | None) -> alt.LayerChart:
    """Share of patients seen within target per day, a 7-day average, the goal
    line, and a marker on the day the goal was introduced."""
    df = daily[["day", "share_within", "judged"]].copy()
    df["rolling"] = df["share_within"].rolling(7, min_periods=1).mean()
    base = alt.Chart(df).encode(x=alt.X("day:T", title=None))
    points = base.mark_circle(size=14, opacity=0.35, color="#5b8db8").encode(
        y=alt.Y("share_within:Q", title="Share seen within target", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("day:T", title="Day"), alt.Tooltip("share_within:Q", title="Within target", format=".0%"),
                 alt.Tooltip("judged:Q", title="Patients")],
    )
    line = base.mark_line(color="#0f6e6e", strokeWidth=2).encode(y="rolling:Q")
    goal_line = (
        alt.Chart(pd.DataFrame({"goal": [target_share], "label": [f"Goal {target_share:.0%}"]}))
        .mark_rule(color="#b02a37", strokeDash=[6, 4])
        .encode(y="goal:Q", tooltip=[alt.Tooltip("label:N", title="Goal")])
    )
    layers = [points, line, goal_line]
    if goal_from is not None:
        marker = pd.DataFrame({"day": [pd.Timestamp(goal_from)], "label": [f"Goal introduced {goal_from:%d %b %Y}"]})
        layers.append(alt.Chart(marker).mark_rule(color="#444", strokeWidth=1.5).encode(x="day:T", tooltip="label:N"))
        layers.append(
            alt.Chart(marker).mark_text(align="left", dx=4, dy=-6, y=0, fontSize=11, color="#444")
            .encode(x="day:T", text="label:N")
        )
    return alt.layer(*layers).properties(height=280)


def wait_heatmap(cells: pd.DataFrame) -> alt.Chart:
    """Mean wait by hour of day (x) and weekday (y)."""
    return (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="Hour of appointment"),
            y=alt.Y("weekday:N", sort=WEEKDAY_ORDER, title=None),
            color=alt.Color("mean_wait:Q", title="Mean wait (min)", scale=alt.Scale(scheme="orangered")),
            tooltip=[
                alt.Tooltip("weekday:N", title="Day"),
                alt.Tooltip("hour:O", title="Hour"),
                alt.Tooltip("mean_wait:Q", title="Mean wait (min)", format=".1f"),
                alt.Tooltip("breach_rate:Q", title="Breached", format=".0%"),
                alt.Tooltip("judged:Q", title="Patients"),
            ],
        )
        .properties(height=220)
    )


def provider_chart(by_provider: pd.DataFrame, target_share: float) -> alt.LayerChart:
    """Share within target per provider, against the goal."""
    height = max(160, 30 * len(by_provider))
    bars = (
        alt.Chart(by_provider, height=height)
        .mark_bar()
        .encode(
            x=alt.X("share_within:Q", title="Share seen within target", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("provider:N", sort="x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
            color=alt.condition(
                alt.datum.share_within >= target_share, alt.value("#0f6e6e"), alt.value("#d9822b")
            ),
            tooltip=[
                alt.Tooltip("provider:N", title="Provider"),
                alt.Tooltip("share_within:Q", title="Within target", format=".0%"),
                alt.Tooltip("mean_wait:Q", title="Mean wait (min)", format=".1f"),
                alt.Tooltip("breaches:Q", title="Breaches"),
                alt.Tooltip("judged:Q", title="Patients"),
            ],
        )
    )
    goal = alt.Chart(pd.DataFrame({"goal": [target_share]})).mark_rule(color="#b02a37", strokeDash=[6, 4]).encode(
        x="goal:Q"
    )
    return alt.layer(bars, goal).properties(height=height)
