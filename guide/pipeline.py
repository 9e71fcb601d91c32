"""The build, as a list of stages: load, validate, render HTML, render PDF, write.

Everything the CLI does is importable from here, so tests and other tools can
build without going through Click.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import re
import resource
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from .brand import check_brand
from .company import company_target, load_company
from .errors import Problem, UserError
from .files import read_inside
from .limits import time_limit
from .load import Loaded, load_content
from .locale import labels, language
from .merge import merge_company
from .models import Content, Target
from .plan import (
    DEFAULT_TARGET,
    LOCK,
    MANIFEST,
    MAX_HASHED_BYTES,
    BuildOptions,
    Planned,
    TargetSpec,
    code_digest,
    content_dir_for,
    manifest_for,
    plan_build,
    plan_targets,
    read_manifest,
    stray_temps,
    tree_digest,
)
from .resources import styles_dir, templates_dir
from .translate import (
    SOURCE_LOCALE,
    Coverage,
    Lookup,
    catalog_path,
    content_lookup,
    content_root,
    coverage_warning,
    read_catalog,
    translate,
)
from .validate import validate_resolved
from .wording import resolve, stale_titles
from .write import write_all


@dataclass
class BuildResult:
    target: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: bool = False  # fresh: its manifest says nothing changed
    failed: bool = False  # bad input: see the problems
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the process that built it
    made: list[tuple[str, float]] = field(default_factory=list)  # (unit, seconds after the target started)
    kept: list[str] = field(default_factory=list)  # units whose files were kept from the last build


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
            content = shared if spec.framework is None else load_content(spec.content_dir(options))
            ready.append(prepare_spec(spec, content, options))
        except UserError as error:
            problems.extend(error.problems)
    return ready, problems


def prepare_spec(spec: TargetSpec, shared: Loaded, options: BuildOptions) -> Prepared:
    """`shared` is the content the spec is built from: the shared content, or the company's own framework."""
    if spec.folder is None:
        target = Target(slug=DEFAULT_TARGET)
        resolved, reference_problems = resolve(shared, labels(target.locale))
        return Prepared(target, validate_resolved(resolved, reference_problems), resolved)
    prepared = prepare_company(shared, spec.folder) if spec.framework is None else prepare_framework(shared, spec)
    if options.strict and prepared.warnings:
        raise UserError(list(prepared.warnings))
    return prepared


def _read_company(folder: Path):
    """company.yaml read and the brand checked: (company, target, problems, warnings).

    The target is None when company.yaml has the wrong shape; the problems say why.
    """
    company = load_company(folder)
    problems = list(company.problems)
    target = company_target(company) if company.settings is not None else None
    warnings: list[Problem] = []
    if target is not None:
        brand_errors, warnings = check_brand(target, company.loaded)
        problems.extend(brand_errors)
    return company, target, problems, warnings


def prepare_company(shared: Loaded, folder: Path) -> Prepared:
    """Merge one company over the shared content and validate the result once."""
    company, target, problems, warnings = _read_company(folder)
    locale = target.locale if target is not None else SOURCE_LOCALE
    words, shared, coverage = in_language(shared, locale, company.folder)
    own = company.loaded
    written_in = company.settings.written_in if company.settings is not None else None
    if written_in not in (None, locale):
        lookup = Lookup(locale, [read_catalog(catalog_path(company.folder, locale), company.folder)])
        own, own_coverage = translate(own, lookup, ("company", "extra_roles"))
        coverage.add(own_coverage)
    warnings.extend(_coverage_warnings(coverage, company.folder, content_root(shared)))
    merged, merge_problems = merge_company(shared, own)
    problems.extend(merge_problems)
    resolved, reference_problems = resolve(merged, words)
    shared_titles = {
        role_id: role["title"]
        for role_id, role in shared.data.get("roles", {}).items()
        if isinstance(role, dict) and isinstance(role.get("title"), str)
    }
    warnings.extend(_where_to_override(w, company.folder) for w in stale_titles(resolved, words, shared_titles))
    try:
        content = validate_resolved(resolved, reference_problems)
    except UserError as error:
        # A file whose own shape check failed is not reported again through
        # the merged content: the same mistake, under a shorter field name.
        reported = {problem.path for problem in company.problems}
        problems.extend(
            _where_to_override(problem, company.folder) if problem in reference_problems else problem
            for problem in error.problems
            if problem.path not in reported
        )
    if problems:
        raise UserError(problems)
    assert target is not None
    own_guide = company.loaded.data["company"].get("guide") or {}
    if len(content.roles) < 3 and not (isinstance(own_guide, dict) and "ladder" in own_guide):
        warnings.append(
            Problem(
                f"this ladder has {len(content.roles)} role{'s' * (len(content.roles) != 1)}, and the shared text "
                "speaks of early, middle and top levels: give `guide.subtitle`, `guide.ladder` and "
                "`guide.off_ramps` in company.yaml in your own words",
                folder / "company.yaml",
            )
        )
    return Prepared(target, content, resolved, tuple(warnings))


