"""The framework as a spreadsheet: `careerguide export --xlsx`, for people who edit ladders in Excel.

A workbook shows one ladder as its guide is made from it, before
placeholders such as `{count}` and `{role:top}` are filled in: the shared
content, or a company's overrides merged over it (in the language the
company writes in), with what the company changed marked. `import`
(workbook_import.py) compares an edited workbook cell by cell with the same
view, so the two modules share the sheets' columns and `read_framework`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import UserError
from .files import MAX_CELL
from .load import Key, load_content
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
TRACK_COLUMNS = ("id", "name", "description", "branches_from")
SECTION_COLUMNS = ("title", "placement", "paragraphs", "signature", "contacts", "links")
#: A contact or link is one line of a cell, its parts between " | ".
LINE_PARTS = {"contacts": ("name", "role", "email", "note"), "links": ("title", "url", "note")}
REMOVED = "Removed roles"
NOTES = {
    "id": "The role's id: the name of its file in content/roles/ (lower case, hyphens). Other sheets and "
    "companies refer to the role by it.",
    "title": "The job title, as the guide, the cards and the ladder print it.",
    "summary": "Two or three sentences on what the role is: the start of its section and of its card.",
    "hiring_signals": "One per line: what shows that a candidate is ready for this role.",
    "responsibilities": "One per line: what the role owns. The card shows the first four.",
    "day_to_day": "One per line: what a week in the role looks like (where responsibilities say what it owns).",
    "skills": "One per line, a few words each: the card shows them as a list.",
    "experience": "One or two sentences: the experience people usually bring to the role.",
    "ready_for_next": "One per line: what shows that someone is ready for the next role.",
    "noun": "Optional: the role inside a sentence, as {noun:ID} prints it (default: the title in lower case).",
    "next_steps": "One step per line: a role id (optionally followed by ' | ' and a note), or the title of a "
    "way off the ladder followed by ' | ' and a note. Empty: the next role up.",
    "competency": "The competency's id; its name is in the next column. Add a row for a new competency (a "
    "framework has 5 to 7). Each role's column says what the competency asks at that level (**bold** marks "
    "what is new).",
    "field": "Where the text goes in the guide: a field of content/guide.yaml (competencies.* are the matrix's "
    "title and introduction). Lists have one item per line.",
    "text": "The guide's text for this field; {braces} are filled in when the guide is built.",
    "name": "The competency's name, as the matrix prints it.",
    "signature": "Optional: who signs the page, such as a name and a title.",
    "branches_from": "The role after which this track forks off the main track (empty for the main track).",
    "placement": "start: after the contents; end: before the sources.",
    "contacts": "One person per line: name | role | email | note (leave a part empty between the bars).",
    "links": "One link per line: title | https://address | note.",
    "paragraphs": "One paragraph per line.",
    REMOVED: "A shared role this company does not have. Its roles' next steps lead past it.",
}
HEADER_FILL = "1E3A5F"
CHANGED_FILL = "FFF2CC"  # a value the company sets
OWN_FILL = "E2EFDA"  # a role of the company's own
ORIGIN_COLUMN = 5  # the Lists sheet's column E says what the workbook was made from
ORIGIN = "Origin"  # a hidden sheet: a fingerprint of every value as it was exported
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries' time: the same workbook, byte for byte, every export


@dataclass(frozen=True)
class Framework:
    """What a workbook shows and is written back into.

    `data` is what the guide is made from: the shared content, or the
    company's overrides merged over it. `shared` is the shared content (in
    the company's language). `marked` holds every key, and every key above
    it, whose value the company's own files set.
    """

    content_dir: Path
    shared: dict[str, Any]
    data: dict[str, Any]
    folder: Path | None = None
    name: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    own_roles: frozenset[str] = frozenset()
    marked: frozenset[Key] = frozenset()
    language: str = "en"


def read_framework(content_dir: Path, folder: Path | None = None) -> Framework:
    """The shared content, or a company's view of it: its merge of the shared content and its overrides."""
    from .company import load_company
    from .merge import merge_company
    from .pipeline import in_language

    shared = load_content(content_dir)
    if folder is None:
        return Framework(content_dir, shared.data, shared.data)
    company = load_company(folder)
    if company.problems:  # a role file that does not load would be missing from the workbook
        raise UserError(list(company.problems))
    # The workbook is in the language the company writes its overrides in, shared text included.
    language = company.settings.written_in or company.settings.locale
    shared = in_language(shared, language, company.folder)[1]
    merged, problems = merge_company(shared, company.loaded)
    if problems:
        raise UserError(problems)
    marked: set[Key] = set()
    for key, position in merged.positions.items():
        if position.path.resolve().is_relative_to(company.folder):
            marked.update(key[:size] for size in range(1, len(key) + 1))
    return Framework(
        content_dir,
        shared.data,
        merged.data,
        company.folder,
        company.settings.name,
        company.loaded.data["company"],
        frozenset(company.loaded.data["extra_roles"]),
        frozenset(marked),
        language,
    )


