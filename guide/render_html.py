"""Stage 3: render the validated model to HTML with Jinja2.

The HTML is the exact input WeasyPrint receives. Stylesheets are inlined so
that an emitted `.html` file is self-contained: a designer can open it in a
browser, or run `weasyprint career-guide.html out.pdf` on it, and get what we
got. Brand colours and fonts enter only as CSS custom properties on `:root`.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import traceback
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from . import __version__
from .brand import data_uri
from .colors import tint
from .diagrams import ladder_groups, ladder_svg, trunk_roles
from .errors import Problem, UserError
from .files import decode_text, read_inside
from .locale import language
from .models import MAIN_TRACK, Content, Role, Target
from .paper import CARD_SIZES, PAPERS, Paper
from .plan import PLAIN, Finish
from .resources import styles_dir, templates_dir
from .sanitise import rich
from .typeset import typeset

BLEED_MM = 3  # colour that touches the trim edge runs this far past it
SLUG_MM = 10  # the sheet reaches this far past the trim edge: bleed, then the crop marks

# Cards that do not fit at full size are set smaller in these steps, largest
# first; a card that still does not fit at the last step fails the build.
CARD_SCALES = (1.0, 0.94, 0.88, 0.82)
# How many of a role's items a card shows: on a page, A5 or 5x7 in, and on an A6 or 4x6 in card.
# A card back's self-check lists at most `self_check` of the criteria.
CARD_CAPS = {"responsibilities": 4, "ready_for_next": 5, "skills": None, "self_check": 8}
MEDIUM_CARD_CAPS = {**CARD_CAPS, "self_check": 6}
SMALL_CARD_CAPS = {"responsibilities": 3, "ready_for_next": 3, "skills": 4, "self_check": 4}


@dataclass(frozen=True)
class HtmlDocument:
    """One HTML document ready for WeasyPrint, and the folders it may load files from."""

    name: str
    html: str
    base_url: str
    allowed: tuple[Path, ...] = ()
    #: The company's own stylesheets and templates folder, which the layout may stumble on.
    company_files: tuple[Path, ...] = ()


def _document(name: str, html: str, target: Target) -> HtmlDocument:
    allowed = (styles_dir(), templates_dir(), *((target.company_dir,) if target.company_dir else ()))
    own = (*target.stylesheets, *((target.templates_dir,) if target.templates_dir else ()))
    return HtmlDocument(name, html, styles_dir().as_uri() + "/", allowed, own)


MAX_TEMPLATE_BYTES = 256 * 1024  # the theme's largest template is about 8 KB
MAX_HTML_CHARS = 16 * 1024 * 1024  # a whole guide is about 100 KB of HTML
HTML_CHARS_PER_HIRE = 64 * 1024  # packets grow with the roster


class FolderLoader(jinja2.BaseLoader):
    """Templates from a list of folders, read as untrusted files (see `files.py`).

    Jinja2's own FileSystemLoader follows links out of its folders; this one
    reads only ordinary files that resolve inside the folder they were found
    in, with a size limit. A template is read again whenever its bytes
    change, so a long-lived process never renders a stale copy.
    """

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders

    def get_source(self, environment: jinja2.Environment, template: str):
        pieces = jinja2.loaders.split_template_path(template)
        for index, folder in enumerate(self.folders):
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            source = decode_text(read_inside(path, folder, MAX_TEMPLATE_BYTES), path)
            # A template added since to a folder searched first (a company's own) replaces this one.
            before = [earlier.joinpath(*pieces) for earlier in self.folders[:index]]

            def uptodate(path: Path = path, folder: Path = folder, source: str = source, before=before) -> bool:
                if any(os.path.lexists(earlier) for earlier in before):
                    return False
                try:
                    return decode_text(read_inside(path, folder, MAX_TEMPLATE_BYTES), path) == source
                except UserError:
                    return False

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, with arithmetic that cannot fill the memory (`"x" * 10**10`, `2 ** 100000000`)."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_SIZE = 1_000_000  # characters or items a template may make with one `*`

    def call_binop(self, context, operator, left, right):
        sizes = [len(value) for value in (left, right) if isinstance(value, (str, list, tuple))]
        counts = [value for value in (left, right) if isinstance(value, int) and not isinstance(value, bool)]
        if operator == "*" and sizes and counts and sizes[0] * max(counts[0], 0) > self.MAX_SIZE:
            raise SecurityError(f"`*` would make more than {self.MAX_SIZE:,} characters or items")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 100:
            raise SecurityError("a power above 100 is refused")
        return super().call_binop(context, operator, left, right)


@cache
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """Templates are looked up company folder first, then the theme.

    Company templates come from outside the team, so every template runs in
    Jinja2's sandbox, with autoescaping on, and receives plain data only
    (see `_context`): the sandbox is the second wall, not the first.
    """
    env = _Sandbox(
        loader=FolderLoader(template_dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["typeset"] = _typeset
    env.filters["rich"] = _rich
    env.filters["css_string"] = css_string
    return env


def _language(context: Any, text: str) -> tuple[str, str | None, bool]:
    """(lang, quotes, foreign) for one text: text kept in English is set as English, whatever the page's language."""
    lang = context.get("lang", "en")
    foreign = lang != "en" and str(text).strip() in context.get("untranslated", ())
    if foreign:
        return "en", None, True
    return lang, context.get("labels", {}).get("quotes"), False


