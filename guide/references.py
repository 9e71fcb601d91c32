"""Check what a company's files point at, before anything is rendered.

The renderer's fetcher (`fetch.py`) refuses to load anything outside the
company's folder; this check finds the same references earlier, in the
company's CSS files and SVG logo, and reports each with its file, line and
column, so that the person who wrote it can fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

SVG_REFERENCE = re.compile(r"""(?:\bhref\s*=\s*["']([^"']*)["'])|(?:url\(\s*["']?([^"')]*))""")


def check_reference(reference: str, base: Path, folder: Path) -> str | None:
    """Why `reference` (found in a file in `base`) may not be used, or None if it may."""
    reference = reference.strip()
    if not reference or reference.startswith("#"):
        return None
    parts = urlsplit(reference)
    if parts.scheme == "data":
        return None
    if parts.scheme:
        return f"`{reference}`: only files in the company's folder can be used, not {parts.scheme}: addresses"
    if reference.startswith(("/", "\\")):
        return f"`{reference}`: use a path relative to the company's folder, not an absolute one"
    target = (base / unquote(parts.path)).resolve()
    if not target.is_relative_to(folder.resolve()):
        return f"`{reference}` points outside the company's folder"
    return None


def css_references(path: Path, folder: Path) -> list[Problem]:
    """url(...) values and @import rules in a company stylesheet that reach outside its folder."""
    import tinycss2

    problems: list[Problem] = []
    rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)

    def visit(tokens) -> None:
        for token in tokens or ():
            reference = None
            if token.type == "url":
                reference = token.value
            elif token.type == "function" and token.lower_name in ("url", "src"):
                reference = next((arg.value for arg in token.arguments if arg.type == "string"), None)
            elif token.type == "at-rule" and token.lower_at_keyword == "import":
                reference = next((arg.value for arg in token.prelude if arg.type in ("string", "url")), None)
            if reference is not None and (why := check_reference(reference, path.parent, folder)):
                problems.append(Problem(why, path, token.source_line, token.source_column))
            for child in ("content", "prelude", "arguments"):
                visit(getattr(token, child, None))

    visit(rules)
    return problems


def svg_references(path: Path, folder: Path) -> list[Problem]:
    """href and url(...) values in an SVG logo: only fragments (#id) and data: URIs are allowed."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        for match in SVG_REFERENCE.finditer(line):
            reference = match.group(1) if match.group(1) is not None else match.group(2)
            if reference and not reference.startswith(("#", "data:")):
                problems.append(
                    Problem(
                        f"`{reference}`: an SVG logo must not load other files or addresses; embed what it needs",
                        path,
                        number,
                        match.start() + 1,
                        "brand.logo",
                    )
                )
    return problems