# -- export ------------------------------------------------------------------


def export_workbook(content_dir: Path, company: Path | None = None) -> bytes:
    """The workbook of the content in `content_dir` (or a company's view of it), as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    framework = read_framework(content_dir, company)
    data = framework.data
    workbook = Workbook()
    roles = _ordered_roles(data["roles"])
    lists = workbook.active
    lists.title = "Lists"
    _roles_sheet(workbook.create_sheet("Roles"), framework, roles)
    _competencies_sheet(workbook.create_sheet("Competencies"), framework, roles)
    _tracks_sheet(workbook.create_sheet("Tracks"), framework)
    _guide_sheet(workbook.create_sheet("Guide"), framework)
    if framework.folder is not None:
        _removed_sheet(workbook.create_sheet(REMOVED), framework)
        _sections_sheet(workbook.create_sheet("Sections"), framework)
    _about_sheet(workbook.create_sheet("About"), framework)
    # The drop-downs' choices live on a hidden sheet: a list typed into a rule is limited to 255 characters.
    for column, values in enumerate(_choices(framework).values(), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, column, value)
    for row, value in enumerate(made_from(framework), start=1):
        lists.cell(row, ORIGIN_COLUMN, value)
    lists.sheet_state = "hidden"
    workbook.move_sheet(lists, offset=len(workbook.sheetnames))
    origin = workbook.create_sheet(ORIGIN)
    for row, (key, value) in enumerate(exported_values(framework).items(), start=1):
        origin.cell(row, 1, json.dumps(list(key), ensure_ascii=False))
        origin.cell(row, 2, fingerprint(value))
    origin.sheet_state = "hidden"
    when = data["guide"].get("date")
    if isinstance(when, date):
        workbook.properties.created = workbook.properties.modified = _midnight(when)
    workbook.properties.title = str(data["guide"].get("title", ""))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue())


def export_matrix_csv(content_dir: Path, company: Path | None = None) -> bytes:
    """The competency matrix as CSV (UTF-8 with a byte-order mark, so Excel reads accents right too).

    The same columns as the workbook's Competencies sheet, for Google Sheets
    and other tools that open CSV. It is for reading and sharing: `import`
    takes the workbook.
    """
    import csv

    framework = read_framework(content_dir, company)
    stream = io.StringIO()
    rows = _matrix(framework.data, _ordered_roles(framework.data["roles"]))
    csv.writer(stream, lineterminator="\r\n").writerows([[_inert(cell) for cell, _ in row] for row in rows])
    return stream.getvalue().encode("utf-8-sig")


def exported_values(framework: Framework) -> dict[Key, Any]:
    """Every value the workbook shows, by where it is in the framework's data (as `import` compares them).

    Their fingerprints go into the hidden Origin sheet: at import, a cell
    that still holds what was exported is one nobody edited, so a change
    made to the files since (a fix to the shared text) is not undone by an
    old workbook.
    """
    data = framework.data
    values: dict[Key, Any] = {}
    competencies = data["competencies"].get("competencies") or []
    for role_id, fields in data["roles"].items():
        for name, _ in ROLE_COLUMNS[1:]:
            values[("roles", role_id, name)] = fields.get(name)
        for item in competencies:
            key = item.get("id")
            values[("roles", role_id, "competencies", key)] = (fields.get("competencies") or {}).get(key)
    values[("competencies", "competencies")] = [{"id": c.get("id"), "name": c.get("name")} for c in competencies]
    for index, item in enumerate(competencies):
        values[("competencies", "competencies", index, "name")] = item.get("name")
    for track_id, track in _tracks(data).items():
        for name in TRACK_COLUMNS[1:]:
            values[("tracks", track_id, name)] = track.get(name)
    values.update({key: value for _, key, value in guide_leaves(data)})
    if framework.folder is not None:
        values[("exclude_roles",)] = list(framework.settings.get("exclude_roles") or [])
        sections = framework.settings.get("sections") or []
        values[("sections",)] = sections
        for index, section in enumerate(sections):
            for name in SECTION_COLUMNS:
                values[("sections", index, name)] = section.get(name)
    return values


def fingerprint(value: Any) -> str:
    """A short digest of a value as a cell holds it: empty is empty, numbers are numbers, text is trimmed."""

    def plain(value: Any) -> Any:
        if value is None or value == "" or value == [] or value == {}:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | date | list | dict):
            return str(value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, list):
            return [plain(item) for item in value]
        return {key: each for key, item in sorted(value.items()) if (each := plain(item)) is not None}

    text = json.dumps(plain(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def made_from(framework: Framework) -> tuple[str, str, str]:
    """What the workbook was made from, kept on its Lists sheet so that `import` can refuse another target."""
    if framework.folder is None:
        return ("careerguide: the shared content", "", "")
    return ("careerguide: a company", framework.folder.name, framework.name)


def _inert(value: Any) -> Any:
    """A CSV value that a spreadsheet will not run: text starting with = + - @ gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _choices(framework: Framework) -> dict[str, list[str]]:
    """The fixed drop-down lists, a column each of the hidden Lists sheet (A, B).

    A role's track is chosen from the Tracks sheet itself, so that a track
    added there can be chosen at once.
    """
    return {
        "shared roles": [role_id for role_id, _ in _ordered_roles(framework.shared["roles"])],
        "placements": ["start", "end"],
    }


