"""Check what a company's files point at, before anything is rendered.

The renderer's fetcher (`fetch.py`) refuses to load anything outside the
company's folder; this check finds the same references earlier, in the
company's CSS files and SVG logo, and reports each with its file, line and
column, so that the person who wrote it can fix it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem
from .files import decode_text, read_inside


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


MAX_CSS_BYTES = 1024 * 1024  # a brand's stylesheet is a few kilobytes
MAX_SVG_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Load:
    """A file a company stylesheet loads: where the stylesheet says it is, and where it says so."""

    path: Path  # the stylesheet's folder joined with the reference, made absolute (links not followed)
    sheet: Path
    line: int
    column: int
    imported: bool  # an @import: a stylesheet in its own right


def check_stylesheets(sheets: list[Path], folder: Path) -> tuple[list[Problem], list[Load]]:
    """The company's stylesheets and every stylesheet they @import, checked; and every file they load.

    A stylesheet reached through @import is checked like the others: the
    web edition publishes it, so what it points at matters as much.
    """
    problems: list[Problem] = []
    loads: list[Load] = []
    seen: set[Path] = set()
    pending = list(reversed(sheets))
    while pending:
        sheet = pending.pop()
        key = Path(os.path.abspath(sheet))
        if key in seen:
            continue
        seen.add(key)
        found, references = scan_css(sheet, folder)
        problems.extend(found)
        for reference, line, column, imported in references:
            parts = urlsplit(reference.strip())
            if parts.scheme == "data" or reference.strip().startswith("#"):
                continue
            load = Load(Path(os.path.abspath(sheet.parent / unquote(parts.path))), sheet, line, column, imported)
            loads.append(load)
            if imported and load.path.suffix.lower() == ".css" and load.path.is_file():
                pending.append(load.path)
    return problems, loads


def scan_css(path: Path, folder: Path) -> tuple[list[Problem], list[tuple[str, int, int, bool]]]:
    """A company stylesheet's problems (references outside its folder, page sizes) and its allowed references.

    Each reference comes with its line, column and whether it is an @import.
    The tokens are walked with a list, not by recursion, so no nesting depth
    can exhaust the stack.
    """
    import tinycss2

    problems: list[Problem] = []
    allowed: list[tuple[str, int, int, bool]] = []
    text = decode_text(read_inside(path, folder, MAX_CSS_BYTES), path)
    try:
        rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    except RecursionError:
        return [Problem("this stylesheet nests brackets too deeply to be read; simplify it", path)], []
    pending = list(reversed(rules))
    while pending:
        token = pending.pop()
        references: list[str] = []
        imported = False
        if token.type == "url":
            references = [token.value]
        elif token.type == "function" and token.lower_name in ("url", "src"):
            references = [arg.value for arg in token.arguments if arg.type == "string"][:1]
        elif token.type == "function" and token.lower_name in ("image-set", "-webkit-image-set"):
            references = [arg.value for arg in token.arguments if arg.type == "string"]  # a bare string is a URL
        elif token.type == "at-rule" and token.lower_at_keyword == "import":
            references = [arg.value for arg in token.prelude if arg.type in ("string", "url")][:1]
            imported = True
        elif token.type == "at-rule" and token.lower_at_keyword == "page" and token.content:
            for declaration in tinycss2.parse_blocks_contents(token.content, skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name in ("size", "bleed", "marks"):
                    problems.append(
                        Problem(
                            f"`{declaration.name}` cannot be set in a company stylesheet: the page size comes "
                            "from `paper:` in company.yaml, bleed and marks from `--print-ready`",
                            path,
                            declaration.source_line,
                            declaration.source_column,
                        )
                    )
        for reference in references:
            if why := check_reference(reference, path.parent, folder):
                problems.append(Problem(why, path, token.source_line, token.source_column))
            elif reference.strip():
                allowed.append((reference, token.source_line, token.source_column, imported))
        for child in ("arguments", "prelude", "content"):
            pending.extend(reversed(getattr(token, child, None) or []))
    return problems, allowed


_CSS_REFERENCE = re.compile(r"""url\(\s*["']?([^"')]*)|@import\s+["']([^"']*)""", re.IGNORECASE)


def svg_references(path: Path, folder: Path) -> list[Problem]:
    """References in an SVG logo to anything but its own fragments (#id) and data: URIs.

    Every attribute that names a URL (href, xlink:href, src), every `url(...)`
    in an attribute or a <style> element, and every `@import` are checked;
    entity declarations are refused too, since they can pull in other files
    or expand a few bytes into gigabytes. WeasyPrint drops what it cannot
    load in an SVG silently, so this check is what stops the build.
    """
    from xml.parsers import expat

    data = read_inside(path, folder, MAX_SVG_BYTES)
    problems: list[Problem] = []
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(reference: str, why: str = "") -> None:
        problems.append(
            Problem(
                why or f"`{reference}`: an SVG logo must not load other files or addresses; embed what it needs",
                path,
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
                "brand.logo",
            )
        )

    def check_text(text: str) -> None:
        for match in _CSS_REFERENCE.finditer(text):
            reference = (match.group(1) if match.group(1) is not None else match.group(2) or "").strip()
            if match.group(2) is not None or (reference and not reference.startswith(("#", "data:"))):
                refuse(reference)

    def start(name: str, attributes: dict[str, str]) -> None:
        for attribute, value in attributes.items():
            local = attribute.rsplit(":", 1)[-1].rsplit(" ", 1)[-1].lower()
            reference = value.strip()
            if local in ("href", "src") and reference and not reference.startswith(("#", "data:")):
                refuse(reference)
            else:
                check_text(value)

    def entity(*_args) -> None:
        refuse("", "an SVG logo must not declare entities (<!ENTITY ...>)")
        raise _Stop

    parser.StartElementHandler = start
    parser.CharacterDataHandler = check_text
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *_args: 0
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as error:
        problems.append(
            Problem(
                f"the SVG logo is not well-formed XML ({expat.errors.messages.get(error.code, 'unreadable')})",
                path,
                error.lineno,
                error.offset + 1,
                "brand.logo",
            )
        )
    return problems


class _Stop(Exception):
    pass