def _marked(html: str, foreign: bool) -> Markup:
    return Markup(f'<span lang="en">{html}</span>' if foreign else html)


@jinja2.pass_context
def _typeset(context: Any, text: str) -> Markup:
    """Typeset in the page's language; text printed in English is marked `lang="en"` for hyphenation and readers."""
    lang, quotes, foreign = _language(context, text)
    return _marked(str(escape(typeset(str(text), lang, quotes))), foreign)


@jinja2.pass_context
def _rich(context: Any, text: str) -> Markup:
    lang, quotes, foreign = _language(context, text)
    return _marked(str(rich(str(text), lang, quotes)), foreign)


def _labels(target: Target) -> tuple[dict[str, str], frozenset[str]]:
    """The target's labels, typeset in its language (apostrophes, quotes), and those still in English.

    The settings among them are kept as they are; a label printed in English
    is marked so by the `typeset` filter, like content text.
    """
    words, coverage = language(target.locale, target.company_dir)
    quotes = words.get("quotes")
    typeset_words = {
        name: text if name in SETTINGS else typeset(text, target.locale, quotes) for name, text in words.items()
    }
    english = frozenset(
        typeset_words[source.key[1]] for source in coverage.stale + coverage.missing if source.key[1] not in SETTINGS
    )
    return typeset_words, english


SETTINGS = {"numbers", "nouns_keep_capitals", "quotes", "keywords"}


def long_date(value: dt.date, locale: str) -> str:
    """A date as the language writes it: "November 26, 2026", "26. November 2026", "26 novembre 2026"."""
    from babel.dates import format_date

    return format_date(value, "long", locale=locale.replace("-", "_"))