def prepare_framework(framework: Loaded, spec: TargetSpec) -> Prepared:
    """A company's own framework in the company's brand: the content is the company's already, so nothing is merged.

    company.yaml's titles, exclusions, role overrides and pages speak of the
    shared ladder; only its name, brand, paper and language apply here.
    """
    assert spec.folder is not None
    _, target, problems, warnings = _read_company(spec.folder)
    if target is not None:
        target = target.model_copy(update={"slug": spec.slug})
    locale = target.locale if target is not None else SOURCE_LOCALE
    try:
        words, framework, coverage = in_language(framework, locale, spec.folder)
        warnings.extend(_coverage_warnings(coverage, spec.folder, content_root(framework)))
        resolved, reference_problems = resolve(framework, words)
        content = validate_resolved(resolved, reference_problems)
    except UserError as error:
        problems.extend(error.problems)
    if problems:
        raise UserError(problems)
    assert target is not None
    return Prepared(target, content, resolved, tuple(warnings))


def in_language(content: Loaded, locale: str, company_dir: Path | None) -> tuple[dict[str, str], Loaded, Coverage]:
    """(labels, content, coverage): English content and labels in `locale`.

    From the shipped catalogues and then the company's own.
    """
    words, coverage = language(locale, company_dir)
    if locale == SOURCE_LOCALE:
        return words, content, coverage
    translated, content_coverage = translate(content, content_lookup(locale, content_root(content), company_dir))
    coverage.add(content_coverage)
    return words, translated, coverage


def _coverage_warnings(coverage: Coverage, company_dir: Path, content_dir: Path) -> list[Problem]:
    """What a company's edition prints in English, said at the catalogue to fix: the company's, else the shipped one."""
    own = catalog_path(company_dir, coverage.locale)
    warning = coverage_warning(coverage, own if own.is_file() else catalog_path(content_dir, coverage.locale))
    return [warning] if warning else []


def _where_to_override(problem: Problem, folder: Path) -> Problem:
    """A problem this company has with the shared text, with the key to give in its own company.yaml.

    The shared files are not the company's to edit: the fix is an override
    of that field (a list as a whole) in company.yaml.
    """
    if problem.path is None or problem.field is None or problem.path.resolve().is_relative_to(folder.resolve()):
        return problem
    key = re.sub(r"\[\d+\]$", "", problem.field)
    whole = " (the whole list)" if key != problem.field else ""
    hint = f"; for this company, give `{key}`{whole} in {folder.name}/company.yaml instead"
    return replace(problem, message=problem.message + hint)


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
    context = pool_context()
    workers = min(options.jobs, len(todo))
    batch = workers * TARGETS_PER_WORKER
    for start in range(0, len(todo), batch):
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=ignore_interrupts)
        try:
            futures = [pool.submit(build_spec, spec, digest, options) for spec, digest in todo[start : start + batch]]
            for future in as_completed(futures):
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


TARGETS_PER_WORKER = 20


def pool_context():
    """Forked workers where the system has them: they start warm, with the imports and fonts loaded."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the main process handles it, workers finish their target."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# One per process: fonts are loaded once; shared content is read once per version of its files.
_SHARED: dict[tuple[Path, str], Loaded] = {}


@cache
def renderer():
    """The process's renderer, made when the first layout needs it (a build of fresh targets never does)."""
    from .render_pdf import Renderer

    return Renderer()


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
    started = time.perf_counter()
    content_dir = spec.content_dir(options)
    try:
        with time_limit(options.timeout, f"building {spec.slug}"):
            prepared = prepare_spec(spec, _shared_content(content_dir), options)
            with target_lock(options.out_dir / spec.slug):
                result = build_target(prepared.content, prepared.target, options, digest)
    except UserError as error:
        return BuildResult(spec.slug, failed=True, seconds=time.perf_counter() - started), error.problems
    result.warnings[:0] = prepared.warnings
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
            for stray in list(stray_temps(folder)):
                stray.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_target(content: Content, target: Target, options: BuildOptions, digest: str | None = None) -> BuildResult:
    """Make every output the options ask for (see `outputs`) and write them, with their manifest, all at once.

    Every file is made in memory first and written only when all of them
    succeeded, so a failing target leaves its previous outputs untouched.
    With `strict`, what the layout engine warned about fails the target
    before anything is written. An output whose source and read files are
    what they were at the last build is kept as it is (see `outputs.Unit`):
    editing the cards' stylesheet lays out the cards, not the guide.

    With `options.progressive` (watch), each output is written as soon as
    it is made, so the one an edit affects lands first; the manifest comes
    last, and a target that then fails is rebuilt whole next time.
    """
    from .outputs import Job, make_files

    started = time.perf_counter()
    job = Job(content, target, options, renderer if not own_fonts(target) else _private_renderer())
    out = options.out_dir / target.slug
    previous = read_manifest(out) or {}
    result = BuildResult(target.slug)
    written: set[Path] = set()

    reads_unchanged = cache(lambda: _reads_unchanged(previous, target))  # once per target, not per unit

    def kept(unit, key: str) -> dict[str, bytes] | None:
        files = _kept_files(previous, out, key) if reads_unchanged() else None
        if files is not None:
            result.kept.append(unit.name)
            written.update(out / name for name in files)  # on disk as they are: not written again
        return files

    def made(unit, files: dict[str, bytes]) -> None:
        if options.progressive and not options.strict:
            staged = {out / name: data for name, data in files.items()}
            write_all(staged)
            written.update(staged)
        result.made.append((unit.name, time.perf_counter() - started))

    try:
        made_files, keys = make_files(job, kept if previous and not options.force else None, made)
        files = {out / name: data for name, data in made_files.items()}
        if options.strict and job.warnings:
            raise UserError(job.warnings)
        result.warnings = list(job.warnings)
        read = {**(previous["read"] if result.kept else {}), **_read_labels(job.read, target)}  # kept: a dict
        result.outputs = write_target(out, files, digest, keys, read, written)
    except BaseException:
        # Written early (watch) but never recorded: files no manifest lists would outlive the role they were for.
        recorded = (
            {out / name for name in previous.get("outputs", {})} if isinstance(previous.get("outputs"), dict) else set()
        )
        for path in written - recorded:
            path.unlink(missing_ok=True)
        raise
    return result


