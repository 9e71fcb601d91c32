"""The `careerguide` command: parse options, call the pipeline, report.

Errors are caught in one place (`CareerGuideGroup.invoke`): user errors print
one line per problem and exit 1; anything else is a bug and exits 3 with a
hint on how to report it. Heavy modules are imported inside the commands so
that `--help` stays instant.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import UserError, display_path

EXIT_INPUT = 1
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # what shells report for Ctrl-C


def print_problems(errors=(), warnings=()) -> None:
    """The one place problems are printed: a line each on stderr, `warning:` in yellow, `error:` in red."""
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for problem in errors:
        click.secho(f"error: {problem}", fg="red", err=True)


class CareerGuideGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as error:
            print_problems(error.problems)
            ctx.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo("\nstopped (Ctrl-C): files already written are complete; nothing is half-written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            if os.environ.get("CAREERGUIDE_DEBUG"):
                raise
            click.secho(f"internal error: {type(error).__name__}: {error}", fg="red", err=True)
            click.echo(
                "This is a bug in careerguide, not in your files. Run again with CAREERGUIDE_DEBUG=1 "
                "for the full traceback and include it when you report the problem.",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=CareerGuideGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="careerguide")
def main() -> None:
    """Build branded, print-ready career guides and role cards from content files."""


def _company_options(command):
    command = click.option(
        "--all",
        "all_targets",
        is_flag=True,
        help="The default target plus every company under companies/.",
    )(command)
    return click.option(
        "--company",
        "companies",
        multiple=True,
        metavar="SLUG_OR_PATH",
        help="A company under companies/, or the path to a company folder. Repeatable.",
    )(command)


def _content_option(command):
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Content folder to build (default: ./content, else the built-in content).",
    )(command)


def _framework_of(company: str | None, content_dir: Path | None) -> tuple[Path, Path | None]:
    """The content folder, and the company's folder when --company is given."""
    from .plan import BuildOptions, content_dir_for, resolve_company

    options = BuildOptions(content_dir=content_dir)
    return content_dir_for(options), resolve_company(company, options.project).resolve() if company else None


def _dry_run_option(what: str):
    return click.option("--dry-run", is_flag=True, help=f"Check the {what} and say what would change; write nothing.")


def _jobs_option(text: str):
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help=text)


def _timeout_option(seconds: int, help_text: str):
    return click.option("--timeout", type=click.FloatRange(min=0), default=seconds, show_default=True, help=help_text)


def _out_option(help_text: str):
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("build"),
        show_default=True,
        help=help_text,
    )


