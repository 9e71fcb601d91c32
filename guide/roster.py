"""Rosters: the new hires a people team lists in a spreadsheet, read as spreadsheets save them.

A roster is personal data from outside the team that runs the build: it is
read with a size limit, every cell cleaned of control characters, and every
problem reported at its row and column. Names appear in messages; nothing
else of a person does, beyond the cell that is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, UserError
from .files import read_bounded, xlsx_rows
from .models import Content

COLUMNS = ("name", "role", "start_date", "manager", "buddy", "email", "note")
REQUIRED = ("name", "role")
MAX_ROWS = 5000
MAX_ROSTER_BYTES = 5 * 1024 * 1024
MAX_CELL = {"note": 1000}  # characters; every other cell 200. A cover holds a short note, not a letter


@dataclass(frozen=True)
class Hire:
    row: int  # line in the roster file, for messages
    name: str
    role_id: str
    start_date: dt.date | None = None
    manager: str = ""
    buddy: str = ""
    email: str = ""
    note: str = ""
    framework: str | None = None  # a company's own framework the role is on (None: the shared one)


def read_roster(
    path: Path,
    content: Content,
    frameworks: Mapping[str, Content] | None = None,
    notes: list[Problem] | None = None,
    locale: str = "en",
    date_format: str | None = None,
) -> tuple[list[Hire], list[Problem]]:
    """The hires on a roster (CSV or Excel) and every problem found, each with its row and column.

    Rosters come from spreadsheets saved in many ways, so the reader is
    tolerant where it can be sure: the columns may be separated by commas,
    semicolons (what Excel saves in much of Europe) or tabs; columns it does
    not use are left out; dates may be written as `locale` writes them (see
    `parse_date`). What it did is added to `notes`, at the header's line.
    """
    problems: list[Problem] = []
    notes = [] if notes is None else notes

    def problem(message: str, row: int | None = None, column: str | None = None) -> None:
        problems.append(Problem(message, path, row, None, column))

    data = read_bounded(path, MAX_ROSTER_BYTES)
    reader = xlsx_rows(path, data) if path.suffix.lower() == ".xlsx" else _csv_rows(path, data, notes)
    rows = []
    for count, (number, row) in enumerate(reader, 1):
        if count > MAX_ROWS * 2:  # blank rows count too: a sheet can claim a million of them
            raise UserError(Problem(f"more than {MAX_ROWS} people on one roster; split it", path, number))
        if any(cell.strip() for cell in row):
            rows.append((number, [_clean(cell) for cell in row]))
    if not rows:
        raise UserError(Problem("the roster is empty: it needs a header row and one row per person", path))
    header_line, header = rows[0]
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    for column in COLUMNS:
        if columns.count(column) > 1:
            problem(f"the column `{column}` appears {columns.count(column)} times; keep one", header_line, column)
    unused = [column or f"column {index}" for index, column in enumerate(columns, 1) if column not in COLUMNS]
    if unused:
        notes.append(
            Problem(f"not used: {', '.join(unused)} (the columns read are {', '.join(COLUMNS)})", path, header_line)
        )
    for column in REQUIRED:
        if column not in columns:
            problem(f"the required column `{column}` is missing", header_line, column)
    if problems:
        raise UserError(problems)
    if len(rows) - 1 > MAX_ROWS:
        raise UserError(Problem(f"more than {MAX_ROWS} people on one roster; split it", path))
    if len(rows) == 1:
        raise UserError(Problem("the roster has a header but nobody on it", path))

    frameworks = frameworks or {}
    # A role cell names a role of the shared framework by id or title, or one of the company's own
    # frameworks' roles: by `framework/role-id`, or by id or title when no other framework has it.
    where: dict[str, list[tuple[str | None, str]]] = {}
    for framework, ladder in [(None, content), *frameworks.items()]:
        for role in ladder.roles:
            for name in {role.id, role.title.casefold(), *([f"{framework}/{role.id}"] if framework else [])}:
                where.setdefault(name, []).append((framework, role.id))
    own_first = {name: found[0] for name, found in where.items() if found[0][0] is None or len(found) == 1}
    hires: list[Hire] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows[1:]:
        if len(row) > len(columns):
            problem(f"{len(row)} cells but {len(columns)} columns (an unquoted comma in a name?)", number)
            continue
        values = {column: row[index].strip() for index, column in enumerate(columns) if index < len(row)}
        values = {column: values.get(column, "") for column in COLUMNS}
        long = [column for column in COLUMNS if len(values[column]) > MAX_CELL.get(column, 200)]
        for column in long:
            problem(f"longer than {MAX_CELL.get(column, 200)} characters: shorten it", number, column)
        if long:
            continue
        bad = False
        if not values["name"]:
            problem("the name is missing", number, "name")
            bad = True
        role = values["role"]
        framework, role_id = own_first.get(role) or own_first.get(role.casefold()) or (None, None)
        if role_id is None:
            known = ", ".join(r.title for ladder in [content, *frameworks.values()] for r in ladder.roles)
            problem(f"unknown role `{role}` (use a role id or one of: {known})", number, "role")
            bad = True
        start = None
        if values["start_date"]:
            try:
                start = parse_date(values["start_date"], locale, date_format)
            except ValueError as error:
                problem(str(error), number, "start_date")
                bad = True
        if bad:
            continue
        key = (values["name"].casefold(), values.get("email", "").casefold())  # one normal form: see _clean
        if key in seen:
            problem(f"{values['name']} is on the roster twice (also row {seen[key]})", number, "name")
            continue
        seen[key] = number
        hires.append(
            Hire(
                number,
                values["name"],
                role_id,
                start,
                values.get("manager", ""),
                values.get("buddy", ""),
                values.get("email", ""),
                values.get("note", ""),
                framework,
            )
        )
    return hires, problems


def _slug(text: str) -> str:
    """ASCII letters, digits and hyphens: `Łukasz Wiśniewski` -> `lukasz-wisniewski`, `王小明` -> `wangxiaoming`."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")[:60].strip("-")


