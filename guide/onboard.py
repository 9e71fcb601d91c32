"""Onboarding packets: for each new hire on a roster, their own pages, then their company's guide.

Speed comes from doing shared work once: the company's guide is laid out
and written once, each role's pages once however many people share the
role, and only the cover per person (many covers to a layout); each packet
is then joined from finished PDFs (see `join_pdf`), one tagged document
with the guide's bookmarks, links and printed page numbers (the page labels
number the personal pages i, ii, ... and the guide's pages from 1).

Rosters hold personal data: it goes into the packets and nowhere else. Only
names appear in messages; each cover is written on its own, so no packet's
fonts carry letters of anyone else's page; packets are readable by their
owner only (0600) unless `shared` is asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import multiprocessing
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, UserError
from .files import read_bounded, xlsx_rows
from .models import Content
from .write import write_all, write_atomic

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


def onboard_company(
    folder: Path,
    roster: Path,
    out_dir: Path,
    content_dir: Path | None,
    strict: bool,
    shared: bool,
    say,
    shard: tuple[int, int] = (1, 1),
    jobs: int = 1,
    date_format: str | None = None,
    warn=None,
):
    """Every hire's packet, each with the guide of their own framework; returns (hire, path) pairs, problems, folder.

    A company's guide (and each of its own frameworks' guides) built before
    from the same inputs is used as it is (`say` tells which); otherwise it
    is laid out once per run. With a shard, only every N-th person's packet
    is written, by roster order; file names are given over the whole roster
    first, so two shards never write the same file.
    """
    from .load import load_content
    from .pipeline import prepare_company, prepare_framework, target_lock
    from .plan import BuildOptions, content_dir_for, fresh_output, in_shard, plan_build

    options = BuildOptions(out_dir=out_dir, content_dir=content_dir, companies=(str(folder),))
    planned = plan_build(options)  # the company's targets: its guide, and its own frameworks
    prepared = {}
    for item in planned:
        spec = item.spec
        if spec.framework is None:
            prepared[None] = prepare_company(load_content(content_dir_for(options)), folder)
        else:
            prepared[spec.framework] = prepare_framework(load_content(spec.content_dir(options)), spec)
    notes: list[Problem] = []
    frameworks = {k: v.content for k, v in prepared.items() if k}
    locale = prepared[None].target.locale
    hires, problems = read_roster(roster, prepared[None].content, frameworks, notes, locale, date_format)
    for note in notes:
        (warn or say)(f"warning: {note}")
    if problems and (strict or not hires):
        raise UserError(problems)
    out = out_dir / prepared[None].target.slug / "onboarding"
    used: set[str] = set()  # packet names stay unique across the frameworks and shards of one roster
    names = {
        id(hire): packet_name(hire.name, used, hire.row, hire.email)
        for item in planned
        for hire in hires
        if hire.framework == item.spec.framework
    }
    mine = [hire for position, hire in enumerate(hires) if in_shard(position, shard)]
    written: list[tuple[Hire, Path]] = []
    if out.is_symlink():
        raise UserError(Problem("the packets' folder is a link to another folder; make it a folder of its own", out))
    with target_lock(out):
        for leftover in out.glob(f"{SCRATCH}*"):  # a killed run's; no other run can be using it inside the lock
            if stat.S_ISDIR(leftover.lstat().st_mode):
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)  # never opened: it may be a pipe
        for item in planned:
            group = [hire for hire in mine if hire.framework == item.spec.framework]
            if not group:
                continue
            guide_pdf = fresh_output(out_dir / item.spec.slug, item.digest, "career-guide.pdf")
            if guide_pdf is not None:
                say(f"using the up-to-date guide in {out_dir / item.spec.slug}")
            files = [names[id(hire)] for hire in group]
            paths = build_packets(prepared[item.spec.framework], group, out, shared, guide_pdf, files, jobs)
            written.extend(zip(group, paths, strict=True))
    written.sort(key=lambda pair: pair[0].row)
    return written, problems, out


SCRATCH = ".packets-"  # the scratch folder's prefix, in the packets' folder
PEOPLE_PER_LAYOUT = 16  # covers laid out together: enough to share the work, few enough to keep memory flat


def build_packets(
    prepared,
    hires: list[Hire],
    out: Path,
    shared: bool = False,
    guide_pdf: bytes | None = None,
    names: list[str] | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Write one packet per hire into `out`, under `names` (else made from theirs); returns the paths written.

    Only a cover is made per person. The guide is laid out once (or taken
    as `guide_pdf` when an up-to-date one was built before), each role's
    pages once however many people share the role, and the covers
    PEOPLE_PER_LAYOUT at a time. Each cover is written as its own PDF, so
    its fonts hold the glyphs of that person's name and nobody else's.
    Each packet is then joined from finished PDFs (see `join_pdf`).

    With `jobs` > 1 this runs in worker processes: the guide and the role
    pages in one, the first groups' covers beside them (held until the
    guide is ready), then every other group from cover to packet. Shared
    parts and packets are made in a private scratch folder beside the
    packets; each packet is moved into place once whole.
    """
    used: set[str] = set()
    names = names or [packet_name(hire.name, used, hire.row, hire.email) for hire in hires]
    work = list(zip(hires, names, strict=True))
    groups = [work[start : start + PEOPLE_PER_LAYOUT] for start in range(0, len(work), PEOPLE_PER_LAYOUT)]
    role_ids = list(dict.fromkeys(hire.role_id for hire in hires))
    mode = 0o644 if shared else 0o600
    try:
        out.mkdir(parents=True, exist_ok=True)
        scratch_folder = tempfile.TemporaryDirectory(dir=out, prefix=SCRATCH)
    except OSError as error:
        raise UserError(
            Problem(f"cannot write the packets here ({error.strerror}); is the folder writable?", out)
        ) from None
    with scratch_folder as folder, _workers(prepared, jobs, groups) as pool:
        scratch = Path(folder)
        if guide_pdf is not None:
            write_atomic(scratch / "guide.pdf", guide_pdf)
        parts = pool.apply_async(_shared_parts, (guide_pdf is None, role_ids, scratch))
        early = [pool.apply_async(_covers, ([hire for hire, _ in group],)) for group in groups[: _early(jobs)]]
        parts.get()
        late = [pool.apply_async(_packets, (group, scratch, mode)) for group in groups[len(early) :]]
        joined = [
            pool.apply_async(_packets, (group, scratch, mode, covers.get()))
            for group, covers in zip(groups[: len(early)], early, strict=True)
        ]
        # Packets are made in the scratch folder and moved into place here, each whole: a stopped run
        # leaves the packets it finished and nothing else.
        written = []
        for result in (*joined, *late):
            for name in result.get():
                try:
                    os.replace(scratch / name, out / name)
                except OSError as error:
                    raise UserError(
                        Problem(
                            f"cannot put the packet in place ({error.strerror}); is something else there?", out / name
                        )
                    ) from None
                written.append(out / name)
        return written


