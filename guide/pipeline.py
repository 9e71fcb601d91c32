"""The build, as a list of stages: load, validate, render HTML, render PDF, write.

Everything the CLI does is importable from here, so tests and other tools can
build without going through Click.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import resource
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .brand import check_brand
from .company import company_target, load_company
from .errors import Problem, UserError
from .limits import time_limit
from .load import Loaded, load_content
from .merge import merge_company
from .models import Content, Target
from .plan import (
    DEFAULT_TARGET,
    LOCK,
    MANIFEST,
    PLAIN,
    BuildOptions,
    Finish,
    Planned,
    TargetSpec,
    content_dir_for,
    manifest_for,
    plan_build,
    plan_targets,
    read_manifest,
    tree_digest,
)
from .render_html import BLEED_MM, CARD_SCALES, render_backs, render_cards, render_guide
from .validate import validate
from .write import write_all


@dataclass
class BuildResult:
    target: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False  # fresh: its manifest says nothing changed
    failed: bool = False  # bad input: see the problems
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the process that built it


@dataclass(frozen=True)
class Prepared:
    """A target whose content is merged and validated: everything rendering needs."""

    target: Target
    content: Content
    loaded: Loaded
    warnings: tuple[Problem, ...] = ()


#: Called in the main process as targets finish: (result, done, total); result.skipped for fresh ones.
Progress = Callable[[BuildResult, int, int], None]


def prepare(options: BuildOptions) -> tuple[list[Prepared], list[Problem]]:
    """Load, merge and validate every target asked for, without rendering.

    Returns the targets that are ready and every problem found in the others
    (with `strict`, warnings count as problems).
    """
    shared = load_content(content_dir_for(options))
    ready: list[Prepared] = []
    problems: list[Problem] = []
    for spec in plan_targets(options):
        try:
            ready.append(prepare_spec(spec, shared, options))
        except UserError as error:
            problems.extend(error.problems)
    return ready, problems


def prepare_spec(spec: TargetSpec, shared: Loaded, options: BuildOptions) -> Prepared:
    if spec.folder is None:
        return Prepared(Target(slug=DEFAULT_TARGET), validate(shared), shared)
    prepared = prepare_company(shared, spec.folder)
    if options.strict and prepared.warnings:
        raise UserError(list(prepared.warnings))
    return prepared


def prepare_company(shared: Loaded, folder: Path) -> Prepared:
    """Merge one company over the shared content and validate the result once."""
    company = load_company(folder)
    merged, merge_problems = merge_company(shared, company.loaded)
    problems = [*company.problems, *merge_problems]
    target = company_target(company) if company.settings is not None else None
    warnings: list[Problem] = []
    if target is not None:
        brand_errors, warnings = check_brand(target, company.loaded)
        problems.extend(brand_errors)
    try:
        content = validate(merged)
    except UserError as error:
        problems.extend(error.problems)
    if problems:
        raise UserError(problems)
    assert target is not None
    return Prepared(target, content, merged, tuple(warnings))


def build(
    options: BuildOptions, progress: Progress | None = None, planned: list[Planned] | None = None
) -> list[BuildResult]:
    """Build every requested target that is not fresh, and return what happened to each.

    Targets are independent: with `options.jobs` > 1 they are built in
    parallel worker processes, each of which keeps its fonts and parsed
    content for all the targets it builds. A target with bad input is
    reported, after the others are built, in one `UserError`; nothing is
    written for it and its previous outputs stay as they were. `planned`
    is `plan.plan_build(options)` when the caller has already made it.
    """
    planned = plan_build(options) if planned is None else planned
    specs = [item.spec for item in planned]
    results: list[BuildResult] = []
    todo: list[tuple[TargetSpec, str]] = []
    for item in planned:
        if item.fresh:
            results.append(BuildResult(item.spec.slug, skipped=True))
            if progress:
                progress(results[-1], len(results), len(specs))
        else:
            todo.append((item.spec, item.digest))
    problems: list[Problem] = []
    done = len(results)
    runs = _run(todo, options)
    for result, found in runs:
        problems.extend(found)
        done += 1
        if not result.failed:
            results.append(result)
        if progress:
            progress(result, done, len(specs))
        if found and options.fail_fast:
            runs.close()  # the targets not started yet are not built
            break
    order = {spec.slug: index for index, spec in enumerate(specs)}
    results.sort(key=lambda result: order.get(result.target, len(order)))
    if problems:
        raise UserError(problems, results=results)
    return results


def _run(todo: list[tuple[TargetSpec, str]], options: BuildOptions):
    """Build each (spec, digest), in this process or in a pool; yield (result, problems) as each ends."""
    if options.jobs <= 1 or len(todo) <= 1:
        for spec, digest in todo:
            yield build_spec(spec, digest, options)
        return
    # Workers are forked, and replaced by a new pool after every
    # TARGETS_PER_WORKER targets each: a worker's memory grows a little with
    # every brand's fonts and images, and fresh workers keep big batches under
    # a fixed ceiling. (ProcessPoolExecutor's own max_tasks_per_child hangs in
    # Python 3.11 when it replaces workers.)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = min(options.jobs, len(todo))
    batch = workers * TARGETS_PER_WORKER
    for start in range(0, len(todo), batch):
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_interrupts)
        try:
            futures = [pool.submit(build_spec, spec, digest, options) for spec, digest in todo[start : start + batch]]
            for future in as_completed(futures):
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


TARGETS_PER_WORKER = 20


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the main process handles it, workers finish their target."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# One per process: fonts are loaded once; shared content is read once per version of its files.
_SHARED: dict[tuple[Path, str], Loaded] = {}
_RENDERER = None


def _shared_content(content_dir: Path) -> Loaded:
    """The shared content, read again whenever its files changed (keyed by their digest, not their folder).

    A long-lived process (watch, or a pool forked from one that built
    before) must never build from content it read earlier.
    """
    key = (content_dir.resolve(), tree_digest(content_dir.resolve(), {}))
    if key not in _SHARED:
        _SHARED.clear()
        _SHARED[key] = load_content(content_dir)
    return _SHARED[key]


def build_spec(spec: TargetSpec, digest: str, options: BuildOptions) -> tuple[BuildResult, list[Problem]]:
    """Prepare, render and write one target, then its manifest. Runs in a worker or inline."""
    global _RENDERER
    from .render_pdf import Renderer

    started = time.perf_counter()
    content_dir = content_dir_for(options)
    try:
        with time_limit(options.timeout, f"building {spec.slug}"):
            prepared = prepare_spec(spec, _shared_content(content_dir), options)
            _RENDERER = _RENDERER or Renderer()
            with target_lock(options.out_dir / spec.slug):
                result = build_target(prepared.content, prepared.target, options, _RENDERER, digest)
    except UserError as error:
        return BuildResult(spec.slug, failed=True, seconds=time.perf_counter() - started), error.problems
    result.warnings[:0] = [str(w) for w in prepared.warnings]
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result, []


@contextmanager
def target_lock(folder: Path):
    """Hold the target folder's lock: two builds into one folder take turns instead of mixing files.

    Inside the lock, temporary files left by a build that was killed are
    removed: no other build can be writing them.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Beside the target folder, not in it: a build that fails writes nothing into the folder.
        handle = open(folder.parent / f".{folder.name}{LOCK}", "w")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UserError(
            Problem(f"cannot write into the output folder ({error.strerror}); is it a writable folder?", folder)
        ) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stray in folder.rglob(".*.tmp"):
                stray.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_target(
    content: Content, target: Target, options: BuildOptions, renderer, digest: str | None = None
) -> BuildResult:
    """Render and write the guide, the card deck and one PDF per card for one target.

    Every PDF is made in memory first and written only when all of them
    succeeded, so a failing target leaves its previous outputs untouched.
    """
    from .impose import impose
    from .render_pdf import card_pages, page_ranges, pdf_bytes

    finish = options.finish
    bleed = BLEED_MM if finish.print_ready else 0

    def pdf(document, title: str | None = None, variant: str | None = finish.pdf_variant) -> bytes:
        return pdf_bytes(document, title=title, variant=variant, bleed_mm=bleed)

    out = options.out_dir / target.slug
    result = BuildResult(target.slug)
    before = len(renderer.warnings)
    files: dict[Path, bytes | str] = {}

    guide_html = render_guide(content, target, finish)
    guide_pdf = pdf(renderer.render(guide_html))
    files[out / "career-guide.pdf"] = guide_pdf

    deck_html, deck, scales = fit_cards(content, target, renderer, finish)
    fronts = [deck.pages[pages[0]] for pages in card_pages(deck, content.roles).values()]
    backs = []
    if finish.card_backs:
        backs_html = render_backs(content, target, finish)
        laid_out = renderer.render(backs_html)
        ranges = page_ranges(laid_out, "back-", [role.id for role in content.roles], "card-backs.html")
        backs = [laid_out.pages[pages[0]] for pages in ranges.values()]
        if options.emit_html:
            files[out / "card-backs.html"] = backs_html.html
    for index, role in enumerate(content.roles):
        sides = [fronts[index], backs[index]] if backs else [fronts[index]]
        title = f"{role.title} · {content.guide.title}"
        files[out / "cards" / f"{role.id}.pdf"] = pdf(deck.copy(sides), title=title)
    if finish.cards_per_sheet == 1:
        sheets = [page for index, front in enumerate(fronts) for page in ([front, backs[index]] if backs else [front])]
        files[out / "role-cards.pdf"] = pdf(deck.copy(sheets))
    else:
        files[out / "role-cards.pdf"] = impose(
            pdf(deck.copy(fronts), variant=None),
            pdf(deck.copy(backs), variant=None) if backs else None,
            finish.cards_per_sheet,
            target.paper,
            content.guide.title,
            target.locale,
        )

    if options.emit_html:
        files[out / "career-guide.html"] = guide_html.html
        files[out / "role-cards.html"] = deck_html.html
        for role in content.roles:
            files[out / "cards" / f"{role.id}.html"] = render_cards(content, target, scales, role.id, finish).html
    if finish.png:
        from .previews import preview_png

        files[out / "career-guide.png"] = preview_png(guide_pdf)
        for role in content.roles:
            files[out / "cards" / f"{role.id}.png"] = preview_png(files[out / "cards" / f"{role.id}.pdf"])

    result.warnings = renderer.warnings[before:]
    result.outputs = write_target(out, files, digest)
    return result


