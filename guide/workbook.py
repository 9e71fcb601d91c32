"""The framework as a spreadsheet: `careerguide export --xlsx`, for people who edit ladders in Excel.

The workbook is made from the content as written (placeholders such as
`{count}` and `{role:top}` stay as they are), so that importing it back can
compare cell by cell with the YAML files. Every list is one cell with one
item per line; every sheet has a frozen header row whose cells carry a note
saying what the column is for; levels and tracks have drop-down lists.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import Problem, UserError
from .files import read_bounded, xlsx_rows
from .load import ROLE_ID, load_content
from .models import MAIN_TRACK, Role
from .write import write_all

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
    _competencies_sheet(workbook.create_sheet("Competencies", 1), data, roles)
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


def export_matrix_csv(content_dir: Path) -> bytes:
    """The competency matrix as CSV (UTF-8 with a byte-order mark, so Excel reads accents right too).

    The same columns as the workbook's Competencies sheet, for Google Sheets
    and other tools that open CSV. It is for reading and sharing: `import`
    takes the workbook.
    """
    import csv

    data = load_content(content_dir).data
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerows(_matrix(data, _ordered_roles(data["roles"])))
    return stream.getvalue().encode("utf-8-sig")


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


def _competencies_sheet(sheet, data: dict[str, Any], roles: list[tuple[str, dict[str, Any]]]) -> None:
    """Competencies down, roles across: the matrix as the guide prints it."""
    header, *rows = _matrix(data, roles)
    _header(sheet, header, NOTES)
    for row, cells in enumerate(rows, start=2):
        for column, value in enumerate(cells, start=1):
            _put(sheet.cell(row, column), value)
    _widths(sheet, [22, 24, *([40] * len(roles))])
    sheet.freeze_panes = "C2"


def _matrix(data: dict[str, Any], roles: list[tuple[str, dict[str, Any]]]) -> list[list[Any]]:
    """The competency matrix as rows: a header (competency, name, role ids), then a row per competency."""
    rows: list[list[Any]] = [["competency", "name", *(role_id for role_id, _ in roles)]]
    for competency in data["competencies"].get("competencies") or []:
        cells = [(fields.get("competencies") or {}).get(competency.get("id")) for _, fields in roles]
        rows.append([competency.get("id"), competency.get("name"), *cells])
    return rows


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


# -- import ------------------------------------------------------------------

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_SHEET_ROWS = 2000  # a framework has tens of roles and competencies
TEXT_FIELDS = {"title", "short_title", "noun", "summary", "experience"}
OPTIONAL_FIELDS = {"short_title", "noun", "next_steps", "track"}


@dataclass
class Change:
    """One field of one content file that the workbook changes, and the cell it comes from."""

    file: str  # relative to the content folder: roles/<id>.yaml, guide.yaml, competencies.yaml
    keys: tuple[Any, ...]  # where in the file
    value: Any  # None: remove the key
    cell: str  # Roles!I7
    before: Any = None


def import_workbook(path: Path, content_dir: Path, dry_run: bool = False) -> list[str]:
    """Write what an edited workbook changes into the content's YAML files; return a line per change.

    Only what differs is written, into the files as they are (their comments
    and layout kept, through ruamel.yaml's round trip), so importing an
    unedited export changes nothing. The result is validated as the YAML
    would be, before anything is written; every problem names its cell.
    """
    import shutil
    import tempfile

    from .pipeline import prepare_spec
    from .plan import BuildOptions, plan_targets

    data = read_bounded(path, MAX_WORKBOOK_BYTES)
    current = load_content(content_dir).data
    problems: list[Problem] = []
    changes = _role_changes(path, data, current, problems) + _competency_changes(path, data, current, problems)
    changes += _guide_changes(path, data, current, problems)
    if problems:
        raise UserError(problems)
    if not changes:
        return []
    texts = _apply(changes, content_dir)
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "content"
        shutil.copytree(content_dir, trial)
        for name, text in texts.items():
            (trial / name).write_text(text, encoding="utf-8")
        options = BuildOptions(content_dir=trial)
        try:
            prepare_spec(plan_targets(options)[0], load_content(trial), options)
        except UserError as error:
            raise UserError([_to_cell(problem, changes, trial, path) for problem in error.problems]) from None
    if not dry_run:
        write_all({content_dir / name: text.encode("utf-8") for name, text in texts.items()})
    return [_describe(change) for change in changes]


def _sheet(path: Path, data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A sheet's header and its non-empty rows (row number, cells as text)."""
    rows = []
    for number, cells in xlsx_rows(path, data, name, "a framework workbook"):
        if number > MAX_SHEET_ROWS:  # blank rows count too: a sheet can claim a million of them
            raise UserError(_problem(path, f"{name}!A{number}", None, f"more than {MAX_SHEET_ROWS} rows"))
        rows.append((number, cells))
    if not rows:
        return [], []
    header = [cell.strip() for cell in rows[0][1]]
    return header, [(number, cells) for number, cells in rows[1:] if any(cell.strip() for cell in cells)]


def _where(sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column + 1)}{row}"


