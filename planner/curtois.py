"""Loader for the Curtois & Qu shift scheduling instances into the common Problem.

Mapping: shift types become templates with a length and no clock times; the
cannot-follow lists become forbidden sequences (next day); staff limits map to
the same fields the clinic uses; days off become whole-day unavailability;
on/off requests become weighted requests; cover rows become soft shift needs.
Pay, budget and fairness are off, so the objective is exactly the published one.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from planner.domain import (
    Assignment,
    ForbiddenSequence,
    Problem,
    Request,
    ShiftCover,
    ShiftTemplate,
    Staff,
    Unavailability,
    Weights,
)

# Day 0 of every instance is a Monday; any Monday gives the same weekends.
START = date(2024, 1, 1)


def _sections(text: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.replace("\r", "").split("\n"):
        line = raw.strip()
        if line.startswith("SECTION_"):
            current = line
            out[current] = []
        elif not line:
            current = None
        elif not line.startswith("#") and current is not None:
            out[current].append([f.strip() for f in line.split(",")])
    return out


def parse(text: str, name: str = "") -> Problem:
    """Parse the text of an instance file."""
    sec = _sections(text)
    horizon = int(sec["SECTION_HORIZON"][0][0])
    templates, sequences = [], []
    for row in sec["SECTION_SHIFTS"]:
        sid, length = row[0], int(row[1])
        templates.append(ShiftTemplate(id=sid, length_minutes=length))
        follow = row[2] if len(row) > 2 else ""
        sequences += [ForbiddenSequence(first=sid, then=t) for t in follow.split("|") if t]
    staff = []
    for row in sec["SECTION_STAFF"]:
        max_shifts = {}
        for item in row[1].split("|"):
            if item:
                k, v = item.split("=")
                max_shifts[k] = int(v)
        staff.append(Staff(
            id=row[0], max_shifts=max_shifts, max_minutes_total=int(row[2]),
            min_minutes_total=int(row[3]), max_consecutive_days=int(row[4]),
            min_consecutive_days=int(row[5]), min_consecutive_days_off=int(row[6]),
            max_weekends=int(row[7])))
    leave = [Unavailability(staff=row[0], day=int(d), reason="day off")
             for row in sec.get("SECTION_DAYS_OFF", []) for d in row[1:] if d]
    requests = [Request(staff=r[0], day=int(r[1]), template=r[2], on=True, weight=int(r[3]))
                for r in sec.get("SECTION_SHIFT_ON_REQUESTS", [])]
    requests += [Request(staff=r[0], day=int(r[1]), template=r[2], on=False, weight=int(r[3]))
                 for r in sec.get("SECTION_SHIFT_OFF_REQUESTS", [])]
    covers = [ShiftCover(day=int(r[0]), template=r[1], required=int(r[2]),
                         under_weight=int(r[3]), over_weight=int(r[4]))
              for r in sec.get("SECTION_COVER", [])]
    return Problem(start=START, num_days=horizon, templates=templates, staff=staff,
                   shift_covers=covers, unavailability=leave, requests=requests,
                   forbidden_sequences=sequences, weights=Weights(), name=name)


def load(path: str | Path) -> Problem:
    """Load an instance file (LF or CRLF line endings)."""
    path = Path(path)
    return parse(path.read_text(), name=path.stem)


def write_roster(path: str | Path, roster: list[Assignment]) -> None:
    """CSV with header ``employee,day,shift`` (ids as in the file, days 0-based)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["employee", "day", "shift"])
        for a in roster:
            w.writerow([a.staff, a.day, a.template])


def read_roster(path: str | Path) -> list[Assignment]:
    with open(path, newline="") as f:
        return [Assignment(r["employee"], int(r["day"]), r["shift"]) for r in csv.DictReader(f)]
