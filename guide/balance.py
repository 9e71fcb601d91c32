"""Lay out the guide so that no page but the last is left mostly empty.

CSS decides where pages break, but it cannot see the result: a role that
runs four lines past its second page leaves a page holding four lines, and a
short chapter that starts on a new page leaves the rest of it white. So the
guide is laid out, each page's filled share measured, and where a page
(other than the cover, a booklet's blank verso and the last page) is more
than two-thirds empty, a rule is added and the guide laid out again:

- the tail of a role (or any section that must start on a new page): an
  earlier break, at the start of a part or else between two items, so that
  the last page of the role carries at least a good third of a page and the
  page before keeps as much;
- the tail of a chapter: the chapter after it runs on below it instead of
  starting a new page (only between chapters set on the same kind of page).

The rules are CSS appended to the HTML by element path, so they work for a
company's own templates too, and the emitted HTML lays out as the PDF did.
A guide that needs nothing is laid out once; each round of rules costs one
more layout, and there are at most `MAX_PASSES`. A process that lays out
the same HTML again (a watch session, `--all` with repeated targets, the
tests) tries the rules it needed last time first, and checks the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import Document

    from .render_html import HtmlDocument

MOSTLY_EMPTY = 1 / 3  # a page filled less than this (by its lowest ink) is a defect, unless it is the last
AIM = 0.42  # a rebalanced page is filled at least this much, and so is the page it takes from...
ENOUGH = MOSTLY_EMPTY + 0.01  # ...or, when no break does that, at least this much
MAX_PASSES = 4
_INK = ("LineBox", "InlineReplacedBox", "BlockReplacedBox")


@dataclass(frozen=True)
class Page:
    """One laid-out page: how far down its content reaches, and the sections on it."""

    index: int
    fill: float  # the lowest ink, as a share of the page's content height
    sections: tuple[str, ...]  # ids of the body's children on this page, in order
    exempt: bool  # the cover, a blank page, or a page with a named page type other than the body's


def measure(document: Document) -> list[Page]:
    """Each page's filled share and the top-level sections it holds."""
    pages = []
    for index, page in enumerate(document.pages):
        box = page._page_box
        top, height = box.content_box_y(), box.height
        bottom, sections = top, []
        stack = list(box.children)
        while stack:
            child = stack.pop()
            kind = type(child).__name__
            if kind == "MarginBox":
                continue
            if kind in _INK:
                bottom = max(bottom, child.position_y + child.margin_height())
            element = getattr(child, "element", None)
            if element is not None and element.tag == "body":
                sections.extend(
                    name for grandchild in child.children if (name := _element_id(grandchild)) and name not in sections
                )
            stack.extend(getattr(child, "children", ()))
        kind = box.page_type
        exempt = kind.blank or kind.name == "cover" or height <= 0
        pages.append(Page(index, (bottom - top) / height if height > 0 else 1.0, tuple(sections), exempt))
    return pages


def _element_id(box) -> str | None:
    element = getattr(box, "element", None)
    return element.get("id") if element is not None else None


def sparse_pages(pages: list[Page]) -> list[Page]:
    """The pages more than two-thirds empty that are not allowed to be (the last page of text may be)."""
    last = max((page.index for page in pages if not page.exempt), default=-1)
    return [page for page in pages[:last] if not page.exempt and page.sections and page.fill < MOSTLY_EMPTY]


def balance(html: HtmlDocument, layout: Callable[[HtmlDocument], Document]) -> tuple[HtmlDocument, Document]:
    """Lay out `html`, adding break rules until no page but the last is mostly empty.

    Returns the HTML with its rules (what the PDF was made from) and its layout.
    """
    key = hashlib.sha256(html.html.encode()).hexdigest()
    if key in _NEEDED:
        # The same HTML was balanced before in this process: try its rules first, and keep them only if
        # the pages still come out filled (a font file changed on disk would show here).
        balanced = _with_rules(html, list(_NEEDED[key]))
        document = layout(balanced)
        if not sparse_pages(measure(document)):
            return balanced, document
    document = layout(html)
    balanced, rules = html, []
    for _ in range(MAX_PASSES - 1):
        pages = measure(document)
        added = {rule for page in sparse_pages(pages) if (rule := _rule(document, pages, page))} - set(rules)
        if not added:
            break
        # Sections that start on a new page are independent, so every rule found goes in at once.
        rules.extend(sorted(added))
        balanced = _with_rules(html, rules)
        document = layout(balanced)
    if rules:
        if len(_NEEDED) >= 64:
            _NEEDED.pop(next(iter(_NEEDED)))
        _NEEDED[key] = tuple(rules)
    return balanced, document


#: The rules each HTML document needed, by the document's SHA-256, for documents laid out again in this process.
_NEEDED: dict[str, tuple[str, ...]] = {}


NOTES_MARK = "<!-- notes pages -->"