def _problem(path: Path, cell: str, field: str | None, message: str) -> Problem:
    return Problem(message, Path(f"{path}:{cell}"), field=field)


def _role_changes(path: Path, data: bytes, current: dict, problems: list[Problem]) -> list[Change]:
    import difflib

    header, rows = _sheet(path, data, "Roles")
    known = [name for name, _ in ROLE_COLUMNS]
    for column, name in enumerate(header):
        if name and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else f"; the columns are {', '.join(known)}"
            problems.append(_problem(path, _where("Roles", column, 1), None, f"unknown column `{name}`{hint}"))
    if "id" not in header:
        problems.append(_problem(path, "Roles!A1", None, "the Roles sheet needs an `id` column"))
        return []
    changes: list[Change] = []
    seen: set[str] = set()
    ids = set(current["roles"]) | {
        cells[header.index("id")].strip() for _, cells in rows if len(cells) > header.index("id")
    }
    for number, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        role_id = cells[header.index("id")].strip()
        if not ROLE_ID.match(role_id):
            cell = _where("Roles", header.index("id"), number)
            problems.append(_problem(path, cell, "id", f"`{role_id}` is not a role id (lower case, digits, hyphens)"))
            continue
        if role_id in seen:
            cell = _where("Roles", header.index("id"), number)
            problems.append(_problem(path, cell, "id", f"`{role_id}` is on two rows"))
            continue
        seen.add(role_id)
        before = current["roles"].get(role_id, {})
        for column, name in enumerate(header):
            if name not in known or name == "id":
                continue
            cell = _where("Roles", column, number)
            try:
                value = _parse(name, cells[column], ids)
            except ValueError as error:
                problems.append(_problem(path, cell, name, str(error)))
                continue
            old = before.get(name)
            if name == "track" and value == MAIN_TRACK and old is None:
                value = None
            if _same(value, old):
                continue
            file = f"roles/{role_id}.yaml"
            changes.append(Change(file, (name,), value, cell, old if role_id in current["roles"] else "new role"))
    return changes