def _tracks(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tracks, the main one first (also when the content says nothing about it)."""
    tracks = data.get("tracks") or {}
    return {MAIN_TRACK: tracks.get(MAIN_TRACK) or {}, **{k: v for k, v in tracks.items() if k != MAIN_TRACK}}


def _ordered_roles(roles: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The roles in ladder order (by level, then id), as (id, fields)."""
    return sorted(roles.items(), key=lambda item: (float(item[1].get("level", 0)), item[0]))


def _roles_sheet(sheet, framework: Framework, roles: list[tuple[str, dict[str, Any]]]) -> None:
    descriptions = {name: field.description for name, field in Role.model_fields.items() if field.description}
    _header(sheet, [name for name, _ in ROLE_COLUMNS], {**descriptions, **NOTES})
    for row, (role_id, fields) in enumerate(roles, start=2):
        for column, (name, _) in enumerate(ROLE_COLUMNS, start=1):
            value = role_id if name == "id" else fields.get(name)
            if name == "track" and value is None:
                value = MAIN_TRACK
            cell = sheet.cell(row, column)
            _put(cell, _next_steps(value) if name == "next_steps" else value)
            if role_id in framework.own_roles:
                _fill(cell, OWN_FILL)
                if name == "id":
                    _note(cell, f"{framework.name}'s own role: roles/{role_id}.yaml in the company's folder.")
            elif name != "id":
                _mark(cell, framework, ("roles", role_id, name))
    _lay_out(sheet, [width for _, width in ROLE_COLUMNS])
    sheet.freeze_panes = "C2"
    last = max(len(roles) + 1, 200)  # room for roles added in the sheet
    level = "A level is a number from 0 to 100 (3.5 sits between 3 and 4)."
    _drop_down(sheet, f"E2:E{last}", "decimal", "Level", level)
    _drop_down(sheet, f"F2:F{last}", "=Tracks!$A$2:$A$50", "Track", "Choose a track of the Tracks sheet.")


def _competencies_sheet(sheet, framework: Framework, roles: list[tuple[str, dict[str, Any]]]) -> None:
    """Competencies down, roles across: the matrix as the guide prints it."""
    header, *rows = _matrix(framework.data, roles)
    columns = {
        role_id: f"What {fields.get('title', role_id)} is asked, competency by competency." for role_id, fields in roles
    }
    _header(sheet, [name for name, _ in header], {**NOTES, **columns})
    for row, cells in enumerate(rows, start=2):
        for column, (value, key) in enumerate(cells, start=1):
            cell = sheet.cell(row, column)
            _put(cell, value)
            if key is not None and key[:2] in {("roles", role_id) for role_id in framework.own_roles}:
                _fill(cell, OWN_FILL)
            elif key is not None:
                _mark(cell, framework, key)
    _lay_out(sheet, [22, 24, *([40] * len(roles))])
    sheet.freeze_panes = "C2"


def _matrix(data: dict[str, Any], roles: list[tuple[str, dict[str, Any]]]) -> list[list[tuple[Any, Key | None]]]:
    """The matrix as rows of (value, where it is in the data): a header, then a row per competency."""
    rows: list[list[tuple[Any, Key | None]]] = [
        [("competency", None), ("name", None), *((role_id, None) for role_id, _ in roles)]
    ]
    for index, competency in enumerate(data["competencies"].get("competencies") or []):
        key = competency.get("id")
        cells = [
            ((fields.get("competencies") or {}).get(key), ("roles", role_id, "competencies", key))
            for role_id, fields in roles
        ]
        name = (competency.get("name"), ("competencies", "competencies", index, "name"))
        rows.append([(key, None), name, *cells])
    return rows


def _tracks_sheet(sheet, framework: Framework) -> None:
    descriptions = {
        "id": "The track's id (lower case, hyphens): the Roles sheet's track column names it. `main` is the ladder "
        "before any fork.",
        "name": "The track's name, shown above its roles after the fork and on its cards.",
        "description": "One line on who the track is for.",
    }
    _header(sheet, list(TRACK_COLUMNS), {**NOTES, **descriptions})
    for row, (track_id, track) in enumerate(_tracks(framework.data).items(), start=2):
        for column, name in enumerate(TRACK_COLUMNS, start=1):
            cell = sheet.cell(row, column)
            _put(cell, track_id if name == "id" else track.get(name))
            if name != "id":
                _mark(cell, framework, ("tracks", track_id, name))
    _lay_out(sheet, [22, 28, 70, 28])
    sheet.freeze_panes = "B2"


def _guide_sheet(sheet, framework: Framework) -> None:
    """The guide's own text, one field a row: `ladder.title`, `how_to_read[2].text`, ..."""
    _header(sheet, ["field", "text"], NOTES)
    for row, (label, key, value) in enumerate(guide_leaves(framework.data), start=2):
        _put(sheet.cell(row, 1), label)
        _put(sheet.cell(row, 2), value)
        _mark(sheet.cell(row, 2), framework, key)
    _lay_out(sheet, [30, 100])
    sheet.freeze_panes = "B2"


def _removed_sheet(sheet, framework: Framework) -> None:
    _header(sheet, ["id", "title"], {"id": NOTES[REMOVED], "title": "The shared role's title (for reading only)."})
    for row, role_id in enumerate(framework.settings.get("exclude_roles") or [], start=2):
        _put(sheet.cell(row, 1), role_id)
        _put(sheet.cell(row, 2), (framework.shared["roles"].get(role_id) or {}).get("title"))
    _lay_out(sheet, [30, 40])
    sheet.freeze_panes = "A2"
    shared = len(framework.shared["roles"])
    _drop_down(sheet, "A2:A50", f"=Lists!$A$1:$A${shared}", "Role", "Choose one of the shared roles.")


def _sections_sheet(sheet, framework: Framework) -> None:
    """The company's own pages: a row each, in the order they appear."""
    notes = {**NOTES, "title": "The page's heading. A page needs paragraphs, contacts or links."}
    _header(sheet, list(SECTION_COLUMNS), notes)
    for row, section in enumerate(framework.data.get("sections") or [], start=2):
        for column, name in enumerate(SECTION_COLUMNS, start=1):
            _put(sheet.cell(row, column), _section_cell(name, section.get(name)))
    _lay_out(sheet, [30, 10, 80, 30, 60, 60])
    sheet.freeze_panes = "B2"
    _drop_down(sheet, "B2:B50", "=Lists!$B$1:$B$2", "Placement", "start (after the contents) or end.")


def _section_cell(name: str, value: Any) -> Any:
    if name in LINE_PARTS and isinstance(value, list):
        parts = LINE_PARTS[name]
        return [" | ".join(str(item.get(part) or "") for part in parts).rstrip(" |") for item in value]
    return value


def _about_sheet(sheet, framework: Framework) -> None:
    from openpyxl.styles import Font

    if framework.folder is None:
        whose = "The shared career framework: the content folder's roles, competencies and guide text."
        how = "careerguide import FILE (in the project folder, or with --content DIR)"
    else:
        whose = (
            f"{framework.name}'s career framework: the shared content with {framework.name}'s changes "
            f"(companies/{framework.folder.name}/), in the language {framework.name} writes in ({framework.language})."
        )
        how = f"careerguide import FILE --company {framework.folder.name}"
    lines = [
        (whose, True),
        ("Roles: a row per role, a column per field. Lists have one item per line (Alt+Enter: new line).", None),
        ("Competencies: what each role asks of each competency.", None),
        ("Tracks: the ladder's tracks. To fork it, add a track that branches from a role, and roles on it.", None),
        ("Guide: the guide's own text, one field a row. {Braces} are filled in when the guide is built.", None),
    ]
    if framework.folder is not None:
        lines += [
            (f"Yellow cells: values {framework.name} sets; the shared value is in the cell's note.", CHANGED_FILL),
            (f"Green rows: {framework.name}'s own roles.", OWN_FILL),
            (f"{REMOVED}: shared roles {framework.name} does not have. Sections: {framework.name}'s own pages.", None),
            ("The company's name, logo, colours, fonts and paper stay in company.yaml.", None),
        ]
    lines += [
        ("To add a role: a new row on Roles and a new column on Competencies.", None),
        (f"Bring your changes back with: {how}   (add --dry-run to see them first)", None),
    ]
    for row, (text, style) in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, text)
        cell.font = Font(bold=style is True)
        if isinstance(style, str):
            _fill(cell, style)
    _lay_out(sheet, [120])


