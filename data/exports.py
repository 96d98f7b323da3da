"""The published roster as files: CSV, Excel, iCalendar per person, and a printable HTML page.

Pure functions over the shifts frame of ``data.published.published_shifts``
(``SHIFT_COLUMNS``); each returns the file's bytes (or text) so a page can
hand it to ``st.download_button`` and a test can parse it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import zipfile
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from data.published import day_label, days_between, roster_by_person, shift_times

# Light fills that keep black text readable, on screen and on paper.
PALETTE = ["#cfe3ff", "#fde2b3", "#d5f0da", "#e6d9fb", "#ffd9d2", "#f6ec9f", "#cdeeee", "#f3d3e8", "#e2e2e2",
           "#dbe8c4"]
CSV_COLUMNS = ["Date", "Weekday", "Staff", "Role", "Location", "Shift", "Start", "End", "Unpaid break (min)",
               "Paid hours"]
_TIMES = re.compile(r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}")


def shift_colours(shifts: pd.DataFrame) -> dict[str, str]:
    """A fill colour per shift name, in order of the shifts' start times (so early shifts come first)."""
    if shifts.empty:
        return {}
    starts = shifts.assign(_start=shifts["start_at"].map(lambda v: v.time()))
    order = starts.groupby("shift")["_start"].min().reset_index().sort_values(["_start", "shift"])
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(order["shift"])}


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def roster_csv(shifts: pd.DataFrame) -> bytes:
    """One row per shift (``CSV_COLUMNS``), UTF-8 with a byte-order mark so Excel reads accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in shifts.itertuples(index=False):
        writer.writerow([
            row.day.isoformat(), f"{row.day:%A}", _csv_safe(row.name), _csv_safe(row.role_name),
            _csv_safe(row.location), _csv_safe(row.shift), f"{row.start_at:%H:%M}", f"{row.end_at:%H:%M}",
            int(row.break_minutes), f"{row.paid_hours:g}",
        ])
    return out.getvalue().encode("utf-8-sig")


def _grid_label(row, with_location: bool) -> str:
    return shift_times(row.start_at, row.end_at) + (f" {row.location}" if with_location else "")


def roster_xlsx(shifts: pd.DataFrame, days: list[dt.date], *, title: str = "Published roster") -> bytes:
    """An Excel workbook: sheet "Roster" (person x day grid, coloured by shift) and sheet "Shifts" (one row each)."""
    with_location = shifts["location_id"].nunique() > 1 if not shifts.empty else False
    grid = roster_by_person(shifts, days, with_location=with_location)
    colours = shift_colours(shifts)
    fill_of = {(row.staff_id, row.day): colours.get(row.shift) for row in shifts.itertuples(index=False)}
    bold = Font(bold=True)
    thin = Side(style="thin", color="BBBBBB")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    book = Workbook()
    sheet = book.active
    sheet.title = "Roster"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    header = ["Staff", "Role", *[day_label(d) for d in days], "Shifts", "Paid hours"]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for person in grid.itertuples(index=False):
        values = list(person)
        # values: staff_id, name, role_name, *days, shifts, hours
        sheet.append([values[1], values[2], *values[3:3 + len(days)], values[-2], values[-1]])
        row_number = sheet.max_row
        _as_text(sheet[row_number])
        for i, day in enumerate(days):
            cell = sheet.cell(row=row_number, column=3 + i)
            cell.border = box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            colour = fill_of.get((person.staff_id, day))
            if colour and cell.value:
                cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
    sheet.freeze_panes = "C4"
    sheet.column_dimensions["A"].width = max([len("Staff"), *(len(str(n)) for n in grid["name"])]) + 2
    sheet.column_dimensions["B"].width = max([len("Role"), *(len(str(n)) for n in grid["role_name"])]) + 2
    day_width = 24 if with_location else 13
    for i in range(len(days)):
        sheet.column_dimensions[get_column_letter(3 + i)].width = day_width
    sheet.column_dimensions[get_column_letter(3 + len(days))].width = 8
    sheet.column_dimensions[get_column_letter(4 + len(days))].width = 11

    listing = book.create_sheet("Shifts")
    listing.append(CSV_COLUMNS)
    for cell in listing[1]:
        cell.font = bold
    for row in shifts.itertuples(index=False):
        listing.append([row.day, f"{row.day:%A}", row.name, row.role_name, row.location, row.shift,
                        _py(row.start_at).time(), _py(row.end_at).time(), int(row.break_minutes),
                        float(row.paid_hours)])
        n = listing.max_row
        _as_text(listing[n])
        listing.cell(row=n, column=1).number_format = "yyyy-mm-dd"
        listing.cell(row=n, column=7).number_format = "hh:mm"
        listing.cell(row=n, column=8).number_format = "hh:mm"
    widths = [12, 11, 24, 24, 16, 26, 8, 8, 18, 11]
    for i, column in enumerate(CSV_COLUMNS):
        longest = max([len(column), *(len(str(v)) for v in _listing_values(shifts, column))])
        listing.column_dimensions[get_column_letter(i + 1)].width = max(widths[i], min(longest + 2, 40))
    listing.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _as_text(row) -> None:
    """Store text that starts with "=" as text: openpyxl would otherwise write it as a formula."""
    for cell in row:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _listing_values(shifts: pd.DataFrame, column: str) -> Iterable[str]:
    source = {"Staff": "name", "Role": "role_name", "Location": "location", "Shift": "shift"}.get(column)
    return shifts[source].astype(str) if source and not shifts.empty else []


# ----------------------------------------------------------------------------- iCalendar

def practice_timezone() -> ZoneInfo | None:
    """The practice's time zone from ``TZ`` (e.g. ``America/Chicago``), or None for floating local times."""
    name = os.environ.get("TZ", "").strip().lstrip(":")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def event_summary(shift: str, start_at: dt.datetime, end_at: dt.datetime, location: str) -> str:
    """``Clinic day 07:45-17:00 — Main Street`` (the times are added when the shift's name lacks them)."""
    name = shift if _TIMES.search(shift) else f"{shift} {shift_times(start_at, end_at)}"
    return f"{name} — {location}"


