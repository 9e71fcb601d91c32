"""`careerguide import`: an edited workbook back into the content's YAML files, or into a company's overrides.

The workbook (see `workbook.py`) is read with limits, cell by cell, and
compared with the framework it was made from: each value that differs is an
edit, named by its cell. Edits of the shared content go into the file they
belong to; a company's become the smallest overrides that give its ladder
those values. Files are edited through ruamel.yaml's round trip, so that
what did not change keeps its comments and layout, and the result is
validated as a build would before anything is written.
"""

from __future__ import annotations

import copy
import difflib
import io
import itertools
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import Problem, UserError
from .files import XlsxBook, outside, read_bounded, read_inside
from .load import MAX_FILE_BYTES, ROLE_ID, Key, load_content
from .models import MAIN_TRACK
from .workbook import (
    LINE_PARTS,
    LIST_FIELDS,
    MISSING,
    ORIGIN,
    ORIGIN_COLUMN,
    REMOVED,
    ROLE_COLUMNS,
    SECTION_COLUMNS,
    TRACK_COLUMNS,
    Framework,
    fingerprint,
    guide_leaves,
    made_from,
    read_framework,
    value_at,
)
from .write import write_all

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_ID = 64  # characters in a role, track or competency id: it becomes a file name
MAX_TRIAL_BYTES = 256 * 1024 * 1024  # what is copied to validate the result: the folder with its fonts and images
MAX_SHEET_ROWS = 2000  # a framework has tens of roles and competencies
#: What a new role's row must fill in (the role files' required fields).
REQUIRED = ("title", "level", "summary", "hiring_signals", "responsibilities", "day_to_day", "skills", "experience")
REQUIRED += ("ready_for_next",)


@dataclass
class Edit:
    """A value the workbook changes, where it is in the framework's data, and the cell it comes from."""

    keys: Key  # ("roles", id, field), ("guide", ...), ("competencies", ...), ("tracks", id, field), ("sections", ...)
    value: Any  # None: empty
    cell: str  # Roles!I7
    before: Any = None


@dataclass
class Change:
    """One value of one YAML file that the workbook changes."""

    file: str  # relative to the content or company folder: roles/<id>.yaml, guide.yaml, company.yaml
    keys: Key  # where in the file
    value: Any
    cell: str
    before: Any = None
    remove: bool = False  # take the key out: an empty cell, or a company's override no longer needed
    new_role: bool = False
    why: str = "is empty"