def own_fonts(target: Target) -> bool:
    """Whether a target brings fonts of its own (brand.font.files, or @font-face in its stylesheets).

    WeasyPrint's font configuration keeps every face it loaded for as long
    as it lives, by family: shared by targets, or kept over a watch
    session, it would set one company's "Custom" family in another's
    files, or an edited font file in its old shapes. Such a target gets a
    font configuration of its own; the others share the process's.
    """
    if target.company_dir is None:
        return False
    if target.brand.font_files:
        return True
    for path in sorted(Path(target.company_dir).rglob("*.css"))[:200]:
        try:
            if b"@font-face" in read_inside(path, target.company_dir, MAX_HASHED_BYTES).lower():
                return True
        except UserError:
            continue
    return False


def _private_renderer():
    """A renderer made for one target, on first use (see `own_fonts`)."""
    from .render_pdf import Renderer

    return cache(Renderer)


def _read_roots(target: Target, resolved: bool = True) -> dict[str, Path]:
    """Where the files a layout may read live, by the name the manifest gives them (no machine's paths)."""
    roots = {"styles": styles_dir(), "templates": templates_dir()}
    if target.company_dir is not None:
        roots["company"] = target.company_dir
    resolve = os.path.realpath if resolved else os.path.abspath
    return {name: Path(resolve(root)) for name, root in roots.items()}


def _read_labels(read: dict[Path, str], target: Target) -> dict[str, str]:
    """The files read (by the names used, see `fetch.SafeFetcher`), relative to their folders."""
    labels = {}
    roots = [*_read_roots(target, resolved=False).items(), *_read_roots(target).items()]
    for path, sha in read.items():
        for name, root in roots:
            if path.is_relative_to(root):
                labels[f"{name}/{path.relative_to(root).as_posix()}"] = sha
                break
    return labels


def _reads_unchanged(previous: dict, target: Target) -> bool:
    """Whether the last build's manifest is this code's and every file its layouts read is as it was then."""
    read = previous.get("read")
    if previous.get("code") != code_digest() or not isinstance(read, dict):
        return False
    roots = _read_roots(target)
    for label, sha in read.items():
        name, _, relative = str(label).partition("/")
        data = _read_or_none(roots[name] / relative, roots[name]) if name in roots else None
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            return False
    return True


def _kept_files(previous: dict, out: Path, key: str) -> dict[str, bytes] | None:
    """The files the last build made from `key` (a unit's source key), if they are all still intact."""
    outputs = previous.get("outputs")
    if not isinstance(outputs, dict):
        return None
    files = {}
    for name, facts in outputs.items():
        if not isinstance(facts, dict) or facts.get("from") != key:
            continue
        data = _read_or_none(out / name, out)
        if data is None or hashlib.sha256(data).hexdigest() != facts.get("sha256"):
            return None
        files[name] = data
    return files or None


def _read_or_none(path: Path, root: Path) -> bytes | None:
    """A file's bytes if it is an ordinary file inside `root` (a company folder is not trusted); else None."""
    try:
        return read_inside(path, root, MAX_HASHED_BYTES)
    except UserError:
        return None


def write_target(
    out: Path,
    files: dict[Path, bytes],
    digest: str | None,
    keys: dict[str, str] | None = None,
    read: dict[str, str] | None = None,
    written: set[Path] = frozenset(),
) -> list[Path]:
    """Write a target's outputs and its manifest all at once, then remove outputs it no longer makes.

    The manifest is made from the bytes in memory and written with them, so
    it always describes exactly the files beside it. Files in `written` are
    already on disk (see `build_target`).
    """
    previous = read_manifest(out) or {}
    staged = {path: data for path, data in files.items() if path not in written}
    if digest is not None:
        manifest = manifest_for(digest, out, files, _page_counts(files), keys or {}, read or {})
        staged[out / MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
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