def css_string(value: str) -> Markup:
    """Quote `value` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;!?()-_'/·" else f"\\{ord(c):X} " for c in str(value))
    return Markup(f'"{escaped}"')


def _stylesheet(target: Target, finish: Finish, *names: str) -> Markup:
    """The theme's CSS files in the given order, then the brand's properties.

    The company's own stylesheets follow as `<link>`s (see base.html), so
    that their relative `url()`s resolve against their own folder.
    """
    parts = [(styles_dir() / f"{name}.css").read_text(encoding="utf-8") for name in names]
    parts.append(brand_properties(target, finish))
    return Markup("\n".join(parts).replace("</", "<\\/"))


def _templates(target: Target) -> jinja2.Environment:
    dirs = (target.templates_dir, templates_dir()) if target.templates_dir else (templates_dir(),)
    return _environment(dirs)


def font_faces(target: Target) -> str:
    """`@font-face` rules for a brand's own font files, weights and styles read from the files.

    Each URL ends in a fragment with the digest of the file's bytes:
    WeasyPrint keeps a loaded font for as long as its rule is the same, and
    the digest makes a font file edited between two builds a new rule.
    """
    from .brand import read_font

    rules = []
    for path in target.brand.font_files:
        face = read_font(path, target.company_dir or path.parent)
        family, source = css_string(target.brand.font.family), css_string(f"{path.as_uri()}#{face.digest}")
        style = "italic" if face.italic else "normal"
        rules.append(
            f"@font-face {{ font-family: {family}; src: url({source}); "
            f"font-weight: {face.weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


# After the brand's font: the theme's, then one sans-serif per script with a bold weight (Noto), so that a
# name on a roster in Arabic, Hebrew, Devanagari, Thai or Chinese is set like the Latin text around it.
FALLBACK_FONTS = (
    '"Inter", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Thai", '
    '"Noto Sans CJK SC", "DejaVu Sans", sans-serif'
)


def brand_colors(target: Target) -> dict[str, str]:
    """The brand's colours and font as the theme's custom properties, for print and screen alike."""
    colors = target.brand.colors
    return {
        "--primary": colors.primary,
        "--accent": colors.accent,
        "--text": colors.text,
        "--muted": tint(colors.text, 0.78),
        "--rule": tint(colors.primary, 0.30),
        "--tint": tint(colors.primary, 0.07),
        "--font": f"{css_string(target.brand.font.family)}, {FALLBACK_FONTS}",
    }


def brand_properties(target: Target, finish: Finish | None = None) -> str:
    """The `:root` custom properties and page sizes that carry the brand into the theme CSS.

    For print-ready output the pages also get a bleed and crop marks, and
    `--bleed` tells the theme how far to extend colour that touches the edge.
    """
    bleed = BLEED_MM if finish is not None and finish.print_ready else 0
    paper = PAPERS[target.paper]
    values = {
        **brand_colors(target),
        "--page-width": f"{paper.width_mm}mm",
        "--page-height": f"{paper.height_mm}mm",
        "--bleed": f"{bleed}mm",
    }
    body = "".join(f"{name}: {value}; " for name, value in values.items())
    size = paper.css
    # WeasyPrint draws crop marks in the outer half of the CSS bleed, under
    # the page's content; a sheet larger than the bleed keeps them clear of it.
    marks = f" bleed: {SLUG_MM}mm; marks: crop;" if bleed else ""
    return (
        f"{font_faces(target)}\n:root {{ {body}}}\n"
        f"@page {{ size: {size};{marks} }}\n@page matrix {{ size: {size} landscape; }}"
    )


def created(content: Content) -> str:
    """The document date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the content's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return content.guide.date.isoformat()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        raise UserError(
            Problem(
                f"the environment variable SOURCE_DATE_EPOCH is `{_short(epoch)}`: it must be a whole number of "
                "seconds since 1970-01-01 (for example 1767225600), or unset"
            )
        ) from None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _track_names(content: Content) -> dict[str, str | None]:
    """The name each track is shown with, or None for a ladder with one track (it needs no name)."""
    if len(content.tracks) == 1:
        return {track.id: None for track in content.tracks}
    return {track.id: track.name or track.id.replace("-", " ").capitalize() for track in content.tracks}


def _role_data(role: Role, content: Content, track_names: dict[str, str | None], trunk: set[str]) -> dict[str, Any]:
    """A role as plain data, its next steps resolved to titles, ranks and tracks.

    `track` is the role's track name, None for a role of the shared trunk
    (below every fork) or of a ladder with one track.
    """
    data = role.model_dump(mode="json")
    data["label"] = role.label
    data["track"] = None if role.id in trunk else track_names[role.track]
    steps = []
    for step in role.next_steps:
        if step.role is not None:
            other = content.role(step.role)
            track = None if other.id in trunk else track_names[other.track]
            steps.append(
                {"role": other.id, "title": other.title, "rank": other.rank, "note": step.note, "track": track}
            )
        else:
            steps.append({"role": None, "title": step.title, "rank": None, "note": step.note, "track": None})
    data["next_steps"] = steps
    data["next_roles"] = [step for step in steps if step["role"]]
    following = content.next_role(role)
    data["next"] = {"id": following.id, "title": following.title, "rank": following.rank} if following else None
    return data


MATRIX_COLUMNS = 6  # role columns a landscape page holds with 9 pt text