@dataclass
class Book:
    """A workbook being read: its sheets, each read once, and the problems found in it."""

    path: Path
    xlsx: XlsxBook
    problems: list[Problem] = field(default_factory=list)
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (role id, field) -> its cell on Roles
    _read: dict[str, tuple[list[str], list[tuple[int, list[str]]]]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return self.xlsx.names

    def sheet(self, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """A sheet's header and its non-empty rows (row number, cells as text), padded to the header."""
        if name not in self._read:
            self._read[name] = self._sheet(name)
        return self._read[name]

    def _sheet(self, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        for merged in self.xlsx.merged(name):
            self.problem(f"{_quoted(name)}!{merged}", None, "merged cells: unmerge them, every field has its own cell")
        rows = []
        for number, cells in self.xlsx.rows(name):
            if any(cell.strip() for cell in cells) or not rows:
                if len(rows) > MAX_SHEET_ROWS:
                    raise UserError(self._at(f"{_quoted(name)}!A{number}", None, f"more than {MAX_SHEET_ROWS} rows"))
                rows.append((number, cells))
        if not rows:
            return [], []
        header = [cell.strip() for cell in rows[0][1]]
        width = len(header)
        return header, [(number, cells + [""] * (width - len(cells))) for number, cells in rows[1:]]

    def problem(self, cell: str, field: str | None, message: str) -> None:
        self.problems.append(self._at(cell, field, message))

    def _at(self, cell: str, field: str | None, message: str) -> Problem:
        return Problem(message, Path(f"{self.path}:{cell}"), field=field)


def import_workbook(path: Path, content_dir: Path, company: Path | None = None, dry_run: bool = False) -> list[str]:
    """Write what an edited workbook changes into the YAML files; return a line per change (and notes).

    Only what differs is written, into the files as they are (their comments
    and layout kept, through ruamel.yaml's round trip), so importing an
    unedited export changes nothing. The result is validated as the YAML
    would be, before anything is written; every problem names its cell.
    """
    framework = read_framework(content_dir, company)
    with XlsxBook(path, read_bounded(path, MAX_WORKBOOK_BYTES), "a framework workbook") as xlsx:
        book = Book(path, xlsx)
        _check_origin(book, framework)
        edits, notes = _edits(book, framework)
        edits, unedited = _edited(book, edits)
    if unedited:
        notes.append(
            f"note: {unedited} cell{'s' * (unedited != 1)} still hold{'s' * (unedited == 1)} what the workbook was "
            "exported with, and the files have changed since: they are left as the files say (export again to see)"
        )
    if not edits:
        return notes
    changes = _company_changes(framework, edits) if framework.folder else _content_changes(edits)
    base = framework.folder or content_dir
    texts = _apply(changes, base)
    for name in texts:
        _check_writable(base, name)
    warnings = [_at_role_cell(warning, book) for warning in _try(framework, texts, changes, path)]
    if not dry_run:
        write_all({base / name: text.encode("utf-8") for name, text in texts.items()}, keep_mode=True)
    return _describe_all(changes) + notes + _stale_translations(framework, changes) + warnings


def _stale_translations(framework: Framework, changes: list[Change]) -> list[str]:
    """A note when changed English texts of the shared content have translations, which they now outgrow."""
    locales = sorted(path.stem for path in (framework.content_dir / "translations").glob("*.po"))
    texts = [c for c in changes if isinstance(c.value, str | list) and c.file != "tracks.yaml" and not c.new_role]
    if framework.folder is not None or not locales or not texts:
        return []
    return [
        f"note: {len(texts)} changed text{'s' * (len(texts) != 1)} of the shared content "
        f"{'have' if len(texts) != 1 else 'has'} translations ({', '.join(locales)}): those editions print "
        f"{'them' if len(texts) != 1 else 'it'} in English until translated again "
        f"(`careerguide translate export --locale {locales[0]}`; `careerguide validate` counts what is stale)"
    ]


def _at_role_cell(warning: str, book: Book) -> str:
    """A warning about a role's field in a file the workbook did not change, told at that field's cell too."""
    found = re.search(r": roles\.([a-z0-9-]+)\.([a-z_]+)", warning)
    cell = book.cells.get((found.group(1), found.group(2))) if found else None
    return f"{warning} ({book.path.name}:{cell})" if cell and f"{book.path}:" not in warning else warning


def _edited(book: Book, edits: list[Edit]) -> tuple[list[Edit], int]:
    """The edits of cells someone edited; a cell that still holds what was exported is left out, and counted.

    Without this, a company's workbook exported before a fix to the shared
    text would bring the old text back, as an override, on import.
    """
    if ORIGIN not in book.names:
        return edits, 0
    exported = {}
    for _, cells in book.xlsx.rows(ORIGIN):
        if len(cells) >= 2:
            try:
                exported[tuple(json.loads(cells[0]))] = cells[1]
            except (ValueError, TypeError):
                continue  # a damaged line: that cell is compared as if there were no record
    kept = [edit for edit in edits if exported.get(edit.keys) != fingerprint(edit.value)]
    return kept, len(edits) - len(kept)


def _check_origin(book: Book, framework: Framework) -> None:
    """A company's workbook goes back into that company, the shared content's into the content.

    Imported elsewhere, every value that company changed would become the
    shared content's (or the shared text would override another company's).
    A workbook without the mark (its Lists sheet deleted) is taken as it is.
    """
    rows = []
    if "Lists" in book.names:
        rows = [cells[ORIGIN_COLUMN - 1] if len(cells) >= ORIGIN_COLUMN else "" for _, cells in book.xlsx.rows("Lists")]
    origin = tuple([*rows, "", "", ""][:3])
    if not origin[0].startswith("careerguide:"):  # the mark is gone: a company's own sheets still tell
        if framework.folder is None and ({REMOVED, "Sections"} & set(book.names)):
            raise UserError(
                Problem(
                    f"this is a company's workbook (it has the {REMOVED} and Sections sheets): "
                    "import it with --company and the company's name",
                    book.path,
                )
            )
        return
    if origin == made_from(framework):
        return
    if origin[1]:
        where = f"is {origin[2]}'s workbook (exported with --company {origin[1]}): import it with --company {origin[1]}"
        if framework.folder is not None and framework.folder.name == origin[1]:
            return  # the same company, under another path
    else:
        where = "is the shared content's workbook (exported without --company): import it without --company"
    raise UserError(Problem(f"this {where}", book.path))


def _check_writable(base: Path, name: str) -> None:
    """`base/name` is an ordinary file inside `base`, or can become one: no links, no folder in the way."""
    target = base / name
    where = base
    for part in Path(name).parts[:-1]:
        where = where / part
        if where.is_symlink() or (where.exists() and not where.is_dir()):
            raise UserError(Problem("not a folder, or a link: import writes only ordinary files in folders", where))
    if outside(target, base) or target.is_symlink() or (target.exists() and not target.is_file()):
        raise UserError(Problem("a link or not an ordinary file: import writes only ordinary files", target))


def _edits(book: Book, framework: Framework) -> tuple[list[Edit], list[str]]:
    """Every value the workbook changes, and notes on what it leaves alone; every bad cell at once."""
    read = {"Roles", "Competencies", "Tracks", "Guide", REMOVED, "Sections", "About", "Lists", ORIGIN}
    notes = [
        f"note: the sheet `{name}` is not one careerguide reads: left out" for name in book.names if name not in read
    ]
    edits = _role_edits(book, framework, notes)
    edits += _competency_edits(book, framework)
    edits += _track_edits(book, framework, notes)
    edits += _guide_edits(book, framework)
    if framework.folder is not None:
        edits += _removed_edits(book, framework)
        edits += _section_edits(book, framework)
    if book.problems:
        raise UserError(book.problems)
    return edits, notes


def _quoted(sheet: str) -> str:
    return f"'{sheet}'" if " " in sheet else sheet


def _where(sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{_quoted(sheet)}!{get_column_letter(column + 1)}{row}"


def _suggest(name: str, known, cutoff: float = 0.6) -> str:
    """` (did you mean `x`?)`, or nothing. Only short names are compared: difflib is slow on long, similar text."""
    close = _closest(name, known, cutoff)
    return f" (did you mean `{close}`?)" if close else ""


def _closest(name: str, known, cutoff: float = 0.6) -> str | None:
    if len(name) > MAX_ID:
        return None
    close = difflib.get_close_matches(name, [each for each in known if len(each) <= MAX_ID], n=1, cutoff=cutoff)
    return close[0] if close else None


def _is_id(text: str) -> bool:
    """An id of a role, track or competency: it becomes a file name or a key."""
    return len(text) <= MAX_ID and bool(ROLE_ID.match(text))


def _check_header(
    book: Book, sheet: str, header: list[str], known: tuple[str, ...] | list[str], rows: list | None = None
) -> bool:
    """Unknown, unnamed and repeated columns, by their header cells; False when the header row is not there.

    A column whose name was cleared would otherwise be left out without a word, edits and all.
    """
    if known[0] not in header:  # the header row deleted or moved: one message, not one per cell of the first row
        book.problem(f"{_quoted(sheet)}!A1", None, f"the first row must hold the columns' names ({', '.join(known)})")
        return False
    for column, name in enumerate(header):
        if not name and any(column < len(cells) and cells[column].strip() for _, cells in rows or []):
            book.problem(
                _where(sheet, column, 1), None, "this column has no name: write its name back in the first row"
            )
        elif name and name not in known:
            hint = _suggest(name, known) or f"; the columns are {', '.join(known)}"
            book.problem(_where(sheet, column, 1), None, f"unknown column `{name}`{hint}")
        elif name and name in header[:column]:
            book.problem(_where(sheet, column, 1), None, f"the column `{name}` is there twice: keep one")
    return True


def _role_edits(book: Book, framework: Framework, notes: list[str]) -> list[Edit]:
    header, rows = book.sheet("Roles")
    known = [name for name, _ in ROLE_COLUMNS]
    if not _check_header(book, "Roles", header, known, rows):
        return []
    id_column = header.index("id")
    current = framework.data["roles"]
    listed = _sheet_ids(book)
    ids = set(current) | {role_id for role_id in listed if _is_id(role_id)}
    # A next step may name a role by its title too, as people do.
    steps = {
        **{str(role.get("title", "")).casefold(): role_id for role_id, role in current.items()},
        **{i: i for i in ids},
    }
    edits: list[Edit] = []
    seen: set[str] = set()
    for number, cells in rows:
        role_id = cells[id_column].strip()
        cell = _where("Roles", id_column, number)
        if not _is_id(role_id):
            book.problem(cell, "id", f"`{role_id[:80]}` is not a role id (lower case, digits, hyphens; 64 at most)")
            continue
        if role_id in seen:
            book.problem(cell, "id", f"`{role_id}` is on two rows")
            continue
        seen.add(role_id)
        # A shared role the company had removed comes back as the shared content has it.
        before = current.get(role_id) or framework.shared["roles"].get(role_id) or {}
        if not before and (meant := _mistyped(role_id, book, framework)):
            book.problem(
                cell,
                "id",
                f"`{role_id}` is not a role here: did you mean `{meant}`, whose row is missing? "
                "(a new role needs an id of its own and every column filled in)",
            )
            continue
        if not before:  # a new role: say at once every cell it still needs
            for name in REQUIRED:
                said = name.replace("_", " ")
                if name not in header:
                    book.problem(cell, name, f"a new role needs its {said}, and the sheet has no `{name}` column")
                elif not cells[header.index(name)].strip():
                    book.problem(_where("Roles", header.index(name), number), name, f"a new role needs its {said}")
        for column, name in enumerate(header):
            if name not in known or name == "id":
                continue
            cell = book.cells[(role_id, name)] = _where("Roles", column, number)
            try:
                value = _parse(name, cells[column], steps, framework.name or "the")
            except ValueError as error:
                book.problem(cell, name, str(error))
                continue
            old = before.get(name)
            if name == "track" and value == MAIN_TRACK and old is None:
                value = None
            if not _same(value, old):
                edits.append(Edit(("roles", role_id, name), value, cell, old if before else "new role"))
    removed = _removed_ids(book)
    for role_id in current:
        if role_id not in seen and role_id not in removed:
            if framework.folder is None:
                notes.append(f"note: roles/{role_id}.yaml has no row on the Roles sheet: left as it is")
            else:
                notes.append(
                    f"note: `{role_id}` has no row on the Roles sheet: left on {framework.name}'s ladder "
                    f"(to remove it, list it on the {REMOVED} sheet)"
                )
    return edits


def _parse(name: str, text: str, role_ids: dict[str, str], whose: str = "the") -> Any:
    """A cell's text as the value of field `name`; None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    if name == "level":
        if not re.fullmatch(r"-?\d{1,3}(\.\d{1,6})?", text):
            raise ValueError(f"a level is a number, such as 2 or 3.5, not `{text[:40]}`")
        number = float(text)
        return int(number) if number.is_integer() else number
    if name == "next_steps":
        steps = []
        for line in _items(text):
            head, _, note = (part.strip() for part in line.partition("|"))
            role = role_ids.get(head) or role_ids.get(head.casefold())
            if role is None and ROLE_ID.match(head):
                meant = _suggest(head, set(role_ids.values()))
                raise ValueError(
                    f"`{head[:80]}` is not a role on {whose} ladder{meant}; a way off the ladder is written by its "
                    "title, such as `Founder | note`"
                )
            step = {"role": role} if role else {"title": head}
            if note:
                step["note"] = note
            steps.append(step)
        return steps
    if name in LIST_FIELDS or name == "paragraphs":
        return _items(text)
    if name in LINE_PARTS:
        parts = LINE_PARTS[name]
        lines = [[part.strip() for part in line.split("|")] for line in _items(text)]
        if any(len(line) > len(parts) for line in lines):
            raise ValueError(f"a line has more than {len(parts)} parts ({' | '.join(parts)})")
        if any(len(line) == 1 and ("@" in line[0] or "://" in line[0]) for line in lines):  # commas, not bars
            raise ValueError(f"write each line's parts between bars: {' | '.join(parts)}")
        return [{key: value for key, value in zip(parts, line, strict=False) if value} for line in lines]
    return text


def _items(text: str) -> list[str]:
    """A cell's lines, each an item; a bullet typed before an item (•, -, *) is not part of it."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return [re.sub(r"^(?:[•·▪◦‣]|[-*](?=\s))\s*", "", line) for line in lines if line]


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, str) and isinstance(old, str):
        return new.strip() == old.strip()
    if isinstance(new, int | float) and isinstance(old, int | float) and not isinstance(old, bool):
        return float(new) == float(old)
    if isinstance(new, list) and isinstance(old, list):
        return len(new) == len(old) and all(_same(a, b) for a, b in zip(new, old, strict=True))
    if isinstance(new, dict) and isinstance(old, dict):
        return new.keys() == old.keys() and all(_same(new[key], old[key]) for key in new)
    return new == old


def _competency_edits(book: Book, framework: Framework) -> list[Edit]:
    """The matrix: each role's cells, the competencies' names, and new or removed competencies."""
    header, rows = book.sheet("Competencies")
    if header[:2] != ["competency", "name"]:
        book.problem("Competencies!A1", None, "the sheet starts with the columns competency, name")
        return []
    roles = framework.data["roles"]
    role_ids = set(roles) | {role_id for role_id in _sheet_ids(book) if _is_id(role_id)}
    for column, role_id in enumerate(header[2:], start=2):
        if role_id not in role_ids:
            hint = _suggest(role_id, sorted(role_ids))
            book.problem(
                _where("Competencies", column, 1), None, f"`{role_id[:80]}` is not a role on the Roles sheet{hint}"
            )
        elif role_id in header[2:column]:
            book.problem(_where("Competencies", column, 1), None, f"the column `{role_id}` is there twice: keep one")
    current = framework.data["competencies"].get("competencies") or []
    new_roles = _new_role_ids(book, framework)
    for role_id in sorted(new_roles - set(header[2:])):
        book.problem("Competencies!A1", None, f"`{role_id}` is a new role: add its column here, headed with its id")
    edits: list[Edit] = []
    listed = []
    for number, cells in rows:
        competency, name = cells[0].strip(), cells[1].strip()
        if not _is_id(competency) or competency in [item["id"] for item in listed]:
            why = "is on two rows" if _is_id(competency) else "is not an id (lower case, digits, hyphens)"
            book.problem(_where("Competencies", 0, number), "competency", f"`{competency[:80]}` {why}")
            continue
        listed.append({"id": competency, "name": name})
        for column, role_id in enumerate(header[2:], start=2):
            old = ((roles.get(role_id) or {}).get("competencies") or {}).get(competency)
            new = cells[column].strip() or None
            if new is None and role_id in new_roles:
                book.problem(_where("Competencies", column, number), role_id, f"a new role needs its {competency}")
            if not _same(new, old):
                cell = _where("Competencies", column, number)
                edits.append(Edit(("roles", role_id, "competencies", competency), new, cell, old))
    if [item["id"] for item in listed] == [item.get("id") for item in current]:
        for index, (item, (number, _)) in enumerate(zip(listed, rows, strict=False)):
            if not _same(item["name"], current[index].get("name")):
                cell = _where("Competencies", 1, number)
                edits.append(Edit(("competencies", "competencies", index, "name"), item["name"], cell))
    else:  # competencies added, removed or reordered: the list as a whole, and no role keeps a removed one
        edits.append(
            Edit(("competencies", "competencies"), listed, f"Competencies!A2:B{max(len(rows) + 1, 2)}", current)
        )
        gone = {item.get("id") for item in current} - {item["id"] for item in listed}
        for role_id, fields in roles.items():
            for competency in sorted(gone & set(fields.get("competencies") or {})):
                cell = f"Competencies!A2:A{max(len(rows) + 1, 2)}"
                edits.append(Edit(("roles", role_id, "competencies", competency), None, cell, competency))
    return edits


def _new_role_ids(book: Book, framework: Framework) -> set[str]:
    """Roles on the Roles sheet the framework does not have (a mistyped id of a role whose row is gone is not one)."""
    roles, shared = framework.data["roles"], framework.shared["roles"]
    return {
        role_id
        for role_id in _sheet_ids(book)
        if _is_id(role_id)
        and role_id not in roles
        and role_id not in shared
        and not _mistyped(role_id, book, framework)
    }


def _mistyped(role_id: str, book: Book, framework: Framework) -> str | None:
    """The role `role_id` is most likely a typo of: one whose row is missing from the Roles sheet, very like it."""
    listed = set(_sheet_ids(book)) | _removed_ids(book)
    return _closest(role_id, sorted(set(framework.data["roles"]) - listed), cutoff=0.85)


def _removed_ids(book: Book) -> set[str]:
    if REMOVED not in book.names:
        return set()
    return {cells[0].strip() for _, cells in book.sheet(REMOVED)[1] if cells}


def _sheet_ids(book: Book) -> list[str]:
    header, rows = book.sheet("Roles")
    return [cells[header.index("id")].strip() for _, cells in rows] if "id" in header else []


def _track_edits(book: Book, framework: Framework, notes: list[str]) -> list[Edit]:
    if "Tracks" not in book.names:
        return []
    header, rows = book.sheet("Tracks")
    if not _check_header(book, "Tracks", header, TRACK_COLUMNS, rows):
        return []
    current = framework.data.get("tracks") or {}
    edits: list[Edit] = []
    seen = set()
    for number, cells in rows:
        track_id = cells[header.index("id")].strip()
        if not _is_id(track_id) or track_id in seen:
            why = "is on two rows" if track_id in seen else "is not a track id (lower case, digits, hyphens)"
            book.problem(_where("Tracks", header.index("id"), number), "id", f"`{track_id[:80]}` {why}")
            continue
        seen.add(track_id)
        for column, name in enumerate(header):
            if name in TRACK_COLUMNS and name != "id":
                old = (current.get(track_id) or {}).get(name)
                new = cells[column].strip() or None
                if not _same(new, old):
                    edits.append(Edit(("tracks", track_id, name), new, _where("Tracks", column, number), old))
    missing = [track for track in current if track not in seen]
    notes.extend(f"note: track `{track}` has no row on the Tracks sheet: left as it is" for track in missing)
    return edits


def _guide_edits(book: Book, framework: Framework) -> list[Edit]:
    leaves = {label: (key, value) for label, key, value in guide_leaves(framework.data)}
    header, rows = book.sheet("Guide")
    if header[:2] != ["field", "text"]:
        book.problem("Guide!A1", None, "the sheet starts with the columns field, text")
        return []
    edits: list[Edit] = []
    seen: set[str] = set()
    for number, cells in rows:
        label, text = cells[0].strip(), (cells[1] if len(cells) > 1 else "")
        if label not in leaves or label in seen:
            why = "is on two rows" if label in seen else f"is not a field of the guide{_suggest(label, leaves)}"
            book.problem(_where("Guide", 0, number), None, f"`{label[:80]}` {why}")
            continue
        seen.add(label)
        key, old = leaves[label]
        new: Any = _items(text) if isinstance(old, list) else text.strip()
        if isinstance(old, date):
            try:
                new = date.fromisoformat(text.strip())
            except ValueError:
                book.problem(_where("Guide", 1, number), label, "a date, such as 2027-01-18")
                continue
        if not _same(new, old if not isinstance(old, int | float) else str(old)):
            edits.append(Edit(key, new, _where("Guide", 1, number), old))
    return edits


def _removed_edits(book: Book, framework: Framework) -> list[Edit]:
    """The Removed roles sheet is the company's `exclude_roles`."""
    if REMOVED not in book.names:
        return []
    header, rows = book.sheet(REMOVED)
    if header[:1] != ["id"]:
        book.problem(f"{_quoted(REMOVED)}!A1", None, "the sheet starts with the column id")
        return []
    on_roles = set(_sheet_ids(book))
    shared = sorted(framework.shared["roles"])
    removed = []
    for number, cells in rows:
        role_id, cell = cells[0].strip(), _where(REMOVED, 0, number)
        if role_id in framework.own_roles:
            own = f"companies/{framework.folder.name}/roles/{role_id}.yaml" if framework.folder else role_id
            book.problem(cell, "id", f"`{role_id}` is {framework.name}'s own role: to remove it, delete {own}")
        elif role_id not in shared:
            hint = _suggest(role_id, shared) or f" (shared roles: {', '.join(shared)})"
            book.problem(cell, "id", f"`{role_id[:80]}` is not a shared role{hint}")
        elif role_id in on_roles:
            book.problem(cell, "id", f"`{role_id}` is also on the Roles sheet: delete its row there to remove it")
        elif role_id not in removed:
            removed.append(role_id)
    before = list(framework.settings.get("exclude_roles") or [])
    if removed == before:
        return []
    return [Edit(("exclude_roles",), removed, f"{_quoted(REMOVED)}!A2:A{max(len(rows) + 1, 2)}", before)]


def _section_edits(book: Book, framework: Framework) -> list[Edit]:
    if "Sections" not in book.names:
        return []
    header, rows = book.sheet("Sections")
    if not _check_header(book, "Sections", header, SECTION_COLUMNS, rows):
        return []
    sections = []
    for number, cells in rows:
        section: dict[str, Any] = {"_row": number}
        for column, name in enumerate(header):
            if name not in SECTION_COLUMNS:
                continue
            try:
                if (value := _parse(name, cells[column], {})) is not None:
                    section[name] = value
            except ValueError as error:
                book.problem(_where("Sections", column, number), name, str(error))
        sections.append(section)
    current = framework.settings.get("sections") or []
    if len(sections) != len(current):
        plain = [{k: v for k, v in section.items() if k != "_row"} for section in sections]
        return [Edit(("sections",), plain, f"Sections!A2:F{max(len(rows) + 1, 2)}", current)]
    edits = []
    for index, (section, old) in enumerate(zip(sections, current, strict=True)):
        for column, name in enumerate(header):
            if name in SECTION_COLUMNS and not _same(section.get(name), old.get(name)):
                cell = _where("Sections", column, section["_row"])
                edits.append(Edit(("sections", index, name), section.get(name), cell, old.get(name)))
    return edits


# -- from edits to files -----------------------------------------------------


def _content_changes(edits: list[Edit]) -> list[Change]:
    """Edits of the shared content, each into the file it belongs to."""
    files = {"guide": "guide.yaml", "competencies": "competencies.yaml", "tracks": "tracks.yaml"}
    changes = []
    for edit in edits:
        head, *rest = edit.keys
        if head == "roles":
            file, keys = f"roles/{rest[0]}.yaml", tuple(rest[1:])
        else:
            file, keys = files[head], tuple(rest)
        new_role = edit.before == "new role"
        changes.append(Change(file, keys, edit.value, edit.cell, edit.before, edit.value is None, new_role))
    return changes


def _company_changes(framework: Framework, edits: list[Edit]) -> list[Change]:
    """Edits of a company's view as the smallest overrides: a value equal to the shared one needs none.

    The company's own roles are edited in their files; everything else
    becomes (or stops being) an override in company.yaml. Mappings merge key
    by key, so an override goes as deep as the mappings do; a list is
    overridden as a whole, keeping the company's `append:`/`prepend:` form
    when the new list still holds the shared one.
    """
    shared_roles = framework.shared["roles"]
    settings = framework.settings
    view = copy.deepcopy(framework.data)
    changes: list[Change] = []
    overrides: dict[Key, Edit] = {}
    for edit in edits:
        head = edit.keys[0]
        if head in ("sections", "exclude_roles"):
            remove = edit.value is None  # an emptied cell of a page
            changes.append(Change("company.yaml", edit.keys, edit.value, edit.cell, edit.before, remove))
            for role_id in set(edit.value) - set(edit.before) if head == "exclude_roles" else ():
                for section in ("titles", "roles"):  # a removed role keeps no title or overrides
                    if role_id in (settings.get(section) or {}):
                        gone, why = (section, role_id), f"lists {role_id} as removed"
                        changes.append(Change("company.yaml", gone, None, edit.cell, remove=True, why=why))
            continue
        if head == "roles" and edit.keys[1] not in shared_roles:  # the company's own role, in its file
            role_id = edit.keys[1]
            changes.append(
                Change(
                    f"roles/{role_id}.yaml",
                    edit.keys[2:],
                    edit.value,
                    edit.cell,
                    edit.before,
                    edit.value is None,
                    role_id not in framework.own_roles,
                )
            )
            continue
        if head == "roles" and edit.keys[1] not in view["roles"]:
            view["roles"][edit.keys[1]] = copy.deepcopy(shared_roles[edit.keys[1]])
        _set(view, edit.keys, edit.value)
        overrides.setdefault(_override_key(view, edit.keys), edit)
    for key, edit in overrides.items():
        new, shared = value_at(view, key), value_at(framework.shared, key)
        where = key
        if key[0] == "roles" and key[2:] == ("title",) and "title" not in (settings.get("roles") or {}).get(key[1], {}):
            where = ("titles", key[1])
        current = value_at(settings, where)
        if _same(new, shared):
            if current is not MISSING:
                why = "says what the shared content says"
                changes.append(Change("company.yaml", where, None, edit.cell, current, remove=True, why=why))
            continue
        if isinstance(current, dict) and isinstance(new, list) and isinstance(shared, list):
            new = _list_edit(new, shared)
        changes.append(Change("company.yaml", where, new, edit.cell, None if current is MISSING else current))
    return changes


def _override_key(view: dict[str, Any], keys: Key) -> Key:
    """How deep an override of `keys` goes: through mappings, and no further than the first list."""
    node: Any = view
    for depth, key in enumerate(keys):
        if isinstance(node, list):
            return keys[:depth]
        node = node.get(key) if isinstance(node, dict) else None
    return keys


def _list_edit(new: list, shared: list) -> Any:
    """`{prepend: [...], append: [...]}` when the new list is the shared one with items around it."""
    size = len(shared)
    for start in range(len(new) - size + 1):
        if _same(new[start : start + size], shared):
            edit = {"prepend": new[:start], "append": new[start + size :]}
            return {name: items for name, items in edit.items() if items}
    return new


def _set(data: Any, keys: Key, value: Any) -> None:
    for key in keys[:-1]:
        data = data.setdefault(key, {}) if isinstance(data, dict) else data[key]
    data[keys[-1]] = value


def _apply(changes: list[Change], base: Path) -> dict[str, str]:
    """The new text of every file the changes touch, edited through ruamel.yaml's round trip."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # what did not change is written back as it was: quotes, long lines
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    documents: dict[str, Any] = {}
    originals: dict[str, str] = {}
    for change in changes:
        if change.file not in documents:
            file = base / change.file
            originals[change.file] = read_inside(file, base, MAX_FILE_BYTES).decode("utf-8") if file.is_file() else ""
            documents[change.file] = yaml.load(originals[change.file]) or CommentedMap()
        nodes = [documents[change.file]]
        for key in change.keys[:-1]:
            node = nodes[-1]
            nodes.append(node.setdefault(key, CommentedMap()) if isinstance(node, dict) else node[key])
        node, last = nodes[-1], change.keys[-1]
        if change.remove:
            if isinstance(node, dict):
                node.pop(last, None)
            for parent, key in zip(reversed(nodes[:-1]), reversed(change.keys[:-1]), strict=True):
                if isinstance(parent, dict) and parent.get(key) == {}:
                    parent.pop(key)  # an override left empty goes too
        elif isinstance(node, dict) and isinstance(node.get(last), CommentedSeq) and isinstance(change.value, list):
            _replace_items(node[last], change.value)
        else:
            node[last] = _like(node.get(last) if isinstance(node, dict) else node[last], change.value)
    texts = {}
    for name, document in documents.items():
        stream = io.StringIO()
        yaml.dump(document, stream)
        text = _spaced_like(originals[name], stream.getvalue())
        texts[name] = text.replace("\n", "\r\n") if "\r\n" in originals[name] else text  # the file's line ends
    return texts


def _replace_items(sequence, items: list) -> None:
    """New items in the list as it stands in the file, keeping the comment or blank line after its last item.

    When the list keeps its length, only the items that changed are
    replaced: the others keep their style (a folded paragraph stays folded).
    """
    if len(sequence) == len(items):
        for index, item in enumerate(items):
            if not _same(item, sequence[index]):
                sequence[index] = _like(sequence[index], item)
        return
    tail = sequence.ca.items.pop(len(sequence) - 1, None) if len(sequence) else None
    sequence[:] = [_like(sequence[0] if len(sequence) else None, item) for item in items]
    if tail is not None and items:
        sequence.ca.items[len(items) - 1] = tail


def _like(old: Any, new: Any) -> Any:
    """`new` in the style of the value it replaces: a folded paragraph (`>-`) stays folded, at 72 characters."""
    from ruamel.yaml.scalarstring import FoldedScalarString

    if not (isinstance(old, FoldedScalarString) and isinstance(new, str)) or "\n" in new:
        return new
    folded = FoldedScalarString(new)
    folded.fold_pos = _folds(new)
    return folded


def _folds(text: str, width: int = 72) -> list[int]:
    """Where to fold a paragraph so that no line is longer than `width` (at single spaces between words)."""
    folds, start, last = [], 0, None
    for match in re.finditer(r"(?<=\S) (?=\S)", text):
        if match.start() - start > width and last is not None:
            folds.append(last)
            start = last + 1
        last = match.start()
    if len(text) - start > width and last is not None and last >= start:
        folds.append(last)
    return folds


def _spaced_like(before: str, after: str) -> str:
    """`after` with its blank lines where `before` (the file as it was) has them.

    ruamel.yaml keeps a blank line as a comment on the value above it: when
    that value is replaced or a key is added after it, the blank line is lost
    or lands inside a block. Blank lines inside blocks are kept only where
    the file had them; a block at the top level gets one above it when the
    file's blocks have them.
    """
    block = re.compile(r"^[^\s#-][^:]*:\s*(#.*)?$")
    old = before.splitlines()
    kept = {line for above, line in itertools.pairwise(old) if not above.strip()}
    blocks = [index for index, line in enumerate(old) if block.match(line) and index > 0]
    spaced = blocks and sum(not old[index - 1].strip() for index in blocks) * 2 > len(blocks)
    out: list[str] = []
    lines = after.splitlines()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip() and following[:1].isspace() and following not in kept:
            continue  # a blank line that moved into a block
        if spaced and block.match(line) and out and out[-1].strip() and not out[-1].startswith("#"):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


def _try(framework: Framework, texts: dict[str, str], changes: list[Change], path: Path) -> list[str]:
    """Validate the new files in a scratch copy, as a build would; every problem at the cell it came from."""
    import tempfile

    from .pipeline import prepare_company, prepare_spec
    from .plan import BuildOptions, TargetSpec

    with tempfile.TemporaryDirectory() as scratch:
        source = framework.folder or framework.content_dir
        trial = Path(scratch) / source.name
        copied = 0

        def copy(src: str, dst: str) -> None:
            nonlocal copied
            info = os.lstat(src)
            if stat.S_ISREG(info.st_mode):  # a pipe or device is not copied (the build refuses it anyway)
                copied += info.st_size
                if copied > MAX_TRIAL_BYTES:
                    raise UserError(Problem("the folder holds more than 256 MB: too much to check a copy of", source))
                shutil.copy2(src, dst)

        try:
            shutil.copytree(source, trial, symlinks=True, copy_function=copy)
        except (shutil.Error, OSError) as error:  # an unreadable file, a folder that vanished
            raise UserError(Problem(f"cannot copy the folder to check the result ({error})", source)) from None
        for name, text in texts.items():
            (trial / name).parent.mkdir(parents=True, exist_ok=True)
            (trial / name).write_text(text, encoding="utf-8")
        base = framework.folder or framework.content_dir
        try:
            if framework.folder is None:
                options = BuildOptions(content_dir=trial)
                prepared = prepare_spec(TargetSpec("default"), load_content(trial), options)
            else:
                prepared = prepare_company(load_content(framework.content_dir), trial)
        except UserError as error:
            raise UserError([_to_cell(p, changes, texts, trial, base, path) for p in error.problems]) from None
        # What a build would warn about, told now, at the cells to change (a title the text still names, ...).
        return [f"warning: {_to_cell(p, changes, texts, trial, base, path)}" for p in prepared.warnings]


def _to_cell(
    problem: Problem, changes: list[Change], texts: dict[str, str], trial: Path, base: Path, path: Path
) -> Problem:
    """A problem found in the trial files, told at the workbook cell its value came from (else at the real file)."""
    if problem.path is None or not problem.path.is_relative_to(trial):
        return problem
    name = problem.path.relative_to(trial).as_posix()
    mine = [change for change in changes if change.file == name]
    names = re.findall(r"[^.\[\]]+", problem.field or "")
    for change in mine:  # the field the problem names, as deep as the change goes
        keys = [str(key) for key in change.keys]
        if names and (keys[: len(names)] == names[: len(keys)] or keys[-len(names) :] == names):
            return Problem(problem.message, Path(f"{path}:{change.cell}"), field=problem.field)
    if mine:  # else the change written last above the problem's line, or the file's first
        lines = _lines(texts[name], mine) if problem.line is not None else {}
        above = [change for change in mine if lines.get(id(change), 0) <= (problem.line or 0)]
        change = max(above, key=lambda each: lines.get(id(each), 0)) if above else mine[0]
        return Problem(problem.message, Path(f"{path}:{change.cell}"), field=problem.field)
    return Problem(problem.message, base / name, problem.line, problem.column, problem.field)


def _lines(text: str, changes: list[Change]) -> dict[int, int]:
    """The line each change's key is on in the new text."""
    from ruamel.yaml import YAML

    document = YAML(typ="rt").load(text)
    found = {}
    for change in changes:
        node = document
        for key in change.keys[:-1]:
            node = node.get(key) if isinstance(node, dict) else node[key] if isinstance(node, list) else None
        if isinstance(node, dict) and change.keys[-1] in node:
            found[id(change)] = node.lc.key(change.keys[-1])[0] + 1
    return found


def _describe_all(changes: list[Change]) -> list[str]:
    """A line per change; a new role's fields in one line."""
    lines, new = [], {}
    for change in changes:
        if change.new_role:
            new.setdefault(change.file, []).append(change.cell)
        else:
            lines.append(_describe(change))
    for file, cells in new.items():
        row = re.sub(r"^Roles!\D+", "", cells[0]) if cells[0].startswith("Roles!") else cells[0]
        lines.append(f"{file}: a new role, from row {row} of Roles and its column on Competencies")
    return lines


def _describe(change: Change) -> str:
    field = "".join(f"[{key + 1}]" if isinstance(key, int) else f".{key}" for key in change.keys).lstrip(".")
    if change.remove:
        return f"{change.file}: {field} removed ({change.cell} {change.why})"
    if isinstance(change.value, list) and isinstance(change.before, list):
        return f"{change.file}: {field} changed ({len(change.before)} items, now {len(change.value)}; {change.cell})"
    return f"{change.file}: {field} changed ({change.cell})"