def _early(jobs: int) -> int:
    """Groups of covers laid out while the guide is: about as many as the other workers finish meanwhile."""
    return 3 * (jobs - 1)


class _Inline:
    """A pool of no workers: each task runs when it is given."""

    def apply_async(self, function, args):
        return _Done(function(*args))


@dataclass(frozen=True)
class _Done:
    value: object

    def get(self):
        return self.value


@contextmanager
def _workers(prepared, jobs: int, groups: list):
    """A pool of warm, forked workers that all know `prepared`; with one job (or one group), this process."""
    if jobs <= 1 or len(groups) <= 1:
        _PREPARED[:] = [prepared]
        yield _Inline()
        return
    import pikepdf  # noqa: F401  (imported and fonts set up once, here, so every worker forks warm)

    from .pipeline import pool_context, renderer

    renderer()
    # Workers are not replaced as they go (that would fork from the executor's thread); `_covers` keeps their
    # memory flat instead. A worker that dies (the system's out-of-memory killer) breaks the pool at once.
    executor = ProcessPoolExecutor(jobs, mp_context=pool_context(), initializer=_start_worker, initargs=(prepared,))
    try:
        yield _Pool(executor)
    except BrokenProcessPool:
        raise UserError(
            Problem(
                "a worker process stopped in the middle of the packets (killed, or out of memory); no packet is "
                "half-written: run the command again, with --jobs 1 if memory is short"
            )
        ) from None
    except BaseException:
        for worker in multiprocessing.active_children():  # a timeout or Ctrl-C stops the workers at once
            worker.terminate()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class _Pool:
    """The executor, asked as `multiprocessing.Pool` is: `apply_async(function, args).get()`."""

    executor: ProcessPoolExecutor

    def apply_async(self, function, args):
        return _Future(self.executor.submit(function, *args))