def shift_uid(staff_id: int, day: dt.date) -> str:
    """Stable per person and day, so a re-published or repaired shift updates the same calendar event."""
    return f"clinicops-shift-{staff_id}-{day:%Y%m%d}@clinicops"


def staff_ics(shifts: pd.DataFrame, *, tz: ZoneInfo | None = None, calendar_name: str = "Work shifts") -> bytes:
    """One iCalendar file with a VEVENT per shift in ``shifts`` (normally one person's).

    Times are the practice's local wall-clock times: floating when ``tz`` is
    None, else with ``TZID`` (and its VTIMEZONE).
    """
    cal = Calendar()
    cal.add("prodid", "-//ClinicOps//Published roster//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    for row in shifts.sort_values(["day", "start_at"]).itertuples(index=False):
        event = Event()
        event.add("uid", shift_uid(int(row.staff_id), row.day))
        published_at, start, end = _py(row.published_at), _py(row.start_at), _py(row.end_at)
        stamp = published_at.replace(tzinfo=tz) if tz is not None else published_at  # naive: the server's time
        event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
        if tz is not None:
            start, end = start.replace(tzinfo=tz), end.replace(tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", event_summary(row.shift, _py(row.start_at), _py(row.end_at), row.location))
        event.add("location", f"{row.location}, {row.location_address}" if row.location_address else row.location)
        event.add("description", f"{row.role_name} shift, {row.paid_hours:g} paid hours "
                                 f"(unpaid break {int(row.break_minutes)} min). From the roster published "
                                 f"{published_at:%d %b %Y %H:%M}.")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    if tz is not None and not shifts.empty:
        first, last = min(shifts["day"]), max(shifts["day"])
        cal.add_missing_timezones(first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366))
    return cal.to_ical()


def _py(value) -> dt.datetime:
    """A plain ``datetime`` (pandas hands back ``Timestamp``)."""
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def ics_filename(name: str, staff_id: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "staff"
    return f"{slug}-{staff_id}.ics"


def ics_zip(shifts: pd.DataFrame, *, tz: ZoneInfo | None = None) -> bytes:
    """A zip with one ``.ics`` per staff member in ``shifts``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for staff_id, own in shifts.groupby("staff_id", sort=True):
            name = own["name"].iloc[0]
            archive.writestr(ics_filename(name, int(staff_id)),
                             staff_ics(own, tz=tz, calendar_name=f"{name}: work shifts"))
    return buffer.getvalue()


# ----------------------------------------------------------------------------- print

PRINT_CSS = """
  @page { size: A4 landscape; margin: 12mm; }
  body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: #111; margin: 16px; }
  h1 { font-size: 16pt; margin: 0 0 2px 0; }
  p.meta { margin: 0 0 10px 0; color: #444; }
  section.week { margin-bottom: 18px; }
  h2 { font-size: 12pt; margin: 10px 0 4px 0; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  th, td { border: 1px solid #999; padding: 3px 4px; vertical-align: top; }
  th { background: #eee; text-align: center; }
  th.person, td.person { text-align: left; width: 16%; }
  td.role { color: #444; width: 11%; }
  td.shift { text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td.shift small { display: block; color: #333; }
  td.total { text-align: right; width: 6%; }
  tr.group td { background: #f6f6f6; font-weight: bold; }
  .legend span { display: inline-block; padding: 1px 6px; margin-right: 6px; border: 1px solid #999;
                 -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  footer { margin-top: 10px; color: #666; font-size: 8pt; }
  @media print {
    body { margin: 0; }
    section.week { break-after: page; page-break-after: always; }
    section.week:last-of-type { break-after: auto; page-break-after: auto; }
    tr { break-inside: avoid; page-break-inside: avoid; }
  }
"""


def print_html(shifts: pd.DataFrame, start: dt.date, end: dt.date, *, title: str = "Published roster",
               subtitle: str = "", generated_at: dt.datetime | None = None) -> str:
    """A standalone, script-free HTML page: one table per week (people x days), ready to print."""
    esc = html.escape
    colours = shift_colours(shifts)
    with_location = shifts["location_id"].nunique() > 1 if not shifts.empty else False
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>", f"<style>{PRINT_CSS}</style>", "</head>", "<body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(f"{day_label(start)} {start.year} to {day_label(end)} {end.year}")}'
        + (f" · {esc(subtitle)}" if subtitle else "") + "</p>",
    ]
    if colours:
        parts.append('<p class="legend">' + "".join(
            f'<span style="background:{c}">{esc(name)}</span>' for name, c in colours.items()) + "</p>")
    all_days = days_between(start, end)
    cell_colour = {(row.staff_id, row.day): colours.get(row.shift) for row in shifts.itertuples(index=False)}
    cell_where = {(row.staff_id, row.day): row.location for row in shifts.itertuples(index=False)}
    if shifts.empty:
        parts.append("<p>No published shifts in these dates.</p>")
    for week_start in range(0, len(all_days), 7):
        days = all_days[week_start:week_start + 7]
        grid = roster_by_person(shifts, days, with_location=False)
        parts.append('<section class="week">')
        parts.append(f"<h2>Week of {esc(day_label(days[0]))} {days[0].year}</h2>")
        if grid.empty:
            parts.append("<p>No shifts this week.</p></section>")
            continue
        head = "".join(f"<th>{esc(day_label(d))}</th>" for d in days)
        parts.append(f'<table><thead><tr><th class="person">Staff</th><th>Role</th>{head}'
                     f'<th>Shifts</th><th>Hours</th></tr></thead><tbody>')
        for person in grid.itertuples(index=False):
            values = list(person)
            cells = []
            for i, day in enumerate(days):
                text = values[3 + i]
                if not text:
                    cells.append('<td class="shift"></td>')
                    continue
                colour = cell_colour.get((person.staff_id, day))
                where = f"<small>{esc(cell_where[(person.staff_id, day)])}</small>" if with_location else ""
                style = f' style="background:{colour}"' if colour else ""
                cells.append(f'<td class="shift"{style}>{esc(text)}{where}</td>')
            parts.append(f'<tr><td class="person">{esc(person.name)}</td><td class="role">{esc(person.role_name)}</td>'
                         + "".join(cells) + f'<td class="total">{values[-2]}</td>'
                         f'<td class="total">{values[-1]:g}</td></tr>')
        parts.append("</tbody></table></section>")
    stamp = f" on {generated_at:%d %b %Y %H:%M}" if generated_at else ""
    parts.append(f"<footer>Printed from ClinicOps{esc(stamp)}. Hours are paid hours (unpaid breaks excluded)."
                 "</footer>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts)
