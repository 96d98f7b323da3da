"""Roster exports parse back exactly: CSV, Excel, iCalendar (floating and with TZID), print HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from data import exports
from data.published import SHIFT_COLUMNS

MON = dt.date(2026, 3, 2)
PUBLISHED = dt.datetime(2026, 2, 27, 16, 5)


def _shift(staff_id, first, last, role_name, location_id, location, shift, day, start, end, brk=75):
    start_at, end_at = dt.datetime.combine(day, dt.time.fromisoformat(start)), dt.datetime.combine(
        day, dt.time.fromisoformat(end))
    paid = round(((end_at - start_at).total_seconds() / 60 - brk) / 60, 2)
    return {"staff_id": staff_id, "name": f"{first} {last}", "first_name": first, "last_name": last, "role": "x",
            "role_name": role_name, "location_id": location_id, "location": location,
            "location_address": {1: "410 Main Street", 2: ""}[location_id], "template_id": 1, "shift": shift,
            "day": day, "start_at": start_at, "end_at": end_at, "break_minutes": brk, "paid_hours": paid,
            "scenario_id": 7, "published_at": PUBLISHED}


@pytest.fixture
def shifts() -> pd.DataFrame:
    tue, mon2 = MON + dt.timedelta(days=1), MON + dt.timedelta(days=7)
    ana = (3, "Ana", "Ruiz", "Medical assistant", 1, "Main Street", "Clinic day 07:45-17:00")
    rows = [
        _shift(*ana, MON, "07:45", "17:00"),
        _shift(5, "=Bob", "Lee", "Front desk", 2, "Riverside", "Early", MON, "07:00", "15:30", brk=30),
        _shift(*ana, tue, "07:45", "17:00"),
        _shift(5, "=Bob", "Lee", "Front desk", 2, "Riverside", "Early", mon2, "07:00", "15:30", brk=30),
    ]
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def test_csv_has_one_row_per_shift_and_no_formulas(shifts):
    data = exports.roster_csv(shifts)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        exports.CSV_COLUMNS,
        ["2026-03-02", "Monday", "Ana Ruiz", "Medical assistant", "Main Street", "Clinic day 07:45-17:00", "07:45",
         "17:00", "75", "8"],
        ["2026-03-02", "Monday", "'=Bob Lee", "Front desk", "Riverside", "Early", "07:00", "15:30", "30", "8"],
        ["2026-03-03", "Tuesday", "Ana Ruiz", "Medical assistant", "Main Street", "Clinic day 07:45-17:00", "07:45",
         "17:00", "75", "8"],
        ["2026-03-09", "Monday", "'=Bob Lee", "Front desk", "Riverside", "Early", "07:00", "15:30", "30", "8"],
    ]


def test_excel_grid_and_shift_list(shifts):
    days = [MON, MON + dt.timedelta(days=1)]
    book = load_workbook(io.BytesIO(exports.roster_xlsx(shifts, days, title="March roster")))
    assert book.sheetnames == ["Roster", "Shifts"]
    grid = book["Roster"]
    assert grid["A1"].value == "March roster"
    assert [c.value for c in grid[3]] == ["Staff", "Role", "Mon 2 Mar", "Tue 3 Mar", "Shifts", "Paid hours"]
    assert [[c.value for c in row] for row in grid.iter_rows(min_row=4)] == [
        ["=Bob Lee", "Front desk", "07:00-15:30 Riverside", None, 1, 8],
        ["Ana Ruiz", "Medical assistant", "07:45-17:00 Main Street", "07:45-17:00 Main Street", 2, 16],
    ]
    assert grid["A4"].data_type == "s"  # a name starting with "=" stays text, not a formula
    colours = exports.shift_colours(shifts)
    assert colours == {"Early": exports.PALETTE[0], "Clinic day 07:45-17:00": exports.PALETTE[1]}
    assert grid["C5"].fill.fgColor.rgb == "00" + exports.PALETTE[1].lstrip("#").upper()
    assert grid["D4"].fill.fill_type is None
    assert (grid.column_dimensions["A"].width, grid.column_dimensions["B"].width) == (10, 19)  # longest + 2
    assert grid.column_dimensions["C"].width == 24 and grid.freeze_panes == "C4"
    listing = book["Shifts"]
    assert [c.value for c in listing[1]] == exports.CSV_COLUMNS
    first = [c.value for c in listing[2]]
    assert first[:6] == [dt.datetime(2026, 3, 2), "Monday", "Ana Ruiz", "Medical assistant", "Main Street",
                         "Clinic day 07:45-17:00"]
    assert first[6:] == [dt.time(7, 45), dt.time(17, 0), 75, 8]
    assert listing.max_row == 5 and listing["C3"].value == "=Bob Lee" and listing["C3"].data_type == "s"
    assert listing.column_dimensions["F"].width >= len("Clinic day 07:45-17:00")


def _events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def test_ics_floating_local_times_with_stable_uids(shifts):
    ana = shifts[shifts["staff_id"] == 3]
    events = _events(exports.staff_ics(ana))
    assert [(str(e["UID"]), str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND"), str(e["LOCATION"]))
            for e in events] == [
        ("clinicops-shift-3-20260302@clinicops", "Clinic day 07:45-17:00 — Main Street",
         dt.datetime(2026, 3, 2, 7, 45), dt.datetime(2026, 3, 2, 17, 0), "Main Street, 410 Main Street"),
        ("clinicops-shift-3-20260303@clinicops", "Clinic day 07:45-17:00 — Main Street",
         dt.datetime(2026, 3, 3, 7, 45), dt.datetime(2026, 3, 3, 17, 0), "Main Street, 410 Main Street"),
    ]
    assert events[0].decoded("DTSTART").tzinfo is None  # floating: the practice's wall clock
    assert "VTIMEZONE" not in exports.staff_ics(ana).decode()


def test_ics_with_the_practice_time_zone(shifts):
    tz = ZoneInfo("America/Chicago")
    bob = shifts[shifts["staff_id"] == 5]
    data = exports.staff_ics(bob, tz=tz)
    cal = Calendar.from_ical(data)
    assert [tz_.tz_name for tz_ in cal.timezones] == ["America/Chicago"]
    events = cal.walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [
        ("Early 07:00-15:30 — Riverside", dt.datetime(2026, 3, 2, 7, 0, tzinfo=tz)),
        ("Early 07:00-15:30 — Riverside", dt.datetime(2026, 3, 9, 7, 0, tzinfo=tz)),
    ]
    assert "DTSTART;TZID=America/Chicago:20260302T070000" in data.decode()
    assert str(events[0]["LOCATION"]) == "Riverside"


def test_practice_timezone_from_tz(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert exports.practice_timezone() == ZoneInfo("Europe/Berlin")
    monkeypatch.setenv("TZ", "not/a zone")
    assert exports.practice_timezone() is None
    monkeypatch.delenv("TZ")
    assert exports.practice_timezone() is None


def test_ics_zip_has_one_file_per_person(shifts):
    archive = zipfile.ZipFile(io.BytesIO(exports.ics_zip(shifts)))
    assert archive.namelist() == ["ana-ruiz-3.ics", "bob-lee-5.ics"]
    assert len(_events(archive.read("ana-ruiz-3.ics"))) == 2
    assert len(_events(archive.read("bob-lee-5.ics"))) == 2


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.headings: list[str] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._in_h2 = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data + " ")
        if self._in_h2:
            self.headings.append(data)


def test_print_view_is_a_script_free_page_with_a_table_per_week(shifts):
    text = exports.print_html(shifts, MON, MON + dt.timedelta(days=13), title="March <roster>",
                              subtitle="All locations")
    assert text.startswith("<!DOCTYPE html>") and "@media print" in text
    assert "<script" not in text.lower() and "March &lt;roster&gt;" in text
    parsed = _Tables()
    parsed.feed(text)
    assert "script" not in parsed.tags
    assert parsed.headings == ["Week of Mon 2 Mar 2026", "Week of Mon 9 Mar 2026"]
    first, second = parsed.tables
    assert first[0] == ["Staff", "Role", "Mon 2 Mar", "Tue 3 Mar", "Wed 4 Mar", "Thu 5 Mar", "Fri 6 Mar",
                        "Sat 7 Mar", "Sun 8 Mar", "Shifts", "Hours"]
    assert first[1:] == [
        ["=Bob Lee", "Front desk", "07:00-15:30 Riverside", "", "", "", "", "", "", "1", "8"],
        ["Ana Ruiz", "Medical assistant", "07:45-17:00 Main Street", "07:45-17:00 Main Street", "", "", "", "", "",
         "2", "16"],
    ]
    assert second[1:] == [["=Bob Lee", "Front desk", "07:00-15:30 Riverside", "", "", "", "", "", "", "1", "8"]]
