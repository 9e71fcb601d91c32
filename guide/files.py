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
MAX_TAGS_IN_A_ROW = 65_536  # XML tags in one row: a cell has a few, rich text a few more
MAX_TEXTS = 1_000_000  # distinct texts in a workbook (its shared strings)
MAX_CELL = 32_767  # characters in a cell: Excel's own limit
MAX_ROW_NUMBER = 20_000  # rows looked at, empty ones included


class XlsxBook:
    """An Excel workbook opened for reading, with every read bounded whatever the file claims.

    Before openpyxl sees it: the archive must be whole and unpack to at most
    64 MB, hold at most a million texts, and no row of a sheet may hold more
    than 65,536 tags (openpyxl builds a whole row before it can be cut to 64
    columns). Entity declarations are refused by defusedxml, which openpyxl
    uses when it is installed. It is opened once for values and once for
    formulas, so a formula without a saved value is found by its cell.
    """

    def __init__(self, path: Path, data: bytes, what: str) -> None:
        import zipfile

        self.path, self.what, self.data = path, what, data
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            unpacked = sum(info.file_size for info in self.archive.infolist())
        except (zipfile.BadZipFile, ValueError) as error:
            raise UserError(
                Problem(f"cannot read this Excel file: it is damaged or not an .xlsx file ({error})", path)
            ) from None
        if unpacked > MAX_XLSX_UNPACKED:
            raise UserError(Problem(f"the workbook unpacks to more than 64 MB; {what} is far smaller", path))
        strings = self._member("xl/sharedStrings.xml")
        if strings is not None and _count(rb"<(?:\w+:)?si[\s/>]", strings) > MAX_TEXTS:
            raise UserError(Problem(f"the workbook holds more than {MAX_TEXTS:,} texts; {what} is far smaller", path))
        self.values = self._open(formulas=False)
        self.formulas = self._open(formulas=True)

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *_) -> None:
        self.values.close()
        self.formulas.close()
        self.archive.close()

    @property
    def names(self) -> list[str]:
        return list(self.values.sheetnames)

    def merged(self, sheet: str) -> list[str]:
        """The ranges of merged cells on a sheet (B3:C3, ...), from its XML: read-only openpyxl does not say."""
        import re

        if sheet not in self.names:
            return []
        xml = self._sheet_xml(sheet)
        # [^<>]* cannot run past the next tag, so a crafted sheet cannot make the search slow.
        return [ref.decode() for ref in re.findall(rb"<(?:\w+:)?mergeCell\b[^<>]*?\bref=\"([A-Z0-9:]{1,24})\"", xml)]

    def rows(self, sheet: str | None = None):
        """(row number, cells) of a sheet (the first, or the one named), as text, dates as ISO dates.

        The sheet's own `<dimension>` (which can hide rows) is ignored, rows
        are read one at a time and only the first 64 columns are read.
        """
        from openpyxl.utils import get_column_letter

        name = sheet or self.names[0]
        if name not in self.names:
            raise UserError(
                Problem(f"the workbook has no sheet named {name!r} (it has {', '.join(self.names)})", self.path)
            )
        self._check_row_widths(name)
        where = f"{name}!" if sheet else ""
        sheets = (self.values[name], self.formulas[name])
        try:
            for each in sheets:
                each.reset_dimensions()
            rows = zip(*(each.iter_rows(max_col=MAX_COLUMNS + 1) for each in sheets), strict=False)
            for number, (cells, formulas) in enumerate(rows, 1):
                if number > MAX_ROW_NUMBER:
                    raise UserError(Problem(f"more than {MAX_ROW_NUMBER:,} rows; {self.what} needs fewer", self.path))
                texts = []
                for index, (cell, formula) in enumerate(zip(cells, formulas, strict=False)):
                    value, at = cell.value, f"{where}{get_column_letter(index + 1)}{number}"
                    if index >= MAX_COLUMNS and value not in (None, ""):
                        raise UserError(
                            Problem(f"more than {MAX_COLUMNS} columns; {self.what} needs fewer", self.path, number)
                        )
                    if value is None and _is_formula(formula.value):
                        raise UserError(
                            Problem(
                                f"cell {at} holds a formula with no saved value; "
                                "open the file in Excel and save it, or type the value",
                                self.path,
                                number,
                            )
                        )
                    if cell.data_type == "e":
                        raise UserError(
                            Problem(f"cell {at} holds the error {value}: type the value", self.path, number)
                        )
                    if isinstance(value, dt.datetime):
                        value = value.date()
                    text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
                    if len(text) > MAX_CELL:
                        raise UserError(
                            Problem(f"cell {at} holds more than {MAX_CELL:,} characters", self.path, number)
                        )
                    texts.append(text)
                while texts and not texts[-1]:
                    texts.pop()  # read-only sheets pad every row to the widest
                yield number, texts[:MAX_COLUMNS]
        except UserError:
            raise
        except Exception as error:  # broken sheet XML surfaces while reading rows
            raise UserError(
                Problem(f"cannot read this Excel file: its sheet is damaged ({type(error).__name__})", self.path)
            ) from None

    def _open(self, formulas: bool):
        import openpyxl

        try:
            return openpyxl.load_workbook(
                io.BytesIO(self.archive.fp.getvalue()), read_only=True, data_only=not formulas
            )
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise UserError(Problem(f"cannot read this Excel file ({type(error).__name__})", self.path)) from None

    def _member(self, name: str) -> bytes | None:
        import zipfile

        try:
            return self.archive.read(name)
        except KeyError:
            return None
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise UserError(Problem(f"cannot read this Excel file: it is damaged ({error})", self.path)) from None

    def _sheet_xml(self, sheet: str) -> bytes:
        return self._member(self.values[sheet]._worksheet_path.lstrip("/")) or b""  # where the sheet's XML is

    def _check_row_widths(self, sheet: str) -> None:
        """No row's XML holds more than a sheet could need: counted in place, without copying the row."""
        import re

        xml = self._sheet_xml(sheet)
        starts = (match.start() for match in re.finditer(rb"<(?:\w+:)?row[\s/>]", xml))
        start = next(starts, None)
        for number in range(1, MAX_ROW_NUMBER + 1):
            if start is None:
                return
            end = next(starts, None)
            if xml.count(b"<", start, len(xml) if end is None else end) > MAX_TAGS_IN_A_ROW:
                wide = f"row {number} of {sheet} holds tens of thousands of cells: far more than {self.what} needs"
                raise UserError(Problem(wide, self.path))
            start = end


def _count(pattern, data: bytes) -> int:
    """How often `pattern` occurs in `data`, without a list of the matches (which a crafted file makes huge)."""
    import re

    return re.subn(pattern, b"", data)[1]


def _is_formula(value) -> bool:
    """A formula as openpyxl reads it: text starting with "=", or an array or data-table formula object."""
    return (isinstance(value, str) and value.startswith("=")) or (
        value is not None and not isinstance(value, str | int | float | bool | dt.date | dt.datetime | dt.time)
    )


def xlsx_rows(path: Path, data: bytes, sheet: str | None = None, what: str = "a roster"):
    """(row number, cells) of a sheet of an Excel workbook, read by `XlsxBook`."""
    with XlsxBook(path, data, what) as book:
        yield from book.rows(sheet)