DATE_FORMATS = "2027-01-18, 18 January 2027, January 18, 2027, or 18.01.2027"


def parse_date(text: str, locale: str = "en", date_format: str | None = None) -> dt.date:
    """A start date as people type it; ValueError with what to write instead.

    Accepted: ISO (`2027-01-18`, also what Excel date cells become), day,
    month name and year in English or in `locale`'s language (`18 Jan 2027`,
    `January 18, 2027`, `18. Januar 2027`, `18 de enero de 2027`), and
    numbers with dots, day first (`18.01.2027`). Numbers with slashes are
    read only when they can mean one date (`01/18/2027`, `18/01/2027`):
    `01/02/2027` is refused unless `date_format` (a `strftime` pattern such as
    `%d/%m/%Y`, tried first) says which.
    """
    text = " ".join(text.split())
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass  # written another way: read as any other date
    try:
        return dt.date.fromisoformat(text[:10] if re.fullmatch(r"\d{4}-\d\d-\d\d([ T][\d:.]+)?", text) else text)
    except ValueError:
        pass
    if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = map(int, match.groups())
        return _date(text, year, month, day)
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        first, second, year = map(int, match.groups())
        if first > 12 >= second:
            return _date(text, year, second, first)
        if second > 12 >= first:
            return _date(text, year, first, second)
        if first == second:
            return _date(text, year, first, first)
        raise ValueError(
            f"`{text}` could be {_spelled(year, second, first)} or {_spelled(year, first, second)}: write it as "
            f"{year}-{second:02d}-{first:02d}, or say which with --date-format %d/%m/%Y (day first) or %m/%d/%Y"
        )
    if (found := _written_date(text, locale)) is not None:
        return found
    raise ValueError(f"`{text}` is not a date careerguide can read; write it like {DATE_FORMATS}")


def _date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"`{text}` is not a day of the calendar") from None


def _spelled(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).strftime("%-d %B")
    except ValueError:
        return f"day {day} of month {month}"


def _written_date(text: str, locale: str) -> dt.date | None:
    """`18 Jan 2027`, `January 18, 2027`, `18. Januar 2027`, `18 de enero de 2027`, `le 18 janvier 2027`."""
    from babel.dates import get_month_names

    months: dict[str, int] = {}
    # The project's languages (no month name means two months across them) and the company's own.
    for language in dict.fromkeys(("en", "de", "fr", "es", locale.split("-")[0].split("_")[0])):
        try:
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    for number, name in get_month_names(width, context, language).items():
                        months.setdefault(name.casefold().rstrip("."), number)
        except (ValueError, LookupError):
            continue
    months.setdefault("sept", 9)
    words = [word for word in re.split(r"[\s,.]+", text.casefold()) if word and word not in ("de", "le", "the", "of")]
    numbers = [int(word) for word in words if word.isdigit()]
    names = [months[word] for word in words if word in months]
    days, years = [n for n in numbers if n <= 31], [n for n in numbers if n >= 1000]
    if len(words) != 3 or len(names) != 1 or len(days) != 1 or len(years) != 1:
        return None
    return _date(text, years[0], names[0], days[0])


# Control characters (NUL, terminal escapes) and the invisible marks that
# reorder text (bidirectional overrides) never reach a terminal, a file name
# or a PDF's metadata. Joiners that some scripts need are kept.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")


def _clean(cell: str) -> str:
    """A cell's text in one Unicode normal form (NFC), without control characters."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", cell)).replace("\t", " ")


def _csv_rows(path: Path, data: bytes, notes: list[Problem]):
    """(line, cells) for each record, `line` being where the record starts in the file.

    The separator is the one of comma, semicolon and tab that splits the
    header into the most known column names (then the most columns).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UserError(Problem("not UTF-8 text: save the roster as 'CSV UTF-8' and try again", path, line)) from None
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [""])
    header = header[0] if len(header) == 1 else ",".join(header)

    def fit(mark: str) -> tuple[int, int]:
        cells = [cell.strip().lower().replace(" ", "_") for cell in next(csv.reader([header], delimiter=mark), [])]
        return sum(cell in COLUMNS for cell in cells), len(cells)

    mark = max(",;\t", key=fit) if fit(",")[0] < len(REQUIRED) else ","
    if mark != ",":
        shown = {";": "semicolons (as Excel saves CSV in much of Europe)", "\t": "tabs"}[mark]
        notes.append(Problem(f"read with {shown} between the columns", path, 1))
    reader = csv.reader(io.StringIO(text), delimiter=mark)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UserError(Problem(f"this line cannot be read as CSV ({error})", path, start)) from None
        yield start, row
        start = reader.line_num + 1


def packet_name(name: str, used: set[str], row: int, email: str = "") -> str:
    """A safe, unique file name: ASCII letters, digits and hyphens from the name.

    A name with no Latin letters (王小明, ليلى) falls back to the e-mail's
    local part, then to the roster row.
    """
    stem = _slug(name) or _slug(email.split("@")[0]) or f"person-row-{row}"
    candidate, suffix = stem, 2
    while candidate in used:
        candidate, suffix = f"{stem}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate + ".pdf"
