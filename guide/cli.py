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
from .errors import UserError

EXIT_INPUT = 1
EXIT_INTERNAL = 3


class CareerGuideGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as error:
            for problem in error.problems:
                click.secho(f"error: {problem}", fg="red", err=True)
            ctx.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
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


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder to write into; each target gets its own subfolder.",
)
@click.option("--emit-html", is_flag=True, help="Also write the HTML given to WeasyPrint next to each PDF.")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Content folder to build (default: ./content, else the built-in content).",
)
def build(out_dir: Path, emit_html: bool, content_dir: Path | None) -> None:
    """Build the career guide, the card deck and one PDF per role card."""
    from .pipeline import BuildOptions
    from .pipeline import build as run_build

    started = time.perf_counter()
    results = run_build(BuildOptions(out_dir=out_dir, emit_html=emit_html, content_dir=content_dir))
    for result in results:
        for warning in result.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        pdfs = sum(1 for path in result.outputs if path.suffix == ".pdf")
        click.echo(f"{result.target}: {pdfs} PDFs in {out_dir / result.target}")
    click.echo(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