def _matrices(content: Content, roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The competency matrix as tables of at most `MATRIX_COLUMNS` roles, each on a landscape page.

    A forked ladder with too many roles for one page gets one table per
    track, reading from the first level up: the main track's roles up to
    where the track branches off, then the track's own. A table still too
    wide is split into pages of equal width (a spread for two), each with
    the competency names again; `part` and `parts` number them.
    """
    if len(roles) <= MATRIX_COLUMNS or len(content.tracks) == 1:
        groups = [(None, roles)]
    else:
        by_id = {role["id"]: role for role in roles}
        groups = []
        for track in content.tracks:
            own = [role for role in content.roles if role.track == track.id]
            fork = content.role(track.branches_from) if track.branches_from else None
            below = [role for role in content.roles if fork and role.track == MAIN_TRACK and role.level <= fork.level]
            names = {by_id[role.id]["track"] for role in own} - {None}
            groups.append((next(iter(names), None), [by_id[role.id] for role in below + own]))
    tables = []
    for track, columns in groups:
        parts = -(-len(columns) // MATRIX_COLUMNS)
        width = -(-len(columns) // parts)
        for index in range(parts):
            chunk = columns[index * width : (index + 1) * width]
            tables.append({"track": track, "roles": chunk, "part": index + 1, "parts": parts})
    return tables


def _context(content: Content, target: Target, ladder_height: float, web: bool = False) -> dict[str, Any]:
    """What every template receives: plain data only (text, numbers, lists and mappings of them).

    No model, path or function reaches a template, so a company template
    cannot call a method that reads or writes a file, whatever the sandbox
    lets through. SVG diagrams and URLs are prepared here; for the web
    edition (`web`) the ladders' steps link to the role pages.
    """
    brand = target.brand
    title = content.guide.ladder.title
    track_names = _track_names(content)
    trunk = trunk_roles(content)
    groups = ladder_groups(content, track_names, trunk)
    roles = []
    previous_track = None
    role_links = {role.id: f"{role.id}.html" for role in content.roles} if web else None  # from a role page
    for role in content.roles:
        data = _role_data(role, content, track_names, trunk)
        data["ladder"] = ladder_svg(
            groups,
            brand,
            current=role.id,
            height=ladder_height,
            title=title,
            links=role_links,
        )
        # The first role of each track after the fork opens the track's group (contents, role pages).
        data["track_opens"] = data["track"] is not None and data["track"] != previous_track
        previous_track = data["track"]
        roles.append(data)
    sections = [section.model_dump(mode="json") for section in content.sections]
    guide = content.guide.model_dump(mode="json", by_alias=False)
    guide["date"] = long_date(content.guide.date, target.locale)
    words, english_labels = _labels(target)
    return {
        "created": created(content),
        "guide": guide,
        "competencies": content.competencies.model_dump(mode="json"),
        "roles": roles,
        "levels": content.levels,
        "matrices": _matrices(content, roles),
        "tracks": [
            {"id": track.id, "name": track_names[track.id], "description": track.description}
            for track in content.tracks
        ],
        "sections": {place: [s for s in sections if s["placement"] == place] for place in ("start", "end")},
        "brand": {
            "name": brand.name,
            "colors": brand.colors.model_dump(),
            "font": brand.font.family,
            "url": brand.url,
        },
        "labels": words,
        "lang": target.locale,
        "untranslated": content.untranslated | english_labels,
        "paper": target.paper,
        "logo": data_uri(brand.logo, target.company_dir or brand.logo.parent) if brand.logo else None,
        "company_css": [path.as_uri() for path in target.stylesheets],
        "version": __version__,
        "ladder": ladder_svg(
            groups,
            brand,
            height=150,
            use_title=True,
            title=title,
            links={role.id: f"roles/{role.id}.html" for role in content.roles} if web else None,
        ),
        "cover_ladder": ladder_svg(groups, brand, width=600, height=260, decorative=True),
    }


def _render(theme: Target, name: str, limit: int = MAX_HTML_CHARS, **context: Any) -> str:
    """Render one template; a broken, unsafe or runaway company template is the user's error, located.

    The output is collected piece by piece and stops at `limit` characters,
    so a template that loops without end cannot fill the memory (the build's
    time limit stops one that runs without output).
    """
    try:
        pieces, size = [], 0
        for piece in _templates(theme).get_template(name).generate(**context):
            size += len(piece)
            if size > limit:
                raise UserError(
                    Problem(
                        f"the template {name} made more than {limit // (1024 * 1024)} MB of HTML; "
                        "a loop in a company template may run too often",
                        theme.templates_dir,
                    )
                )
            pieces.append(piece)
        return "".join(pieces)
    except jinja2.TemplateSyntaxError as error:
        path = Path(error.filename) if error.filename else None
        raise UserError(Problem(f"template error: {error.message}", path, error.lineno)) from None
    except SecurityError as error:
        path, line = _template_frame(error, theme)
        raise UserError(
            Problem(f"a company template tried something unsafe and was stopped: {error}", path, line)
        ) from None
    except UserError:
        raise
    except Exception as error:
        path, line = _template_frame(error, theme)
        if path is None:
            raise
        why = str(error) or type(error).__name__
        raise UserError(Problem(f"a company template failed: {why}", path, line)) from None


def _template_frame(error: BaseException, theme: Target) -> tuple[Path | None, int | None]:
    """The company template file and line where `error` happened, if it happened in one.

    Jinja2 rewrites tracebacks so that template code appears under the
    template's own file name and line.
    """
    if theme.templates_dir is None:
        return None, None
    folder = theme.templates_dir
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(folder):
            return path, frame.lineno
    return folder, None


def card_paper(target: Target, finish: Finish | None = None) -> Paper | None:
    """The cards' real size, or None for cards the size of the guide's paper."""
    name = (finish.card_size if finish is not None else None) or target.cards.size
    return None if name == "page" else CARD_SIZES[name]


def card_scale(target: Target, finish: Finish | None = None) -> float:
    """A card's size against a full A4 card: 1 for page-size cards, 0.5 for A6."""
    paper = card_paper(target, finish)
    return 1.0 if paper is None else min(paper.width_mm / 210, paper.height_mm / 297)


def card_caps(target: Target, finish: Finish | None = None) -> dict[str, int | None]:
    """How many of each list a card shows at its size."""
    scale = card_scale(target, finish)
    return CARD_CAPS if scale == 1 else MEDIUM_CARD_CAPS if scale >= 0.55 else SMALL_CARD_CAPS


def card_page_css(target: Target, finish: Finish | None = None) -> Markup:
    """Page size, margins and `--card` scale for cards of a real size ('' for page-size cards).

    A real-size card always carries 3 mm of bleed (its single PDF is
    cropped to the card; imposition uses the bleed to run colour into the
    gutters); for a print shop (`print_ready`) it gets crop marks as well.
    """
    paper = card_paper(target, finish)
    if paper is None:
        return Markup("")
    factor = card_scale(target, finish)
    top, side, bottom = (max(6.0, round(value * factor, 1)) for value in (12, 14, 16))
    print_ready = finish is not None and finish.print_ready
    sheet = f"bleed: {SLUG_MM if print_ready else BLEED_MM}mm;{' marks: crop;' if print_ready else ''}"
    return Markup(
        f"\n:root {{ --card: {factor:.3f}; --card-top: {top}mm; --card-side: {side}mm; --card-bottom: {bottom}mm; "
        f"--page-width: {paper.width_mm}mm; --page-height: {paper.height_mm}mm; --bleed: {BLEED_MM}mm; }}\n"
        f"@page card {{ size: {paper.css}; margin: {top}mm {side}mm {bottom}mm; {sheet} }}\n"
        f"@page back {{ size: {paper.css}; {sheet} }}\n"
        + ((styles_dir() / "cards-small.css").read_text(encoding="utf-8") if factor < 0.7 else "")
    )


def role_link(target: Target, role_id: str) -> dict[str, Any] | None:
    """Where a card's QR code leads: `cards.link` with the role id, else `brand.url` at the role's anchor."""
    if target.cards.link:
        url = target.cards.link.replace("{role}", role_id)
    elif target.brand.url:
        url = f"{target.brand.url.split('#')[0]}#role-{role_id}"
    else:
        return None
    # Printed without its scheme, and breakable after "/", "." and "#" (zero-width spaces), never mid-word.
    short = re.sub(r"([/.#])(?=.)", "\\1\u200b", url.split("://", 1)[-1])
    return {"url": url, "short": short, "qr": qr_svg(url, target.brand.colors.text)}


def qr_svg(url: str, color: str) -> Markup:
    """A QR code for `url` as inline SVG, drawn in `color` (print it on white)."""
    import segno

    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=1, border=0, dark=color, omitsize=True))


