"""The HTML given to WeasyPrint (`--emit-html`): self-contained, so `weasyprint X.html X.pdf` makes the same PDF.

A company's stylesheets, font files and the images its stylesheets use are
copied beside the HTML, under `assets/` at the places they have in the
company folder, and the HTML points at them by relative addresses: the
files can be moved or sent elsewhere, and they name no folder of the
machine that built them.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ..fetch import MAX_RESOURCE_BYTES
from ..files import read_inside
from .job import Job, Unit

ASSETS = "assets"


def make_html(job: Job) -> dict[str, bytes]:
    files = {
        "career-guide.html": job.guide_html.html,
        "role-cards.html": job.card_html().html,
        **{f"cards/{role.id}.html": job.card_html(role.id).html for role in job.content.roles},
    }
    if job.backs_html is not None:
        files["card-backs.html"] = job.backs_html.html
    assets: dict[str, bytes] = {}
    if job.target.company_dir is not None:
        files, assets = _beside(files, job)
    return {**{name: text.encode("utf-8") for name, text in files.items()}, **assets}


def _beside(files: dict[str, str], job: Job) -> tuple[dict[str, str], dict[str, bytes]]:
    """The HTML with the company folder's addresses made relative, and the company files it needs, by path."""
    root = Path(job.target.company_dir).resolve()
    address = re.compile(re.escape(root.as_uri() + "/") + r"([^\"')\s#?\\]+)")  # up to a quote, fragment or escape
    used: set[str] = set()

    def local(name: str):
        up = "../" * name.count("/")

        def swap(match: re.Match) -> str:
            used.add(unquote(match.group(1)))
            return f"{up}{ASSETS}/{match.group(1)}"

        return swap

    files = {name: address.sub(local(name), text) for name, text in files.items()}
    # What the company's stylesheets load in turn (images, @imports) sits where they expect it, relative to them.
    used.update(path.relative_to(root).as_posix() for path in job.read if path.is_relative_to(root))
    assets = {f"{ASSETS}/{relative}": read_inside(root / relative, root, MAX_RESOURCE_BYTES) for relative in used}
    return files, dict(sorted(assets.items()))


UNIT = Unit("html", make_html, wanted=lambda job: job.options.emit_html)
