"""The web edition: the guide as a small static website, in the company's brand.

The same content and brand as the PDFs, set for screens: `index.html` (the
company's opening pages, the introduction, how to read it, the ladder with
every role linked), `roles/<role-id>.html` (one page per role, an anchor per
part, so a card's QR code can lead to it), `matrix.html` and `more.html`
(what lies beyond the ladder, the ways in, the company's closing pages and
the sources). Everything it needs is in the folder: one stylesheet (the
theme's `web.css` and the brand's colours), the logo and the company's own
font files, all linked by relative paths. So the folder works opened from
disk, from any static host and under any sub-path, and no page asks for
anything outside it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .brand import MAX_FONT_BYTES, MAX_IMAGE_BYTES, read_font
from .files import read_inside
from .models import Content, Target
from .references import css_files
from .render_html import _context, _render, brand_colors, css_string
from .resources import styles_dir

ASSETS = "assets"


def render_web(content: Content, target: Target) -> dict[str, bytes]:
    """Every file of the web edition, by its path inside `web/`."""
    files: dict[str, bytes] = {}
    context = _context(content, target, 84, web=True)
    logo = None
    if target.brand.logo is not None:
        logo = f"{ASSETS}/logo{target.brand.logo.suffix.lower()}"
        files[logo] = read_inside(target.brand.logo, _root(target, target.brand.logo), MAX_IMAGE_BYTES)
    fonts = []
    for path in target.brand.font_files:
        face = read_font(path, _root(target, path))
        name = f"{ASSETS}/fonts/{path.name}"
        files[name] = read_inside(path, _root(target, path), MAX_FONT_BYTES)
        fonts.append((name.removeprefix(f"{ASSETS}/"), face.weight, "italic" if face.italic else "normal"))
    files[f"{ASSETS}/style.css"] = stylesheet(target, fonts).encode("utf-8")
    company_css = _company_files(target, files)
    pages = {
        "index.html": ("web/index.html", {}),
        "matrix.html": ("web/matrix.html", {}),
        "more.html": ("web/more.html", {}),
        **{f"roles/{role['id']}.html": ("web/role.html", {"role": role}) for role in context["roles"]},
    }
    for path, (template, extra) in pages.items():
        root = "../" * path.count("/")  # from this page back to web/
        html = _render(
            target,
            template,
            **context,
            **extra,
            root=root,
            page=path,
            web_logo=f"{root}{logo}" if logo else None,
            web_company_css=[f"{root}{name}" for name in company_css],
            pdfs=_pdfs(content, root),
        )
        files[path] = html.encode("utf-8")
    return files


def _company_files(target: Target, files: dict[str, bytes]) -> list[str]:
    """Copy the company's stylesheets, and the files they load, into `assets/company/`; return the stylesheets.

    Each file keeps its place relative to the company's folder, so the
    stylesheets' relative `url(...)`s and `@import`s find them as they do in
    print. The same stylesheets style the PDFs and the web edition: a rule
    for one alone goes inside `@media print` or `@media screen`.
    """
    if target.company_dir is None:
        return []
    folder = Path(os.path.abspath(target.company_dir))
    sheets = []
    for sheet in target.stylesheets:
        sheets.append(f"{ASSETS}/company/{Path(os.path.abspath(sheet)).relative_to(folder).as_posix()}")
        pending = [sheet]
        while pending:
            path = pending.pop()
            name = f"{ASSETS}/company/{Path(os.path.abspath(path)).relative_to(folder).as_posix()}"
            if name in files:
                continue
            # read_inside refuses a link that leads out of the folder, a pipe or an oversized file
            files[name] = read_inside(path, folder, max(MAX_FONT_BYTES, MAX_IMAGE_BYTES))
            if path.suffix.lower() == ".css":
                pending.extend(css_files(path, folder))
    return sheets


def _root(target: Target, path: Path) -> Path:
    """The folder a brand file must stay inside: the company's, or (for the default target) its own."""
    return target.company_dir or path.parent


def _pdfs(content: Content, root: str) -> dict[str, Any]:
    """Where the PDFs are, from a page: the web edition sits in the target's folder beside them."""
    return {
        "guide": f"{root}../career-guide.pdf",
        "deck": f"{root}../role-cards.pdf",
        "cards": {role.id: f"{root}../cards/{role.id}.pdf" for role in content.roles},
    }


def stylesheet(target: Target, fonts: list[tuple[str, int, str]]) -> str:
    """The theme's screen stylesheet, then the brand: its colours and its own fonts (relative to assets/)."""
    family = css_string(target.brand.font.family)
    faces = "".join(
        f"@font-face {{ font-family: {family}; src: url({css_string(url)}); font-weight: {weight}; "
        f"font-style: {style}; font-display: swap; }}\n"
        for url, weight, style in fonts
    )
    properties = brand_colors(target)
    root = "".join(f"{name}: {value}; " for name, value in properties.items())
    theme = (styles_dir() / "web.css").read_text(encoding="utf-8")
    return f"{theme}\n{faces}:root {{ {root}}}\n"
