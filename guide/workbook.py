"""The framework as a spreadsheet: `careerguide export --xlsx`, for people who edit ladders in Excel.

The workbook is made from the content as written (placeholders such as
`{count}` and `{role:top}` stay as they are), so that importing it back can
compare cell by cell with the YAML files. Every list is one cell with one
item per line; every sheet has a frozen header row whose cells carry a note
saying what the column is for; levels and tracks have drop-down lists.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from .load import load_content
from .models import MAIN_TRACK, Role

#: The Roles sheet's columns, in order, with the width (in characters) each is given.
ROLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("id", 28),
    ("title", 28),
    ("short_title", 16),
    ("noun", 16),
    ("level", 8),
    ("track", 14),
    ("summary", 60),
    ("hiring_signals", 50),
    ("responsibilities", 60),
    ("day_to_day", 50),
    ("skills", 30),
    ("experience", 50),
    ("ready_for_next", 50),
    ("next_steps", 36),
)
LIST_FIELDS = {"hiring_signals", "responsibilities", "day_to_day", "skills", "ready_for_next", "next_steps"}
NOTES = {
    "id": "The role's id: the name of its file in content/roles/ (lower case, hyphens). Other sheets and "
    "companies refer to the role by it.",
    "noun": "Optional: the role inside a sentence, as {noun:ID} prints it (default: the title in lower case).",
    "next_steps": "One step per line: a role id (optionally followed by ' | ' and a note), or the title of a "
    "way off the ladder followed by ' | ' and a note. Empty: the next role up.",
    "competency": "The competency's id; its name is in the next column. Each role's column says what the "
    "competency asks at that level (**bold** marks what is new).",
    "field": "Where the text goes in the guide: a field of content/guide.yaml. Lists have one item per line.",
}
HEADER_FILL = "1E3A5F"


def export_workbook(content_dir: Path) -> bytes:
    """The workbook of the content in `content_dir`, as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    loaded = load_content(content_dir)
    data = loaded.data
    workbook = Workbook()
    roles = _ordered_roles(data["roles"])
    tracks = [MAIN_TRACK, *(track["id"] for track in data.get("tracks") or [] if isinstance(track, dict))]
    lists = workbook.active
    lists.title = "Lists"
    _roles_sheet(workbook.create_sheet("Roles", 0), roles, tracks)
    _competencies_sheet(workbook.create_sheet("Competencies", 1), data["competencies"], roles)
    if data.get("tracks"):
        _tracks_sheet(workbook.create_sheet("Tracks", 2), data["tracks"])
    _guide_sheet(workbook.create_sheet("Guide"), data["guide"])
    # The drop-downs' choices live on a hidden sheet: a list typed into a rule is limited to 255 characters.
    for row, value in enumerate(tracks, start=1):
        lists.cell(row, 1, value)
    for row, (role_id, _) in enumerate(roles, start=1):
        lists.cell(row, 2, role_id)
    lists.sheet_state = "hidden"
    workbook.move_sheet(lists, offset=len(workbook.sheetnames))
    when = data["guide"].get("date")
    if isinstance(when, date):
        workbook.properties.created = workbook.properties.modified = _midnight(when)
    workbook.properties.title = str(data["guide"].get("title", ""))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ordered_roles(roles: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The roles in ladder order (by level, then id), as (id, fields)."""
    return sorted(roles.items(), key=lambda item: (float(item[1].get("level", 0)), item[0]))


def _roles_sheet(sheet, roles: list[tuple[str, dict[str, Any]]], tracks: list[str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    descriptions = {name: field.description for name, field in Role.model_fields.items() if field.description}
    _header(sheet, [name for name, _ in ROLE_COLUMNS], {**descriptions, **NOTES})
    for row, (role_id, fields) in enumerate(roles, start=2):
        for column, (name, _) in enumerate(ROLE_COLUMNS, start=1):
            value = role_id if name == "id" else fields.get(name)
            if name == "track" and value is None:
                value = MAIN_TRACK
            _put(sheet.cell(row, column), _next_steps(value) if name == "next_steps" else value)
    _widths(sheet, [width for _, width in ROLE_COLUMNS])
    sheet.freeze_panes = "C2"
    last = max(len(roles) + 1, 200)  # room for roles added in the sheet
    level = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=False)
    level.error, level.errorTitle = "A level is a number from 0 to 100 (3.5 sits between 3 and 4).", "Level"
    track = DataValidation(type="list", formula1=f"=Lists!$A$1:$A${len(tracks)}", allow_blank=True)
    track.error, track.errorTitle = "Choose a track from the list (add tracks on the Tracks sheet).", "Track"
    for rule, column in ((level, "E"), (track, "F")):
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}{last}")


def _competencies_sheet(sheet, competencies: dict[str, Any], roles: list[tuple[str, dict[str, Any]]]) -> None:
    """Competencies down, roles across: the matrix as the guide prints it."""
    role_ids = [role_id for role_id, _ in roles]
    _header(sheet, ["competency", "name", *role_ids], NOTES)
    for row, competency in enumerate(competencies.get("competencies") or [], start=2):
        _put(sheet.cell(row, 1), competency.get("id"))
        _put(sheet.cell(row, 2), competency.get("name"))
        for column, (_, fields) in enumerate(roles, start=3):
            _put(sheet.cell(row, column), (fields.get("competencies") or {}).get(competency.get("id")))
    _widths(sheet, [22, 24, *([40] * len(role_ids))])
    sheet.freeze_panes = "C2"


def _tracks_sheet(sheet, tracks: list[dict[str, Any]]) -> None:
    names = ["id", "name", "description"]
    _header(sheet, names, {})
    for row, track in enumerate(tracks, start=2):
        for column, name in enumerate(names, start=1):
            _put(sheet.cell(row, column), track.get(name))
    _widths(sheet, [20, 28, 70])
    sheet.freeze_panes = "A2"


def _guide_sheet(sheet, guide: dict[str, Any]) -> None:
    """The guide's own text, one field a row: `ladder.title`, `how_to_read[2].text`, ..."""
    _header(sheet, ["field", "text"], NOTES)
    for row, (path, value) in enumerate(_flatten(guide), start=2):
        _put(sheet.cell(row, 1), path)
        _put(sheet.cell(row, 2), value)
    _widths(sheet, [30, 100])
    sheet.freeze_panes = "B2"


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves of the guide's data by path; a list of plain texts is one leaf (a cell, one item per line)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _flatten(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, child in enumerate(value, start=1):
            yield from _flatten(child, f"{path}[{index}]")
    else:
        yield path, value


def _next_steps(steps: Any) -> list[str] | None:
    """Each step as a line: `role-id`, `role-id | note`, `Title | note` or `Title`."""
    if not isinstance(steps, list):
        return None
    lines = []
    for step in steps:
        if isinstance(step, dict):
            head = step.get("role") or step.get("title") or ""
            lines.append(f"{head} | {step['note']}" if step.get("note") else str(head))
    return lines


def _header(sheet, names: list[str], notes: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    for column, name in enumerate(names, start=1):
        cell = sheet.cell(1, column, name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="top")
        if name in notes:
            cell.comment = Comment(notes[name], "careerguide", width=320, height=120)


def _put(cell, value: Any) -> None:
    """A value into a cell: lists one item per line, text wrapped, dates as dates."""
    from openpyxl.styles import Alignment

    if isinstance(value, list):
        value = "\n".join(str(item) for item in value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(sheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