def guide_leaves(data: dict[str, Any]) -> Iterator[tuple[str, Key, Any]]:
    """(label, key, value) of the guide's text and the matrix's title and introduction."""
    yield from _flatten(data["guide"], "", ("guide",))
    for name in ("title", "intro"):
        yield f"competencies.{name}", ("competencies", name), data["competencies"].get(name)


def _flatten(value: Any, label: str, key: Key) -> Iterator[tuple[str, Key, Any]]:
    """Leaves by label and key; a list of plain texts is one leaf (a cell, one item per line)."""
    if isinstance(value, dict):
        for name, child in value.items():
            yield from _flatten(child, f"{label}.{name}" if label else str(name), (*key, name))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, child in enumerate(value):
            yield from _flatten(child, f"{label}[{index + 1}]", (*key, index))
    else:
        yield label, key, value


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
    from openpyxl.styles import Alignment, Font

    for column, name in enumerate(names, start=1):
        cell = sheet.cell(1, column, name)
        cell.font = Font(bold=True, color="FFFFFF")
        _fill(cell, HEADER_FILL)
        cell.alignment = Alignment(vertical="top")
        if name in notes:
            _note(cell, notes[name])


def _put(cell, value: Any) -> None:
    """A value into a cell: lists one item per line, text wrapped, dates as dates."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    if isinstance(value, list):
        if any("\n" in str(item) for item in value):
            _unexportable(
                cell, "an item holds a line break, and in the workbook each line is an item: write it on one line"
            )
        value = "\n".join(str(item) for item in value)
    if isinstance(value, str):
        value = str(value)  # an untranslated text is a str subclass openpyxl would refuse
        if found := ILLEGAL_CHARACTERS_RE.search(value):
            _unexportable(cell, f"the text holds a control character (U+{ord(found.group()):04X}): remove it")
        if len(value) > MAX_CELL:
            _unexportable(cell, f"the text is longer than a spreadsheet cell holds ({MAX_CELL:,} characters)")
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _unexportable(cell, why: str) -> None:
    """A value a workbook cannot hold as it is, named by its row and column (a field of a role, or of the guide)."""
    sheet = cell.parent
    column, row = sheet.cell(1, cell.column).value, sheet.cell(cell.row, 1).value
    raise UserError(f"cannot export {column} of {row} ({sheet.title}!{cell.coordinate}): {why}")


def _mark(cell, framework: Framework, key: Key) -> None:
    """A value the company's files set: filled, with the shared value in a note."""
    if framework.folder is None or key not in framework.marked:
        return
    _fill(cell, CHANGED_FILL)
    shared = value_at(framework.shared, key)
    if shared is MISSING or shared is None:
        said = "The shared content has no value here."
    else:
        text = "\n".join(map(str, shared)) if isinstance(shared, list) else str(shared)
        said = f"The shared content says:\n{text[:400]}{'…' if len(text) > 400 else ''}"
    _note(cell, f"Set by {framework.name}. {said}")