def write_target(out: Path, files: dict[Path, bytes | str], digest: str | None) -> list[Path]:
    """Write a target's outputs and its manifest all at once, then remove outputs it no longer makes.

    The manifest is made from the bytes in memory and written with them, so
    it always describes exactly the files beside it.
    """
    previous = read_manifest(out) or {}
    staged = {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}
    if digest is not None:
        text = json.dumps(manifest_for(digest, out, staged, _page_counts(staged)), indent=2, sort_keys=True)
        staged[out / MANIFEST] = (text + "\n").encode("utf-8")
    write_all(staged)
    for name in previous.get("outputs", {}):
        path = out / name
        if path not in files and path.resolve().is_relative_to(out.resolve()):
            path.unlink(missing_ok=True)
    return list(files)


def _page_counts(files: dict[Path, bytes]) -> dict[Path, int]:
    import pypdfium2 as pdfium

    pages = {}
    for path, data in files.items():
        if path.suffix == ".pdf":
            document = pdfium.PdfDocument(data)
            pages[path] = len(document)
            document.close()
    return pages


def fit_cards(content: Content, target: Target, renderer, finish: Finish = PLAIN):
    """Lay out the card deck, shrinking the type of any card that spills over.

    Each overflowing card steps down through `CARD_SCALES`; a card that still
    spills at the smallest step fails the build with the amount it is over.
    Only the cards that spilled are laid out again, and the deck is put
    together from the pages that fit. Returns the deck's HTML (every card at
    its final size), the laid-out deck and the steps used.
    """
    from .render_pdf import card_pages, overflow_mm

    scales: dict[str, int] = {}
    fitted: dict[str, object] = {}
    pending = [role.id for role in content.roles]
    first = None
    while pending:
        document = renderer.render(render_cards(content, target, scales, only=pending, finish=finish))
        first = first or document
        roles = [content.role(role_id) for role_id in pending]
        problems = []
        pending = []
        for role_id, pages in card_pages(document, roles).items():
            if len(pages) == 1:
                fitted[role_id] = document.pages[pages[0]]
            elif scales.get(role_id, 0) + 1 < len(CARD_SCALES):
                scales[role_id] = scales.get(role_id, 0) + 1
                pending.append(role_id)
            else:
                over = sum(overflow_mm(document, page, f"card-{role_id}") for page in pages[1:])
                problems.append(
                    Problem(
                        f"the card for {content.role(role_id).title} does not fit on one page even with its type "
                        f"at {CARD_SCALES[-1]:.0%}: about {over:.0f} mm too long. Shorten its summary, "
                        "responsibilities, skills or ready_for_next",
                        field=f"roles.{role_id}",
                    )
                )
        if problems:
            raise UserError(problems)
    deck = first.copy([fitted[role.id] for role in content.roles])
    return render_cards(content, target, scales, finish=finish), deck, scales