def _parse(name: str, text: str, role_ids: set[str]) -> Any:
    """A cell's text as the value of field `name`; None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    if name == "level":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"a level is a number, such as 2 or 3.5, not `{text}`") from None
        return int(number) if number.is_integer() else number
    if name == "next_steps":
        steps = []
        for line in _items(text):
            head, _, note = (part.strip() for part in line.partition("|"))
            step = {"role": head} if head in role_ids else {"title": head}
            if note:
                step["note"] = note
            steps.append(step)
        return steps
    if name in LIST_FIELDS:
        return _items(text)
    return text


def _items(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, str) and isinstance(old, str):
        return new.strip() == old.strip()
    if isinstance(new, int | float) and isinstance(old, int | float) and not isinstance(old, bool):
        return float(new) == float(old)
    return new == old


def _competency_changes(path: Path, data: bytes, current: dict, problems: list[Problem]) -> list[Change]:
    header, rows = _sheet(path, data, "Competencies")
    if header[:2] != ["competency", "name"]:
        problems.append(_problem(path, "Competencies!A1", None, "the sheet starts with the columns competency, name"))
        return []
    names = {item["id"]: index for index, item in enumerate(current["competencies"].get("competencies") or [])}
    changes: list[Change] = []
    for number, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        competency = cells[0].strip()
        if competency not in names:
            problems.append(
                _problem(
                    path,
                    _where("Competencies", 0, number),
                    "competency",
                    f"`{competency}` is not a competency of competencies.yaml; add new ones there",
                )
            )
            continue
        index = names[competency]
        old_name = current["competencies"]["competencies"][index].get("name")
        if cells[1].strip() and not _same(cells[1].strip(), old_name):
            cell = _where("Competencies", 1, number)
            changes.append(
                Change("competencies.yaml", ("competencies", index, "name"), cells[1].strip(), cell, old_name)
            )
        for column, role_id in enumerate(header[2:], start=2):
            # (a role added on the Roles sheet gets its column here too: its file is new)
            old = (current["roles"].get(role_id, {}).get("competencies") or {}).get(competency)
            new = cells[column].strip() or None
            if not _same(new, old):
                cell = _where("Competencies", column, number)
                changes.append(Change(f"roles/{role_id}.yaml", ("competencies", competency), new, cell, old))
    return changes


def _guide_changes(path: Path, data: bytes, current: dict, problems: list[Problem]) -> list[Change]:
    import difflib

    leaves = dict(_flatten(current["guide"]))
    _, rows = _sheet(path, data, "Guide")
    changes: list[Change] = []
    for number, cells in rows:
        field, text = [*cells, "", ""][:2]
        field = field.strip()
        if field not in leaves:
            close = difflib.get_close_matches(field, list(leaves), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(
                _problem(path, _where("Guide", 0, number), None, f"`{field}` is not a field of the guide{hint}")
            )
            continue
        old = leaves[field]
        new: Any = _items(text) if isinstance(old, list) else text.strip()
        if isinstance(old, date):
            try:
                new = date.fromisoformat(text.strip()[:10])
            except ValueError:
                problems.append(_problem(path, _where("Guide", 1, number), field, "a date, such as 2027-01-18"))
                continue
        if not _same(new, old if not isinstance(old, int | float) else str(old)):
            keys = tuple(int(key) - 1 if key.isdigit() else key for key in re.findall(r"[^.\[\]]+", field))
            changes.append(Change("guide.yaml", keys, new, _where("Guide", 1, number), old))
    return changes


def _apply(changes: list[Change], content_dir: Path) -> dict[str, str]:
    """The new text of every file the changes touch, edited through ruamel.yaml's round trip."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # what did not change is written back as it was: quotes, long lines
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    documents: dict[str, Any] = {}
    for change in changes:
        if change.file not in documents:
            file = content_dir / change.file
            documents[change.file] = yaml.load(file.read_text(encoding="utf-8")) if file.is_file() else {}
        node = documents[change.file]
        for key in change.keys[:-1]:
            node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
        last = change.keys[-1]
        if change.value is None:
            if isinstance(node, dict):
                node.pop(last, None)
        elif isinstance(node.get(last) if isinstance(node, dict) else None, CommentedSeq) and isinstance(
            change.value, list
        ):
            _replace_items(node[last], change.value)
        else:
            node[last] = change.value
    texts = {}
    for name, document in documents.items():
        stream = io.StringIO()
        yaml.dump(document, stream)
        texts[name] = stream.getvalue()
    return texts


def _replace_items(sequence, items: list) -> None:
    """New items in the list as it stands in the file, keeping the comment or blank line after its last item."""
    tail = sequence.ca.items.pop(len(sequence) - 1, None) if len(sequence) else None
    sequence[:] = items
    if tail is not None and items:
        sequence.ca.items[len(items) - 1] = tail


def _to_cell(problem: Problem, changes: list[Change], trial: Path, path: Path) -> Problem:
    """A problem found in the trial files, told at the workbook cell its field came from (else at the file)."""
    if problem.path is not None and problem.path.is_relative_to(trial):
        name = problem.path.relative_to(trial).as_posix()
        top = (problem.field or "").split("[")[0].split(".")
        for change in changes:
            if change.file == name and [str(key) for key in change.keys[: len(top)]] == top[: len(change.keys)]:
                return Problem(problem.message, Path(f"{path}:{change.cell}"), field=problem.field)
        return Problem(problem.message, Path(name), problem.line, problem.column, problem.field)
    return problem


def _describe(change: Change) -> str:
    field = ".".join(str(key) for key in change.keys)
    if change.before == "new role":
        return f"{change.file}: new role, {field} from {change.cell}"
    if change.value is None:
        return f"{change.file}: {field} removed ({change.cell} is empty)"
    if isinstance(change.value, list) and isinstance(change.before, list):
        return f"{change.file}: {field} changed ({len(change.before)} items, now {len(change.value)}; {change.cell})"
    return f"{change.file}: {field} changed ({change.cell})"
