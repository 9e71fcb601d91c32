"""`careerguide build --watch`: rebuild what changed, as soon as it changes.

Every change runs an ordinary build. The manifests make that build skip
every target whose inputs did not change, so editing one company's CSS
rebuilds that company alone, and editing the shared content rebuilds all.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

from .errors import UserError
from .plan import COMPANIES, BuildOptions, content_dir_for, plan_targets
from .resources import locales_dir, styles_dir, templates_dir


def watched_paths(options: BuildOptions) -> list[Path]:
    """The shared content, the theme, and the companies' folders (all of `companies/` with --all)."""
    paths = [content_dir_for(options), templates_dir(), styles_dir(), locales_dir()]
    if options.all_targets and (options.project / COMPANIES).is_dir():
        paths.append(options.project / COMPANIES)
    else:
        paths.extend(spec.folder for spec in plan_targets(options) if spec.folder is not None)
    return [path.resolve() for path in paths]


#: What editors write beside a file while saving it: never content.
_SCRATCH_SUFFIXES = ("~", ".tmp", ".swp", ".swx", ".part", ".crdownload")


def real_changes(change, path: str) -> bool:
    """A change worth rebuilding for: not an editor's hidden or scratch file (`.company.yaml.swp`, `4913`, `x~`)."""
    import watchfiles

    name = Path(path).name
    if name.startswith(".") or name.endswith(_SCRATCH_SUFFIXES) or name == "4913":
        return False
    return watchfiles.DefaultFilter()(change, path)


def changed_names(changes) -> list[str]:
    """The names of the files a batch of changes really changed, in order.

    Some tools save by writing a scratch file and renaming it over the old
    one (`sed -i` writes `sedXXXXXX`): the scratch file is added and gone
    within the batch. A file that was added or modified but no longer
    exists, or deleted right after being added, was such a step, not an edit.
    """
    import watchfiles

    added = {path for change, path in changes if change == watchfiles.Change.added}
    names = [
        Path(path).name
        for change, path in changes
        if (change == watchfiles.Change.deleted and path not in added)
        or (change != watchfiles.Change.deleted and Path(path).exists())
    ]
    return sorted(set(names))


def watch_and_build(options: BuildOptions, reporter, stop: threading.Event | None = None, on_build=None) -> None:
    """Build now, then again after every change under the watched paths, until `stop` is set (or Ctrl-C).

    The builds run in this process, which stays warm: imports, fonts and
    the parsed content are kept while the files they came from are
    unchanged (see `pipeline`). Within a target, only the outputs whose
    source changed are made again, each written as soon as it is made (see
    `pipeline.build_target`); the line printed says which, and when.
    """
    import watchfiles

    from .pipeline import build

    options = replace(options, progressive=True)

    def once(reason: str) -> None:
        started = time.perf_counter()
        failed = False
        try:
            results = build(options)
        except UserError as error:
            reporter.problems(error.problems)
            results, failed = error.results, True
        reporter.problems(warnings=[warning for result in results if not result.skipped for warning in result.warnings])
        rebuilt = [r for r in results if not r.skipped]
        seconds = time.perf_counter() - started
        done = "; ".join(_what_was_made(result) for result in rebuilt)
        if failed:
            reporter.line(f"{reason}: failed ({seconds:.1f} s)" + (f"; rebuilt {done}" if done else ""))
        else:
            reporter.line(f"{reason}: rebuilt {done or 'nothing'} in {seconds:.1f} s")
        if on_build is not None:
            on_build([r.target for r in rebuilt], seconds)

    once("start")
    reporter.line("watching for changes (Ctrl-C to stop)")
    try:
        for changes in watchfiles.watch(
            *watched_paths(options), stop_event=stop, debounce=300, step=50, watch_filter=real_changes
        ):
            changed = changed_names(changes)
            if changed:
                once(f"changed {', '.join(changed)}")
    except KeyboardInterrupt:
        reporter.line("stopped watching")


def _what_was_made(result) -> str:
    """`northwind (cards 0.9 s, deck 1.0 s; guide kept)`: which outputs were made, when, and which were kept."""
    made = ", ".join(f"{unit} {seconds:.1f} s" for unit, seconds in result.made)
    kept = f"{', '.join(result.kept)} kept" if result.kept else ""
    details = "; ".join(part for part in (made, kept) if part)
    return f"{result.target} ({details})" if details else result.target