def _fill(cell, colour: str) -> None:
    from openpyxl.styles import PatternFill

    cell.fill = PatternFill("solid", fgColor=colour)


def _note(cell, text: str) -> None:
    from openpyxl.comments import Comment

    cell.comment = Comment(text, "careerguide", width=320, height=140)


def _drop_down(sheet, cells: str, choices: str, title: str, error: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if choices == "decimal":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=False)
    else:
        rule = DataValidation(type="list", formula1=choices, allow_blank=True)
    rule.error, rule.errorTitle, rule.showErrorMessage = error, title, True
    sheet.add_data_validation(rule)
    rule.add(cells)


def _lay_out(sheet, widths: list[int]) -> None:
    """Column widths, rows tall enough for their wrapped text, and a landscape print with the header on each page.

    Spreadsheet programs do not grow a row to fit its wrapped text when they
    open a file, only when a cell is edited: without heights every list would
    show as its first line.
    """
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=2):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if isinstance(cell.value, str):
                lines = max(lines, sum(-(-max(len(line), 1) // int(width * 0.95)) for line in cell.value.split("\n")))
        sheet.row_dimensions[row[0].row].height = min(15 * lines + 2, 409)  # 409 points: a row's limit
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"


def _midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _stable_zip(data: bytes) -> bytes:
    """The workbook with its zip entries' times fixed: openpyxl stamps the time of saving on each."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl sets `modified` to the time of saving
                created = re.search(rb"<dcterms:created[^>]*>([^<]*)<", data)
                if created:
                    data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*<", rb"\g<1>" + created.group(1) + b"<", data)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


MISSING: Any = type("Missing", (), {"__repr__": lambda self: "missing"})()


def value_at(data: Any, keys: Key) -> Any:
    """The value at `keys` (mapping keys and list indexes) in plain data, or MISSING."""
    for key in keys:
        if (isinstance(data, dict) and key in data) or (isinstance(data, list) and key in range(len(data))):
            data = data[key]
        else:
            return MISSING
    return data
