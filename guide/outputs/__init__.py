"""The files a build writes for one target, one unit per kind of output.

Each unit is a module with a `UNIT`: a name, which options ask for it, and a
function from the target's `Job` to the files it makes (a path relative to
the target's folder -> bytes). The build runs every wanted unit alike and
treats their files alike: one input digest, one manifest, one all-or-nothing
write, one pruning of files no longer made. Adding an output is one module
here plus one entry in `UNITS`.
"""

from __future__ import annotations

from . import cards, deck, guide, html, previews, web
from .job import Job, Unit

#: Every output, in the order they are made (later units may reuse what earlier ones laid out).
UNITS: tuple[Unit, ...] = (guide.UNIT, cards.UNIT, deck.UNIT, html.UNIT, previews.UNIT, web.UNIT)

__all__ = ["UNITS", "Job", "Unit", "make_files"]


def make_files(job: Job) -> dict[str, bytes]:
    """Run every unit of `UNITS` the options ask for; return all their files by relative path.

    `UNITS` is read when the build runs, so tests can set it to the units they need.
    """
    files: dict[str, bytes] = {}
    for unit in UNITS:
        if not unit.wanted(job):
            continue
        for name, data in unit.make(job).items():
            if name in files:
                raise RuntimeError(f"two outputs both make {name} (the second is {unit.name})")
            files[name] = data
    return files