def render_guide(content: Content, target: Target, finish: Finish = PLAIN) -> HtmlDocument:
    """The multi-page career guide; with `finish.booklet`, laid out for a folded booklet with a back cover."""
    css = _stylesheet(target, finish, "base", "guide")
    url = target.brand.url
    latest = qr_svg(url, target.brand.colors.text) if finish.booklet and url else None
    context = _context(content, target, 84)
    html = _render(target, "guide.html", **context, css=css, booklet=finish.booklet, latest_qr=latest)
    return _document("career-guide", html, target)


def render_cards(
    content: Content,
    target: Target,
    scales: Mapping[str, int] | None = None,
    only: str | Collection[str] | None = None,
    finish: Finish = PLAIN,
) -> HtmlDocument:
    """All role cards in ladder order, one page each (or only the card or cards of `only`).

    `scales` maps a role id to a step in `CARD_SCALES` for cards set smaller
    because they did not fit at full size.
    """
    scales = scales or {}
    wanted = {only} if isinstance(only, str) else (set(only) if only is not None else None)
    context = _context(content, target, 72)
    cards = [
        (role, CARD_SCALES[scales.get(role["id"], 0)])
        for role in context["roles"]
        if wanted is None or role["id"] in wanted
    ]
    css = _stylesheet(target, finish, "base", "cards") + card_page_css(target, finish)
    html = _render(target, "cards.html", **context, css=css, cards=cards, caps=card_caps(target, finish))
    name = only if isinstance(only, str) else "role-cards"
    return _document(name, html, target)