def pad_pages(
    html: HtmlDocument, document: Document, layout: Callable[[HtmlDocument], Document], label: str, multiple: int = 4
) -> tuple[HtmlDocument, Document]:
    """Add ruled notes pages before the back cover until the page count is a multiple of `multiple`.

    A booklet is printed on sheets folded in two, four pages to a sheet; the
    pages that make up the count are pages for the reader's notes rather
    than blank ones. They go where the template marks them (`NOTES_MARK`),
    else at the end.
    """
    missing = -len(document.pages) % multiple
    if not missing:
        return html, document
    lines = '<div class="rule"></div>' * 22
    page = f'<section class="notes-page"><h2>{escape(label)}</h2>{lines}</section>\n'
    text = html.html
    where = text.index(NOTES_MARK) if NOTES_MARK in text else text.rindex("</body>")
    padded = replace(html, html=text[:where] + page * missing + text[where:])
    return padded, layout(padded)


def _with_rules(html: HtmlDocument, rules: list[str]) -> HtmlDocument:
    style = "<style>/* page balance (careerguide) */\n" + "\n".join(rules) + "\n</style>\n"
    return replace(html, html=html.html.replace("</head>", style + "</head>", 1))


def _rule(document: Document, pages: list[Page], page: Page) -> str | None:
    """The CSS that fills `page`, or None when nothing can be done about it."""
    section = page.sections[-1]
    root = document.pages[page.index]._page_box.children[0].element
    element = next((node for node in root.iter() if node.get("id") == section), None)
    if element is None:
        return None
    parents = {child: parent for parent in root.iter() for child in parent}
    starts_here = pages[page.index].sections[0] == section and (
        page.index == 0 or section not in pages[page.index - 1].sections
    )
    if not starts_here:
        # The tail of a section that began on an earlier page: break it earlier.
        return _earlier_break(document, pages, page, element, parents)
    following = _next_sibling(parents, element)
    if following is not None and following.get("id") and _same_page_kind(document, page, element, following):
        return f"#{_css_id(following.get('id'))} {{ break-before: auto; margin-top: 14mm; }}"
    return None


def _earlier_break(document: Document, pages: list[Page], page: Page, section_element, parents) -> str | None:
    """A forced break inside `section_element` on the page before `page`, moving enough down to fill it."""
    before = document.pages[page.index - 1]._page_box
    top, height = before.content_box_y(), before.height
    seen = _elements_before(document, page.index - 1)
    candidates = []  # (y, is a part boundary, element)
    for box in _boxes(before):
        element = getattr(box, "element", None)
        if element is None or element in seen or box.element_tag in ("html", "body"):
            continue
        parent = parents.get(element)
        if parent is None or _after_heading(parent, element):
            continue
        if parent is section_element and element.tag != "header":
            candidates.append((box.position_y, True, element))
        elif (
            element.tag == "li"
            and _inside(element, section_element, parents)
            and 1 < _index(parent, element) < len(_elements(parent))
        ):
            candidates.append((box.position_y, False, element))
    prior = pages[page.index - 1].fill
    # Best a part boundary that fills both pages well; then an item boundary; then either that merely suffices.
    for aim, kinds in ((AIM, (True,)), (AIM, (False,)), (ENOUGH, (True, False))):
        for y, is_part, element in sorted(candidates, key=lambda item: -item[0]):
            kept = (y - top) / height
            if is_part in kinds and page.fill + prior - kept >= aim and kept >= aim:
                return f"{_path(element, parents)} {{ break-before: page; }}"
    return None


def _elements(parent) -> list:
    return [child for child in parent if isinstance(child.tag, str)]


def _after_heading(parent, element) -> bool:
    """Whether `element` comes straight after a heading, which must stay with it."""
    siblings = _elements(parent)
    position = siblings.index(element)
    return position > 0 and siblings[position - 1].tag in ("h1", "h2", "h3", "h4", "h5", "h6")


def _boxes(page_box):
    stack = [page_box]
    while stack:
        box = stack.pop()
        if type(box).__name__ == "MarginBox":
            continue
        yield box
        stack.extend(getattr(box, "children", ()))


def _elements_before(document: Document, index: int) -> set:
    seen = set()
    for page in document.pages[:index]:
        seen.update(box.element for box in _boxes(page._page_box) if getattr(box, "element", None) is not None)
    return seen


def _inside(element, ancestor, parents) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = parents.get(element)
    return False


def _index(parent, element) -> int:
    """The element's position among its parent's elements, from 1 (as `:nth-child` counts)."""
    return _elements(parent).index(element) + 1


def _next_sibling(parents, element):
    if element not in parents:
        return None
    children = _elements(parents[element])
    position = children.index(element)
    return children[position + 1] if position + 1 < len(children) else None


def _same_page_kind(document: Document, page: Page, element, following) -> bool:
    """Whether two sections are set on the same kind of page (a landscape matrix is not)."""
    styles = {}
    for page_document in document.pages[page.index :]:
        for box in _boxes(page_document._page_box):
            if getattr(box, "element", None) in (element, following) and box.element not in styles:
                styles[box.element] = box.style["page"]
    return element in styles and following in styles and styles[element] == styles[following]


def _path(element, parents) -> str:
    """A CSS selector for `element`: from its nearest ancestor with an id, by position."""
    steps = []
    while element.get("id") is None:
        parent = parents[element]
        steps.append(f":nth-child({_index(parent, element)})")
        element = parent
    return " > ".join([f"#{_css_id(element.get('id'))}", *reversed(steps)])


def _css_id(name: str) -> str:
    """An id as a CSS identifier (ids here are slugs, but a company template's may not be)."""
    return "".join(char if char.isalnum() or char in "-_" else f"\\{ord(char):x} " for char in name)
