"""Reading files that may come from outside the team: inside their folder, ordinary, bounded.

Company folders, rosters and even content folders can come from people who
do not run the build. A file in them may be a link to `/etc/passwd` or
`/dev/zero`, a named pipe that blocks forever, or a few gigabytes. Every read
of such a file goes through `read_inside` (or `read_bounded`, for a file the
user named on the command line), which resolves links first, refuses anything
that ends up outside the folder or is not an ordinary file, and never reads
more than its limit plus one byte, whatever size the file claims to have.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path

from .errors import Problem, UserError


def describe_size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def outside(path: Path, root: Path) -> bool:
    """Whether `path`, after following every link, lies outside `root` (also resolved)."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def read_inside(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of `path`, which must resolve inside `root` and be an ordinary file of at most `limit` bytes."""
    if outside(path, root):
        raise UserError(
            Problem(
                f"this is a link to a file outside {Path(root).name}/: copy the file into the folder instead",
                path,
            )
        )
    return read_bounded(path, limit)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the ordinary file `path`, refusing pipes, devices and anything over `limit` bytes.

    The file is opened without blocking (a named pipe would otherwise wait
    for a writer forever) and read up to `limit + 1` bytes: the size a file
    reports is not trusted (`/dev/zero` reports none).
    """
    try:
        handle = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UserError(Problem("file not found", path)) from None
    except OSError as error:
        raise UserError(Problem(f"cannot read the file: {error.strerror}", path)) from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise UserError(Problem("not an ordinary file (a folder, pipe or device): it is not read", path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise UserError(Problem(f"cannot read the file: {error.strerror}", path)) from None
    finally:
        os.close(handle)
    if size > limit:
        raise UserError(Problem(f"file too large (the limit is {describe_size(limit)})", path))
    return b"".join(chunks)


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text, or a located error for a file saved in another encoding."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UserError(
            Problem(f"not valid UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8", path, line)
        ) from None


def walk_files(root: Path) -> list[Path]:
    """Every entry under `root` that is not a folder, without following links to folders, in name order.

    Hidden files and folders (editor swap files, `.git`) are left out.
    """
    found: list[Path] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        base = Path(folder)
        found.extend(base / name for name in sorted(files) if not name.startswith("."))
        # Links to folders are listed in `folders` by os.walk but never entered: treat them as entries.
        found.extend(base / name for name in folders if (base / name).is_symlink())
    return sorted(found)


MAX_XLSX_UNPACKED = 64 * 1024 * 1024  # the roster's sheets and strings, unpacked
MAX_COLUMNS = 64


def _check_unpacked(path: Path, data: bytes, what: str) -> None:
    """An .xlsx file is a zip archive: refuse a damaged one, or one that unpacks to more than any real sheet."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise UserError(
            Problem(f"cannot read this Excel file: it is damaged or not an .xlsx file ({error})", path)
        ) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise UserError(Problem(f"the workbook unpacks to more than 64 MB; {what} is far smaller", path))


def _read_only_book(path: Path, data: bytes, formulas: bool = False):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UserError(Problem(f"cannot read this Excel file ({type(error).__name__})", path)) from None


def xlsx_sheet_names(path: Path, data: bytes, what: str) -> list[str]:
    """The names of a workbook's sheets, after checking that it is a bounded, readable .xlsx file."""
    _check_unpacked(path, data, what)
    book = _read_only_book(path, data)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def xlsx_merged(data: bytes, sheet: str) -> list[str]:
    """The ranges of merged cells on a sheet (B3:C3, ...), read from its XML: read-only openpyxl does not say."""
    import re
    import zipfile

    book = _read_only_book(Path("workbook.xlsx"), data)
    try:
        if sheet not in book.sheetnames:
            return []
        member = book[sheet]._worksheet_path  # where the sheet's XML is in the archive
    finally:
        book.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(member.lstrip("/"))
    return [ref.decode() for ref in re.findall(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z0-9:]+)\"", xml)]


def xlsx_rows(path: Path, data: bytes, sheet: str | None = None, what: str = "a roster"):
    """(row number, cells) of a sheet (the first, or the one named) of an Excel workbook, as text, dates as ISO dates.

    Bounded whatever the file claims: its unpacked size is checked before
    openpyxl reads it, the sheet's own `<dimension>` (which can hide rows)
    is ignored, rows are read one at a time, and only the first 64 columns
    are read. A formula without a saved value is reported by its cell.
    """
    from openpyxl.utils import get_column_letter

    _check_unpacked(path, data, what)
    values_book = _read_only_book(path, data)
    formula_book = _read_only_book(path, data, formulas=True)
    try:
        if sheet is not None and sheet not in values_book.sheetnames:
            raise UserError(
                Problem(f"the workbook has no sheet named {sheet!r} (it has {', '.join(values_book.sheetnames)})", path)
            )
        sheets = (
            (values_book[sheet], formula_book[sheet])
            if sheet
            else (values_book.worksheets[0], formula_book.worksheets[0])
        )
        for each in sheets:
            each.reset_dimensions()
        rows = zip(*(each.iter_rows(max_col=MAX_COLUMNS + 1) for each in sheets), strict=False)
        for number, (cells, formulas) in enumerate(rows, 1):
            texts = []
            for index, (cell, formula) in enumerate(zip(cells, formulas, strict=False)):
                value = cell.value
                if index >= MAX_COLUMNS and value not in (None, ""):
                    raise UserError(Problem(f"more than {MAX_COLUMNS} columns; {what} needs fewer", path, number))
                if value is None and isinstance(formula.value, str) and formula.value.startswith("="):
                    raise UserError(
                        Problem(
                            f"cell {sheet + '!' if sheet else ''}{get_column_letter(index + 1)}{number} holds a "
                            "formula with no saved value; "
                            "open the file in Excel and save it, or type the value",
                            path,
                            number,
                        )
                    )
                if isinstance(value, dt.datetime):
                    value = value.date()
                texts.append("" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value))
            while texts and not texts[-1]:
                texts.pop()  # read-only sheets pad every row to the widest
            yield number, texts[:MAX_COLUMNS]
    except UserError:
        raise
    except Exception as error:  # broken sheet XML surfaces while reading rows
        raise UserError(
            Problem(f"cannot read this Excel file: its sheet is damaged ({type(error).__name__})", path)
        ) from None
    finally:
        values_book.close()
        formula_book.close()
