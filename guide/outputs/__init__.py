"""The files a build writes for one target, one unit per kind of output.

Each unit is a module with a `UNIT`: a name, which options ask for it, and a
function from the target's `Job` to the files it makes (a path relative to
the target's folder -> bytes). The build runs every wanted unit alike and
treats their files alike: one input digest, one manifest, one all-or-nothing
write, one pruning of files no longer made. Adding an output is one module
here plus one entry in `UNITS`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable

from .. import __version__
from . import cards, deck, guide, html, previews, web
from .job import Job, Unit

#: (unit, key) -> the files it made from that key last time, still intact, or None.
Kept = Callable[[Unit, str], dict[str, bytes] | None]
#: (unit, files): a unit has just made its files.
Made = Callable[[Unit, dict[str, bytes]], None]

#: Every output, in the order they are made (later units may reuse what earlier ones laid out).
UNITS: tuple[Unit, ...] = (guide.UNIT, deck.UNIT, cards.UNIT, html.UNIT, previews.UNIT, web.UNIT)

__all__ = ["UNITS", "Job", "Kept", "Made", "Unit", "make_files", "source_key"]


def make_files(job: Job, kept: Kept | None = None, made: Made | None = None) -> tuple[dict[str, bytes], dict[str, str]]:
    """Run every unit of `UNITS` the options ask for; return all their files by relative path, and what made them.

    The second mapping gives, for each file of a unit with a `source`, the
    key it was made from (`unit:sha256`, see `source_key`). `kept(unit, key)`
    returns the files a unit made from the same key last time, still intact,
    or None: those are used as they are and the unit is not run. `made(unit,
    files)` is called as each unit that ran finishes. `UNITS` is read when
    the build runs, so tests can set it to the units they need.
    """
    files: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    base = _base_digest(job)
    for unit in UNITS:
        if not unit.wanted(job):
            continue
        key = source_key(unit, unit.source(job), base) if unit.source is not None else None
        produced = kept(unit, key) if key is not None and kept is not None else None
        if produced is not None:
            job.kept.update(produced)
        else:
            produced = unit.make(job)
            if made is not None:
                made(unit, produced)
        for name, data in produced.items():
            if name in files:
                raise RuntimeError(f"two outputs both make {name} (the second is {unit.name})")
            files[name] = data
            if key is not None:
                keys[name] = key
    return files, keys


def source_key(unit: Unit, source: str, base: str) -> str:
    """What a unit's files are made from, as `unit:sha256`: its source text and everything not in it.

    Besides the source (the HTML, with the stylesheets, the logo and the
    diagrams in it), `base` (see `_base_digest`); the files the layouts read
    (fonts, images) are checked apart, from the manifest's `read` (see
    `pipeline.build_target`).
    """
    digest = hashlib.sha256(base.encode() + b"\0" + source.encode())
    return f"{unit.name}:{digest.hexdigest()}"


def _base_digest(job: Job) -> str:
    """The code, the libraries, the output options and the environment: the same for every unit of a target."""
    from ..plan import code_digest, library_versions, output_options

    parts = [__version__, code_digest(), library_versions(), output_options(job.options)]
    return json.dumps([*parts, os.environ.get("SOURCE_DATE_EPOCH", "")], sort_keys=True)
