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

import gc
import multiprocessing
import os
import shutil
import stat
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, UserError
from .roster import Hire, packet_name, read_roster
from .write import write_all, write_atomic


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
        parts = pool.submit(_shared_parts, guide_pdf is None, role_ids, scratch)
        early = [pool.submit(_covers, [hire for hire, _ in group]) for group in groups[: _early(jobs)]]
        parts.result()
        late = [pool.submit(_packets, group, scratch, mode) for group in groups[len(early) :]]
        joined = [
            pool.submit(_packets, group, scratch, mode, covers.result())
            for group, covers in zip(groups[: len(early)], early, strict=True)
        ]
        # Packets are made in the scratch folder and moved into place here, each whole: a stopped run
        # leaves the packets it finished and nothing else.
        written = []
        for result in (*joined, *late):
            for name in result.result():
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
    """An executor of no workers: each task runs when it is given."""

    def submit(self, function, *args) -> Future:
        future = Future()
        future.set_result(function(*args))
        return future


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
        yield executor
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
    roles = {hire.role_id: (scratch / f"role-{hire.role_id}.pdf").read_bytes() for hire, _ in group}
    words = labels(prepared.target.locale, prepared.target.company_dir)
    titles = {role.id: role.title for role in prepared.content.roles}
    colon = "\u202f: " if prepared.target.locale.startswith("fr") else ": "  # French sets a space before the colon
    for hire, name in group:
        packet = join_pdfs(
            [covers[str(hire.row)], roles[hire.role_id]],
            guide_pdf,
            title=f"{words['packet_title']}{colon}{hire.name}",
            bookmarks=[Bookmark(hire.name, 0), Bookmark(f"{words['your_role']}{colon}{titles[hire.role_id]}", 1)],
        )
        write_atomic(scratch / name, packet, mode=mode)
    return [name for _, name in group]