@dataclass(frozen=True)
class _Future:
    future: object

    def get(self):
        return self.future.result()


_PREPARED: list = []


def _start_worker(prepared) -> None:
    """A worker keeps `prepared` for every task; Ctrl-C is the main process's to handle."""
    from .pipeline import ignore_interrupts

    ignore_interrupts()
    _PREPARED[:] = [prepared]


def _shared_parts(lay_out_guide: bool, role_ids: list[str], scratch: Path) -> None:
    """The guide (unless given) and each role's pages, as PDFs in `scratch` for every packet to be joined from."""
    from .outputs.job import Job
    from .pipeline import renderer
    from .plan import BuildOptions

    prepared = _PREPARED[0]
    files = {}
    if lay_out_guide:
        files[scratch / "guide.pdf"] = Job(prepared.content, prepared.target, BuildOptions(), renderer).guide_pdf
    roles = _pdfs_by_anchor("role-", role_ids, _lay_out_packets(prepared, roles=role_ids))
    files.update({scratch / f"role-{role_id}.pdf": pdf for role_id, pdf in roles.items()})
    write_all(files)


def _covers(hires: list[Hire]) -> dict[str, bytes]:
    """The covers of `hires`, laid out together, each written as its own PDF; keyed by roster line.

    A layout leaves cycles behind that Python's collector, tuned down while
    laying out (see `render_pdf.rare_collections`), would keep for long:
    collected here, a worker's memory stays flat over thousands of covers.
    """
    document = _lay_out_packets(_PREPARED[0], hires=hires)
    covers = _pdfs_by_anchor("hire-", [str(hire.row) for hire in hires], document)
    del document
    gc.collect()
    return covers


def _lay_out_packets(prepared, hires=(), roles=()):
    from .pipeline import renderer
    from .render_html import render_packets

    return renderer().render(render_packets(prepared.content, prepared.target, hires, roles))


def _pdfs_by_anchor(prefix: str, ids: list[str], document) -> dict[str, bytes]:
    """One PDF per id: the pages from its anchor to the next, written on their own."""
    from .render_pdf import pdf_bytes, separate_pages

    ranges = separate_pages(document, prefix, ids, "packet.html")
    return {key: pdf_bytes(document.copy(document.pages[pages.start : pages.stop])) for key, pages in ranges.items()}


def _packets(group, scratch: Path, mode: int, covers: dict[str, bytes] | None = None) -> list[str]:
    """Write the packet of each person of `group` into `scratch`: their cover, their role's pages, the guide.

    The covers are laid out here unless given (made while the guide was).
    Returns the packets' file names.
    """
    from .join_pdf import Bookmark, join_pdfs
    from .locale import labels

    prepared = _PREPARED[0]
    covers = covers or _covers([hire for hire, _ in group])
    guide_pdf = (scratch / "guide.pdf").read_bytes()
    words = labels(prepared.target.locale, prepared.target.company_dir)
    titles = {role.id: role.title for role in prepared.content.roles}
    for hire, name in group:
        packet = join_pdfs(
            [covers[str(hire.row)], (scratch / f"role-{hire.role_id}.pdf").read_bytes()],
            guide_pdf,
            title=f"{words['packet_title']}: {hire.name}",
            bookmarks=[Bookmark(hire.name, 0), Bookmark(f"{words['your_role']}: {titles[hire.role_id]}", 1)],
        )
        write_atomic(scratch / name, packet, mode=mode)
    return [name for _, name in group]