def render_backs(content: Content, target: Target, finish: Finish = PLAIN) -> HtmlDocument:
    """The back of every card, in ladder order: the role's self-check, the logo, and a QR code to the role online.

    `links` maps each role id to its link (`url`, `short` to print, `qr`), or
    None when the company has no `brand.url` or `cards.link`; `qr` is the
    company's own page, for templates written before cards had role links.
    """
    qr = qr_svg(target.brand.url, target.brand.colors.text) if target.brand.url else None
    css = _stylesheet(target, finish, "base", "cards") + card_page_css(target, finish)
    links = {role.id: role_link(target, role.id) for role in content.roles}
    context = _context(content, target, 72)
    html = _render(target, "card-backs.html", **context, css=css, qr=qr, links=links, caps=card_caps(target, finish))
    return _document("card-backs", html, target)


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode("ascii")


def render_packets(
    content: Content, target: Target, hires: Sequence[Any] = (), roles: Sequence[str] = ()
) -> HtmlDocument:
    """Personal pages: a cover for each of `hires`, then the "your role" pages of each role id in `roles`.

    Onboarding lays out the covers of many people in one document and each
    role's pages once, however many people share that role. `hires` are
    `onboard.Hire`s; each reaches the template as a mapping with its role's
    data under `role`, its start date as text and `name_size` ("long",
    "longer" or None) for a name that needs smaller type. `contacts` are
    the people the company's own pages list.
    """
    css = _stylesheet(target, PLAIN, "base", "cards")
    context = _context(content, target, 72)
    by_id = {role["id"]: role for role in context["roles"]}
    # A cover's ladder is an image: WeasyPrint reads it once per role, where inline SVG is parsed on every cover.
    images = {hire.role_id: _svg_uri(by_id[hire.role_id]["ladder"]) for hire in hires}
    by_id = {role_id: {**role, "ladder_image": images.get(role_id)} for role_id, role in by_id.items()}
    people = [
        {
            "row": hire.row,
            "name": hire.name,
            "name_size": "longer" if len(hire.name) > 40 else "long" if len(hire.name) > 22 else None,
            "role": by_id[hire.role_id],
            "start_date": long_date(hire.start_date, target.locale) if hire.start_date else None,
            "manager": hire.manager,
            "buddy": hire.buddy,
            "email": hire.email,
            "note": hire.note,
        }
        for hire in hires
    ]
    limit = MAX_HTML_CHARS + HTML_CHARS_PER_HIRE * len(hires)
    contacts = [contact for section in context["sections"].values() for s in section for contact in s["contacts"]]
    pages = [by_id[role_id] for role_id in roles]
    html = _render(target, "packet.html", limit, **context, css=css, hires=people, contacts=contacts, role_pages=pages)
    return _document("packets", html, target)
