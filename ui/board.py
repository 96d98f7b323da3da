"""The patient flow board: the table, its colour bands, and the front-desk actions."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from data import kpis
from data.visit_flow import FINAL_STATUSES, STATUS_LABELS, TransitionRefused, allowed_actions
from data.visits import VisitConflict, VisitNotFound, apply_action
from ui import context
from ui.format import goal_left, minutes

BAND_COLOURS = {
    kpis.BREACHED: ("#f8d7da", "#842029"),
    kpis.WARNING: ("#fff3cd", "#664d03"),
    kpis.ON_TRACK: ("#d1e7dd", "#0f5132"),
    kpis.MET: ("#e9f5ee", "#0f5132"),
}
SELECTED_KEY = "board_visit"
FLASH_KEY = "board_flash"


def _arrival_note(row: pd.Series, now: dt.datetime) -> str:
    """For patients not yet here: due in, or late by."""
    delta = (row["scheduled_at"] - pd.Timestamp(now)).total_seconds() / 60
    if delta >= 0:
        return f"due in {int(delta)} min"
    return f"{int(-delta)} min late"


def display_frame(annotated: pd.DataFrame, now: dt.datetime, show_location: bool) -> pd.DataFrame:
    """The board as the front desk reads it, most urgent first."""
    df = annotated.sort_values("urgency", kind="stable")
    in_status = [
        _arrival_note(row, now) if row["status"] == "scheduled" else minutes(row["in_status_min"])
        if not (isinstance(row["in_status_min"], float) and math.isnan(row["in_status_min"]))
        else ""
        for _, row in df.iterrows()
    ]
    out = pd.DataFrame(
        {
            "Appt": df["scheduled_at"].dt.strftime("%H:%M").to_numpy(),
            "Patient": df["patient"].to_numpy(),
            "Provider": df["provider"].to_numpy(),
            "Location": df["location"].to_numpy(),
            "Visit type": (df["visit_type"] + df["is_new_patient"].map({True: " (new)", False: ""})).to_numpy(),
            "Status": df["status"].map(STATUS_LABELS).to_numpy(),
            "In status": in_status,
            "Wait": [minutes(w) if not math.isnan(w) else "" for w in df["wait_min"]],
            "Goal": [goal_left(v) for v in df["minutes_left"]],
            "Band": df["band"].to_numpy(),
        },
        index=pd.Index(df["id"].to_numpy(), name="Visit"),
    )
    if not show_location:
        out = out.drop(columns=["Location"])
    return out


def styled(frame: pd.DataFrame):
    """Colour each row by its band, so breaches and warnings jump out."""

    def row_style(row: pd.Series) -> list[str]:
        colours = BAND_COLOURS.get(row["Band"])
        if colours is None:
            return ["color: #6c757d"] * len(row) if row["Band"] == kpis.CLOSED else [""] * len(row)
        background, text = colours
        strong = row["Band"] in (kpis.BREACHED, kpis.WARNING)
        base = f"background-color: {background}" if strong else ""
        loud = ("Band", "Goal") if row["Band"] != kpis.MET else ("Band",)
        return [
            f"background-color: {background}; color: {text}; font-weight: 600" if col in loud else base
            for col in row.index
        ]

    return frame.style.apply(row_style, axis=1)


def visit_label(row: pd.Series) -> str:
    status = STATUS_LABELS[row["status"]]
    wait = f", waiting {int(row['wait_min'])} min" if row["waiting"] else ""
    return f"{row['scheduled_at']:%H:%M} · {row['patient']} · {row['provider']} · {status}{wait}"


def _select_from_table(table_key: str, ids: list[int]) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(ids):
        st.session_state[SELECTED_KEY] = ids[rows[0]]


def render_table(frame: pd.DataFrame, selectable: bool, wide_names: bool = False) -> None:
    ids = [int(i) for i in frame.index]
    # A new key whenever the order changes, so a highlighted row never
    # silently points at a different patient after the board re-sorts.
    table_key = f"board_table_{hash(tuple(ids)) & 0xFFFFFF:x}"
    st.dataframe(
        styled(frame),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(frame), 560),
        key=table_key if selectable else None,
        on_select=(lambda: _select_from_table(table_key, ids)) if selectable else "ignore",
        selection_mode="single-row",
        column_config={
            "Appt": st.column_config.TextColumn(width=52),
            "Patient": st.column_config.TextColumn(width=150 if wide_names else 60),
            "Provider": st.column_config.TextColumn(width=130),
            "Location": st.column_config.TextColumn(width=95),
            "Status": st.column_config.TextColumn(width=105),
            "In status": st.column_config.TextColumn(width=85),
            "Wait": st.column_config.TextColumn(width=58),
            "Goal": st.column_config.TextColumn(width=95),
            "Band": st.column_config.TextColumn(width=90),
        },
    )


def render_actions(annotated: pd.DataFrame, now: dt.datetime) -> None:
    """Pick a visit (or click its row) and record what just happened."""
    open_visits = annotated[~annotated["status"].isin(FINAL_STATUSES)].sort_values("urgency", kind="stable")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        (st.success if kind == "ok" else st.error)(message)
    if open_visits.empty:
        st.info("No open visits: everyone booked for today has been seen or closed.")
        return
    labels = {int(r["id"]): visit_label(r) for _, r in open_visits.iterrows()}
    if st.session_state.get(SELECTED_KEY) not in labels:
        st.session_state[SELECTED_KEY] = next(iter(labels))
    picker, buttons = st.columns([1, 1], vertical_alignment="bottom")
    visit_id = picker.selectbox(
        "Patient", options=list(labels), format_func=labels.get, key=SELECTED_KEY,
        help="Most urgent first. Clicking a row in the board selects it here.",
    )
    row = open_visits[open_visits["id"] == visit_id].iloc[0]
    actions = allowed_actions(row["status"])
    columns = buttons.columns(len(actions))
    for column, action in zip(columns, actions, strict=True):
        column.button(
            action.label,
            key=f"act_{action.code}",
            on_click=_do_action,
            args=(int(visit_id), action.code, int(row["version"]), row["patient"]),
            type="primary" if action.code in ("check_in", "room") else "secondary",
            width="stretch",
        )


def _do_action(visit_id: int, action_code: str, version: int, patient: str) -> None:
    """Button callback: write, then say what happened (or why nothing did)."""
    try:
        with context.session() as s:
            visit = apply_action(
                s, visit_id, action_code, expected_version=version, actor=context.actor(), now=context.now()
            )
        st.session_state[FLASH_KEY] = ("ok", f"{patient}: {STATUS_LABELS[visit.status]} at {context.now():%H:%M}.")
    except (TransitionRefused, VisitConflict, VisitNotFound) as refused:
        st.session_state[FLASH_KEY] = ("error", f"{patient}: {refused}")
