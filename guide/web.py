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

from .brand import MAX_FONT_BYTES, MAX_IMAGE_BYTES, fc_family, read_font
from .errors import Problem, UserError
from .files import read_bounded, read_inside
from .models import Content, Target
from .references import check_stylesheets
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
    if not target.brand.font_files:
        # The brand's font is installed on this machine, not on the readers': the site brings it along.
        installed = installed_faces(target.brand.font.family)
        for path, weight, style in installed:
            files[f"{ASSETS}/fonts/{path.name}"] = read_bounded(path, MAX_FONT_BYTES)
            fonts.append((f"fonts/{path.name}", weight, style))
        if installed:
            files[f"{ASSETS}/fonts/LICENSES.txt"] = font_notices([path for path, _, _ in installed])
    files[f"{ASSETS}/style.css"] = stylesheet(target, fonts).encode("utf-8")
    company_css = _company_files(target, files)
    pages = {
        "index.html": ("web/index.html", {}),
        "matrix.html": ("web/matrix.html", {}),
        "more.html": ("web/more.html", {}),
        **{
            f"roles/{role['id']}.html": (
                "web/role.html",
                {"role": role, "neighbours": _neighbours(context["roles"], i)},
            )
            for i, role in enumerate(context["roles"])
        },
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


#: What a company stylesheet may bring into the web edition: stylesheets, fonts and images that cannot carry
#: scripts. (An SVG file can; one in a stylesheet as a data: URI cannot run them and is fine.)
WEB_ASSET_TYPES = (".css", ".woff2", ".woff", ".otf", ".ttf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
MAX_COMPANY_FILES = 200
MAX_COMPANY_BYTES = 64 * 1024 * 1024  # all of them together


#: The faces the web pages use, by fontconfig's (weight, slant): regular, semibold, bold, italic.
WEB_FACES = {(80, 0): (400, "normal"), (180, 0): (600, "normal"), (200, 0): (700, "normal"), (80, 100): (400, "italic")}


def installed_faces(family: str) -> list[tuple[Path, int, str]]:
    """The installed font files of `family` that the pages use, as (file, CSS weight, style), found by fontconfig.

    Only OpenType and TrueType files, shipped as they are (converting them
    to WOFF2 takes over a second a face). None when fontconfig does not know
    the family; the pages then fall back to the reader's sans-serif.
    """
    import subprocess

    pattern = f":family={fc_family(family)}"
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}|%{weight}|%{slant}\n", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found: dict[tuple[int, int], Path] = {}
    for line in sorted(listing.splitlines()):
        file, _, rest = line.partition("|")
        weight, _, slant = rest.partition("|")
        if weight.isdigit() and slant.isdigit() and file.lower().endswith((".otf", ".ttf")):
            key = (int(weight), int(slant))
            if key in WEB_FACES:
                found.setdefault(key, Path(file))
    return [(path, *WEB_FACES[key]) for key, path in sorted(found.items())]


def font_notices(paths: list[Path]) -> bytes:
    """Each shipped font's copyright and licence, as its own name table states them (the licence asks for this)."""
    from fontTools.ttLib import TTFont

    notices = []
    for path in paths:
        with TTFont(path, lazy=True) as font:
            lines = [path.name] + [text for key in (0, 13, 14) if (text := font["name"].getDebugName(key))]
        notices.append("\n".join(lines))
    return ("\n\n".join(notices) + "\n").encode("utf-8")


def _company_files(target: Target, files: dict[str, bytes]) -> list[str]:
    """Copy the company's stylesheets, and the files they load, into `assets/company/`; return the stylesheets.

    Each file keeps its place relative to the company's folder, so the
    stylesheets' relative `url(...)`s and `@import`s find them as they do in
    print. The same stylesheets style the PDFs and the web edition: a rule
    for one alone goes inside `@media print` or `@media screen`. A file must
    be where the stylesheet says, not behind a link (a link could make one
    file many, or a name without end), of a type that cannot run scripts,
    and all of them together are bounded in number and size.
    """
    if target.company_dir is None:
        return []
    folder = Path(os.path.abspath(target.company_dir))
    real = Path(os.path.realpath(folder))
    problems, loads = check_stylesheets(list(target.stylesheets), folder)
    copied: dict[Path, None] = dict.fromkeys(Path(os.path.abspath(sheet)) for sheet in target.stylesheets)
    for load in loads:
        where = {"path": load.sheet, "line": load.line, "column": load.column}
        shown = os.path.relpath(load.path, load.sheet.parent)
        if not load.path.is_relative_to(folder) or Path(os.path.realpath(load.path)) != real / load.path.relative_to(
            folder
        ):
            problems.append(
                Problem(f"`{shown}` goes through a link: for the web edition, refer to the file itself", **where)
            )
        elif load.path.suffix.lower() not in WEB_ASSET_TYPES:
            problems.append(
                Problem(
                    f"`{shown}` cannot go into the web edition: a stylesheet there may load other stylesheets, "
                    "fonts (WOFF2, WOFF, OTF, TTF) and images (PNG, JPEG, GIF, WebP, AVIF); put an SVG in the "
                    "stylesheet as a data: URI",
                    **where,
                )
            )
        elif not load.path.is_file():
            problems.append(Problem(f"`{shown}`: there is no such file in the company's folder", **where))
        else:
            copied.setdefault(load.path)
    if len(copied) > MAX_COMPANY_FILES:
        problems.append(
            Problem(
                f"the stylesheets load {len(copied)} files; at most {MAX_COMPANY_FILES} can go into the web edition",
                folder / "styles",
            )
        )
    if problems:
        raise UserError(problems)
    total = 0
    for path in copied:
        # read_inside refuses a pipe, a device or an oversized file
        data = read_inside(path, folder, max(MAX_FONT_BYTES, MAX_IMAGE_BYTES))
        total += len(data)
        if total > MAX_COMPANY_BYTES:
            raise UserError(
                Problem(
                    f"the stylesheets' files come to more than {MAX_COMPANY_BYTES // 2**20} MB together; "
                    "a web page should load far less (use WOFF2 fonts and compressed images)",
                    folder / "styles",
                )
            )
        files[f"{ASSETS}/company/{path.relative_to(folder).as_posix()}"] = data
    sheets = [Path(os.path.abspath(sheet)).relative_to(folder) for sheet in target.stylesheets]
    return [f"{ASSETS}/company/{sheet.as_posix()}" for sheet in sheets]


def _neighbours(roles: list[dict[str, Any]], index: int) -> dict[str, Any]:
    """The roles before and after one in ladder order, for the links at the foot of its page."""
    return {
        "previous": roles[index - 1] if index else None,
        "next": roles[index + 1] if index + 1 < len(roles) else None,
    }


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