@main.command()
@_out_option("Folder to write into; each target gets its own subfolder.")
@click.option("--emit-html", is_flag=True, help="Also write the HTML given to WeasyPrint next to each PDF.")
@click.option("--web", is_flag=True, help="Also write the web edition into OUT/<target>/web/ (see `web: true`).")
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (brand checks, CSS the renderer ignores) as errors; such a target is not written.",
)
@click.option("--print-ready", is_flag=True, help="3 mm bleed and crop marks on every page, for a print shop.")
@click.option(
    "--cards-per-sheet",
    type=click.Choice(["1", "2", "4", "8"]),
    default="1",
    show_default=True,
    help="Cards on each sheet of role-cards.pdf, with cut marks: page-size cards are shrunk to fit; "
    "cards of a real size (--card-size) stay full size, with bleed into the gutters.",
)
@click.option(
    "--card-size",
    type=click.Choice(["page", "a6", "a5", "4x6", "5x7"], case_sensitive=False),
    default=None,
    help="The cards' size [default: cards.size in company.yaml, else page: the guide's paper].",
)
@click.option(
    "--sheet",
    type=click.Choice(["a4", "letter", "a3"], case_sensitive=False),
    default=None,
    help="The sheet the deck is imposed on with --cards-per-sheet [default: the guide's paper].",
)
@click.option("--card-backs", is_flag=True, help="Add a back to every card (logo, role, QR code), for duplex printing.")
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/ua-1", "pdf/a-3b"]),
    default=None,
    help="Write PDF/UA-1 (accessibility) or PDF/A-3b (archiving) files.",
)
@click.option("--png", is_flag=True, help="Also write PNG previews of the cover and of every card.")
@click.option(
    "--booklet",
    is_flag=True,
    help="Lay the guide out for a printed, folded booklet: each role on a spread (from a left-hand page), "
    "notes pages up to a multiple of four pages, a back cover.",
)
@_jobs_option("Targets built at once, in worker processes [default: the number of CPUs].")
@click.option("--force", is_flag=True, help="Rebuild targets even when nothing they depend on changed.")
@click.option(
    "--shard",
    metavar="K/N|auto",
    default="1/1",
    help="Build only the K-th of N slices of the targets (a batch spread over machines); auto: K and N from "
    "the job runner (Kubernetes indexed Job, Slurm array, AWS Batch array, Cloud Run job; auto/N where it "
    "does not say N).",
)
@click.option(
    "--fail-fast", is_flag=True, help="Stop at the first target that fails (the default is to build the rest)."
)
@_timeout_option(600, "Seconds one target may take before it is stopped as failed (0: no limit); the others build.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@click.option("--watch", is_flag=True, help="Keep running, and rebuild what changed whenever a file changes.")
@_company_options
@_content_option
def build(
    out_dir: Path,
    emit_html: bool,
    web: bool,
    strict: bool,
    print_ready: bool,
    cards_per_sheet: str,
    card_size: str | None,
    sheet: str | None,
    card_backs: bool,
    pdf_variant: str | None,
    png: bool,
    booklet: bool,
    jobs: int | None,
    force: bool,
    shard: str,
    fail_fast: bool,
    timeout: float,
    quiet: bool,
    watch: bool,
    companies,
    all_targets: bool,
    content_dir: Path | None,
) -> None:
    """Build the career guide, the card deck and one PDF per role card.

    Without --company or --all, builds the default target into OUT/default/.
    Targets whose inputs did not change since the last build are skipped.
    """
    from .plan import BuildOptions, Finish

    shard_range = _shard(shard, quiet)
    options = BuildOptions(
        out_dir=out_dir,
        emit_html=emit_html,
        web=web,
        content_dir=content_dir,
        companies=tuple(companies),
        all_targets=all_targets,
        strict=strict,
        finish=Finish(
            print_ready=print_ready,
            cards_per_sheet=int(cards_per_sheet),
            card_backs=card_backs,
            pdf_variant=pdf_variant,
            png=png,
            booklet=booklet,
            card_size=card_size.lower() if card_size else None,
            sheet=sheet.lower() if sheet else None,
        ),
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        shard=shard_range,
        fail_fast=fail_fast,
        timeout=timeout or None,
    )
    if watch:
        from .watch import watch_and_build

        watch_and_build(options, _Reporter(out_dir, quiet))
        return
    _build_once(options, _Reporter(out_dir, quiet))


def _shard(text: str, quiet: bool) -> tuple[int, int]:
    """--shard as (K, N); with `auto`, says which runner's variables gave it."""
    from .plan import parse_shard, shard_from_environment

    try:
        if text.strip().lower().startswith("auto"):
            index, count, source = shard_from_environment(text, os.environ)
            if not quiet:
                click.echo(f"shard {index}/{count} (from {source})")
            return index, count
        return parse_shard(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None


def _build_once(options, reporter: _Reporter) -> None:
    """One build, with a no-op rebuild decided before anything heavy is imported."""
    from .plan import plan_build

    started = time.perf_counter()
    planned = plan_build(options)
    if all(item.fresh for item in planned):
        reporter.line(f"nothing to do: {len(planned)} up to date ({time.perf_counter() - started:.2f} s)")
        return
    from .pipeline import build as run_build

    with reporter.progress(len(planned)) as progress:
        try:
            results = run_build(options, progress, planned)
        except UserError as error:
            reporter.summary(error.results, time.perf_counter() - started)
            raise
    reporter.summary(results, time.perf_counter() - started)


class _Reporter:
    """Progress and summaries: a live display on a terminal, plain lines otherwise, nothing with --quiet."""

    def __init__(self, out_dir: Path, quiet: bool) -> None:
        self.out_dir = out_dir
        self.quiet = quiet
        self.live = sys.stderr.isatty() and not quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def progress(self, total: int):
        if self.live:
            return _LiveProgress(total)
        return _PlainProgress(self)

    def problems(self, errors=(), warnings=()) -> None:
        print_problems(errors, warnings)

    def summary(self, results, seconds: float) -> None:
        built = [r for r in results if not r.skipped]
        print_problems(warnings=[warning for result in built for warning in result.warnings])
        fresh = len(results) - len(built)
        tail = f", {fresh} up to date" if fresh else ""
        self.line(f"built {len(built)} target{'s' * (len(built) != 1)}{tail} in {seconds:.1f} s")


class _PlainProgress:
    def __init__(self, reporter: _Reporter) -> None:
        self.reporter = reporter

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __call__(self, result, done: int, total: int) -> None:
        if result.skipped:
            state = "up to date"
        elif result.failed:
            state = "failed (see below)"
        else:
            pdfs = sum(1 for path in result.outputs if path.suffix == ".pdf")
            web = any(path.name == "index.html" and path.parent.name == "web" for path in result.outputs)
            site = " and the web edition (web/index.html)" if web else ""
            state = f"{pdfs} PDFs{site} in {self.reporter.out_dir / result.target} ({result.seconds:.1f} s)"
        self.reporter.line(f"[{done}/{total}] {result.target}: {state}")


class _LiveProgress:
    """A rich progress bar on stderr: targets done of total, the last one finished, elapsed time."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("building", total=total)

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def __call__(self, result, done: int, total: int) -> None:
        state = "up to date" if result.skipped else ("failed" if result.failed else f"{result.seconds:.1f} s")
        self.bar.update(self.task, completed=done, description=f"{result.target}: {state}")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_company_options
@_content_option
def validate(strict: bool, companies, all_targets: bool, content_dir: Path | None) -> None:
    """Check content and company folders without rendering; report every problem.

    Problems are printed as `path:line:col: field: message`; the exit code is 1
    if there is any.
    """
    from .pipeline import prepare
    from .plan import BuildOptions

    options = BuildOptions(content_dir=content_dir, companies=tuple(companies), all_targets=all_targets, strict=strict)
    ready, problems = prepare(options)
    warnings = [warning for prepared in ready for warning in prepared.warnings]
    if any(prepared.target.company_dir is None for prepared in ready):
        warnings += _translation_report(options, strict)
    print_problems(warnings=[] if strict else warnings)
    if strict:
        problems = [*problems, *(w for w in warnings if w not in problems)]
    passed = [prepared.target.slug for prepared in ready if not (strict and prepared.warnings)]
    if passed:  # the targets that passed are said to have passed, whatever the others did
        click.echo(f"ok: {', '.join(passed)}")
    if problems:
        raise UserError(problems)


def _translation_report(options, strict: bool) -> list:
    """A line per shipped language ("de: 303 of 303 translated, 0 stale"); what is incomplete, as warnings."""
    from .catalogs import coverage_report
    from .plan import content_dir_for
    from .translate import catalog_path, coverage_warning

    content_dir = content_dir_for(options)
    warnings = []
    for coverage in coverage_report(content_dir):
        click.echo(f"translations: {coverage.summary()}")
        if warning := coverage_warning(coverage, catalog_path(content_dir, coverage.locale)):
            warnings.append(warning)
    return warnings


@main.command()
@click.option("--company", "company", required=True, metavar="SLUG_OR_PATH", help="The new hires' company.")
@click.option(
    "--roster",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV (commas, semicolons or tabs) or Excel workbook with a header row: name, role, and optionally "
    "start_date, manager, buddy, email, note; other columns are left out.",
)
@_out_option("Packets go to OUT/<company>/onboarding/.")
@click.option("--strict", is_flag=True, help="Build nothing if any row of the roster is bad.")
@click.option("--shared", is_flag=True, help="Make packets readable by everyone (default: by their owner only).")
@_timeout_option(1800, "Seconds the whole roster may take before it is stopped (0: no limit).")
@click.option(
    "--shard",
    metavar="K/N|auto",
    default="1/1",
    help="Write only the packets of every N-th person, from the K-th (as build --shard; auto from the job runner).",
)
@_jobs_option("Groups of packets made at once, in worker processes [default: the number of CPUs].")
@click.option(
    "--date-format",
    metavar="PATTERN",
    help="How start dates like 01/02/2027 are written: %d/%m/%Y (day first) or %m/%d/%Y (month first).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@_content_option
def onboard(
    company: str,
    roster: Path,
    out_dir: Path,
    strict: bool,
    shared: bool,
    timeout: float,
    shard: str,
    jobs: int | None,
    date_format: str | None,
    quiet: bool,
    content_dir: Path | None,
) -> None:
    """Write an onboarding packet for every new hire on a roster: their pages, then the company's guide."""
    from .limits import time_limit
    from .onboard import onboard_company
    from .plan import BuildOptions, resolve_company

    part = _shard(shard, quiet=quiet)
    folder = resolve_company(company, BuildOptions().project)
    say = (lambda text: None) if quiet else click.echo
    with time_limit(timeout or None, f"the packets for {folder.name}"):
        jobs = jobs or os.cpu_count() or 1
        written, problems, out = onboard_company(
            folder,
            roster,
            out_dir,
            content_dir,
            strict,
            shared,
            say,
            shard=part,
            jobs=jobs,
            date_format=date_format,
            warn=lambda text: click.echo(text, err=True),
        )
    for hire, path in written:
        say(f"{hire.name}: {path}")
    if problems:
        click.echo(f"{len(written)} packets written; {len(problems)} rows could not be used:", err=True)
        raise UserError(problems)
    say(f"{len(written)} packets in {out}")


@main.group(name="translate")
def translate_group() -> None:
    """Translations: write a file for translators (PO), read it back.

    Translation platforms and editors such as Poedit, Weblate or Crowdin read
    and write the PO files these commands use.
    """


@translate_group.command("export")
@click.option("--locale", required=True, help="The language to translate into: de, fr, es, or a new one like nl.")
@click.option("--company", "company", metavar="SLUG_OR_PATH", help="Include the company's own translations and text.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: translations-LOCALE.po, or the company's slug first); `-` for the screen.",
)
@_content_option
def translate_export(locale: str, company: str | None, output: Path | None, content_dir: Path | None) -> None:
    """Write every text of the guide in LOCALE: its English, its place, and the current translation."""
    from .catalogs import export_catalog
    from .write import write_all

    content, folder = _framework_of(company, content_dir)
    text = export_catalog(locale, content, folder)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    output = output or Path(f"translations-{folder.name + '-' if folder else ''}{locale}.po")
    write_all({output: text.encode("utf-8")})
    entries = text.count("\nmsgctxt ")
    untranslated = text.count('msgstr ""\n\n') + text.endswith('msgstr ""\n')
    click.echo(f"wrote {output}: {entries} texts, {untranslated} without a translation, stale ones marked fuzzy")


@translate_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--company", "company", metavar="SLUG_OR_PATH", help="Store the translations in the company's folder.")
@_dry_run_option("file")
@_content_option
def translate_import(file: Path, company: str | None, dry_run: bool, content_dir: Path | None) -> None:
    """Check a translated PO file and store its translations (nothing is written if any entry is wrong)."""
    from .catalogs import import_catalog

    content, folder = _framework_of(company, content_dir)
    result = import_catalog(file, content, folder, dry_run=dry_run)
    print_problems(warnings=result.warnings)
    verb = "would change" if dry_run else "changed"
    for store, contexts in result.changed.items():
        plural = "s" * (len(contexts) != 1)
        click.echo(f"{verb} {len(contexts)} translation{plural} in {display_path(store)}")
    if not result.changed:
        click.echo(f"{result.locale}: nothing to change")


@main.command()
@click.argument("slug")
@click.option("--name", help="The company's name (default: from the slug).")
def init(slug: str, name: str | None) -> None:
    """Create companies/SLUG/ with a commented company.yaml that builds as it is."""
    from .scaffold import scaffold

    folder = scaffold(Path("."), slug, name)
    click.echo(f"created {folder / 'company.yaml'}")
    click.echo(
        f"next: edit it, then run `careerguide validate --company {slug}` and `careerguide build --company {slug}`"
    )


@main.command()
@click.option("--company", "company", metavar="SLUG_OR_PATH", help="The company to preview (default: the default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; 0.0.0.0 shows the preview to your whole network.",
)
@_out_option("The preview's guide is built into OUT/.preview/<target>/.")
@_content_option
def serve(company: str | None, port: int, host: str, out_dir: Path, content_dir: Path | None) -> None:
    """Preview a guide in your browser: the web edition and the PDF's pages, updated on every save."""
    from .plan import BuildOptions
    from .serve import serve as run_server

    options = BuildOptions(out_dir=out_dir, content_dir=content_dir, companies=(company,) if company else ())
    run_server(options, host=host, port=port, say=click.echo)


@main.command()
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="The workbook to write (.xlsx).")
@click.option(
    "--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="The competency matrix as CSV."
)
@click.option(
    "--company", "company", metavar="SLUG_OR_PATH", help="The company's ladder: its titles, roles, changes and pages."
)
@_content_option
def export(xlsx: Path | None, csv_file: Path | None, company: str | None, content_dir: Path | None) -> None:
    """Write the framework as a spreadsheet: roles, the competency matrix, tracks and the guide's text."""
    from .workbook import export_matrix_csv, export_workbook
    from .write import write_atomic

    if xlsx is None and csv_file is None:
        raise click.UsageError("say what to write: --xlsx FILE (the whole framework), --csv FILE (the matrix)")
    for path, suffix, option in ((xlsx, ".xlsx", "--xlsx"), (csv_file, ".csv", "--csv")):
        if path is not None and path.suffix.lower() != suffix:
            raise click.BadParameter(f"give the file a name ending in {suffix}", param_hint=option)
    content, folder = _framework_of(company, content_dir)
    if xlsx is not None:
        write_atomic(xlsx, export_workbook(content, folder))
        sheets = "the roles, the competency matrix, the guide's text" + (
            ", removed roles and the company's own pages" if folder else ""
        )
        click.echo(f"wrote {xlsx}: a sheet each for {sheets}")
    if csv_file is not None:
        write_atomic(csv_file, export_matrix_csv(content, folder))
        click.echo(f"wrote {csv_file}: the competency matrix, a row per competency, a column per role")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--company", "company", metavar="SLUG_OR_PATH", help="Write into this company's overrides.")
@_dry_run_option("workbook")
@_content_option
def import_(file: Path, company: str | None, dry_run: bool, content_dir: Path | None) -> None:
    """Write an edited workbook (from `export --xlsx`) back into the content's YAML files or a company's overrides."""
    from .workbook_import import import_workbook

    content, folder = _framework_of(company, content_dir)
    if folder is None and content_dir is None and not (Path("content") / "guide.yaml").is_file():
        raise UserError(  # else it would write into the content inside the installed package
            "there is no content/ folder here to import into: run this in your project folder, or pass --content DIR"
        )
    target = folder or content
    lines = import_workbook(file, content, folder, dry_run=dry_run)
    changes = [line for line in lines if not line.startswith(("note: ", "warning: "))]
    for line in lines:
        click.echo(line)
    if not changes:
        click.echo(f"nothing to change: the workbook says what {display_path(target)} says")
    elif dry_run:
        click.echo(f"{len(changes)} change{'s' * (len(changes) != 1)} found; nothing written (--dry-run)")
    else:
        click.echo(f"{len(changes)} change{'s' * (len(changes) != 1)} written into {display_path(target)}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of company.yaml (for editor completion and checks)."""
    from .scaffold import schema_json

    click.echo(schema_json(), nl=False)


@main.command()
@click.option("--company", "company", required=True, metavar="SLUG_OR_PATH", help="The company to explain.")
@click.argument("role_id")
@_content_option
def explain(company: str, role_id: str, content_dir: Path | None) -> None:
    """Show a role as a company sees it, and where each field comes from."""
    from .explain import explain_role
    from .plan import BuildOptions

    options = BuildOptions(content_dir=content_dir, companies=(company,))
    click.echo(explain_role(options, role_id))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
