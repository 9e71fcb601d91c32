"""Stage 3: render the validated model to HTML with Jinja2.

The HTML is the exact input WeasyPrint receives. Stylesheets are inlined so
that an emitted `.html` file is self-contained: a designer can open it in a
browser, or run `weasyprint career-guide.html out.pdf` on it, and get what we
got. Brand colours and fonts enter only as CSS custom properties on `:root`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import __version__
from .brand import data_uri
from .diagrams import ladder_svg, tint
from .errors import Problem, UserError
from .locale import labels
from .models import Content, Target
from .plan import PLAIN, Finish
from .resources import styles_dir, templates_dir
from .typeset import rich, typeset

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
PAPER_MM = {"a4": (210, 297), "letter": (215.9, 279.4)}
BLEED_MM = 3  # colour that touches the trim edge runs this far past it
SLUG_MM = 10  # the sheet reaches this far past the trim edge: bleed, then the crop marks

# Cards that do not fit at full size are set smaller in these steps, largest
# first; a card that still does not fit at the last step fails the build.
CARD_SCALES = (1.0, 0.94, 0.88, 0.82)


@dataclass(frozen=True)
class HtmlDocument:
    """One HTML document ready for WeasyPrint, and the folders it may load files from."""

    name: str
    html: str
    base_url: str
    allowed: tuple[Path, ...] = ()


def _document(name: str, html: str, target: Target) -> HtmlDocument:
    allowed = (styles_dir(), templates_dir(), *((target.company_dir,) if target.company_dir else ()))
    return HtmlDocument(name, html, styles_dir().as_uri() + "/", allowed)


@cache
def _environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """Templates are looked up company folder first, then the theme.

    Company templates come from outside the team, so every template runs in
    Jinja2's sandbox, with autoescaping on.
    """
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["typeset"] = typeset
    env.filters["rich"] = rich
    env.filters["css_string"] = css_string
    return env


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
    """`@font-face` rules for a brand's own font files, weights and styles read from the files."""
    from .brand import read_font

    rules = []
    for path in target.brand.font_files:
        face = read_font(path)
        family, source = css_string(target.brand.font.family), css_string(path.as_uri())
        style = "italic" if face.italic else "normal"
        rules.append(
            f"@font-face {{ font-family: {family}; src: url({source}); "
            f"font-weight: {face.weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def brand_properties(target: Target, finish: Finish | None = None) -> str:
    """The `:root` custom properties and page sizes that carry the brand into the theme CSS.

    For print-ready output the pages also get a bleed and crop marks, and
    `--bleed` tells the theme how far to extend colour that touches the edge.
    """
    bleed = BLEED_MM if finish is not None and finish.print_ready else 0
    colors = target.brand.colors
    width, height = PAPER_MM[target.paper]
    values = {
        "--primary": colors.primary,
        "--accent": colors.accent,
        "--text": colors.text,
        "--muted": tint(colors.text, 0.78),
        "--rule": tint(colors.primary, 0.30),
        "--tint": tint(colors.primary, 0.07),
        "--font": f'{css_string(target.brand.font.family)}, "Inter", "DejaVu Sans", "WenQuanYi Micro Hei", sans-serif',
        "--page-width": f"{width}mm",
        "--page-height": f"{height}mm",
        "--bleed": f"{bleed}mm",
    }
    body = "".join(f"{name}: {value}; " for name, value in values.items())
    size = PAPER_SIZES[target.paper]
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
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return content.guide.date.isoformat()


def _context(content: Content, target: Target) -> dict[str, Any]:
    words = labels(target.locale)
    return {
        "created": created(content),
        "content": content,
        "guide": content.guide,
        "roles": content.roles,
        "target": target,
        "brand": target.brand,
        "labels": words,
        "lang": target.locale,
        "logo": data_uri(target.brand.logo) if target.brand.logo else None,
        "company_css": [path.as_uri() for path in target.stylesheets],
        "version": __version__,
        "ladder": lambda current=None, **kw: ladder_svg(
            content.roles, target.brand, current=current, title=content.guide.ladder.title, **kw
        ),
    }


def _render(theme: Target, name: str, **context: Any) -> str:
    """Render one template; a broken or unsafe company template is the user's error, located."""
    try:
        return _templates(theme).get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        path = Path(error.filename) if error.filename else None
        raise UserError(Problem(f"template error: {error.message}", path, error.lineno)) from None
    except SecurityError as error:
        raise UserError(Problem(f"a company template tried something unsafe and was stopped: {error}")) from None
    except jinja2.TemplateError as error:
        if theme.templates_dir is None:
            raise
        raise UserError(Problem(f"a company template failed: {error}", theme.templates_dir)) from None


def render_guide(content: Content, target: Target, finish: Finish = PLAIN) -> HtmlDocument:
    """The multi-page career guide."""
    css = _stylesheet(target, finish, "base", "guide")
    html = _render(target, "guide.html", **_context(content, target), css=css)
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
    cards = [role for role in content.roles if wanted is None or role.id in wanted]
    html = _render(
        target,
        "cards.html",
        **_context(content, target),
        css=_stylesheet(target, finish, "base", "cards"),
        cards=[(role, CARD_SCALES[scales.get(role.id, 0)]) for role in cards],
    )
    name = only if isinstance(only, str) else "role-cards"
    return _document(name, html, target)


def render_backs(content: Content, target: Target, finish: Finish = PLAIN) -> HtmlDocument:
    """The back of every card, in ladder order: the logo, the role, and a QR code to the company's page."""
    qr = None
    if target.brand.url:
        import segno

        code = segno.make(target.brand.url, error="m")
        qr = Markup(code.svg_inline(scale=1, border=0, dark=target.brand.colors.text, omitsize=True))
    html = _render(
        target,
        "card-backs.html",
        **_context(content, target),
        css=_stylesheet(target, finish, "base", "cards"),
        qr=qr,
    )
    return _document("card-backs", html, target)


def render_packets(content: Content, target: Target, hires) -> HtmlDocument:
    """The personal pages of every hire on a roster, in one document: a cover and their role."""
    css = _stylesheet(target, PLAIN, "base", "cards")
    return _document(
        "packets", _render(target, "packet.html", **_context(content, target), css=css, hires=hires), target
    )
