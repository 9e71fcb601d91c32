"""Stage 4: lay out HTML with WeasyPrint and serialise PDFs.

WeasyPrint is imported here and only here, so commands that never render
(`--help`, `validate`) stay fast. Layout is the expensive step: a document is
laid out once and every PDF cut from it (the card deck and each single card)
reuses that layout through `Document.copy`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, UserError
from .plan import PLAIN, Finish
from .render_html import CARD_SCALES, HtmlDocument, card_paper, render_cards

if TYPE_CHECKING:
    from weasyprint import Document
    from weasyprint.text.fonts import FontConfiguration

    from .models import Content, Target

PX_PER_MM = 96 / 25.4


class RenderWarnings(logging.Handler):
    """Collects what WeasyPrint logs while a document renders.

    WeasyPrint reports missing fonts, bad CSS and unreachable images as log
    warnings and carries on; we surface them instead of losing them.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Renderer:
    """Shares one FontConfiguration across every document it renders."""

    font_config: FontConfiguration = field(default_factory=lambda: _font_config())

    def render(
        self,
        document: HtmlDocument,
        warnings: list[Problem] | None = None,
        images: dict | None = None,
        read: dict[Path, str] | None = None,
    ) -> Document:
        """Lay out one document; it may load files only from `document.allowed` (see `fetch.py`).

        What WeasyPrint logs on the way (a glyph no font has, CSS it
        ignored) is added to `warnings`. `images` is WeasyPrint's image
        cache, keyed by URL: pass one per target (see `outputs.Job`), never
        one per process, or a logo edited between two builds of a
        long-lived process would be drawn from memory. The files the layout
        read (fonts, images) are added to `read` with their SHA-256.
        """
        from weasyprint import HTML

        from .fetch import RefusedResource, SafeFetcher

        handler = RenderWarnings()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            fetcher = SafeFetcher(document.allowed)
            html = HTML(string=document.html, base_url=document.base_url, url_fetcher=fetcher)
            with rare_collections():
                rendered = html.render(font_config=self.font_config, cache={} if images is None else images)
        except RefusedResource as error:
            raise UserError(Problem(f"{document.name}: {error}")) from None
        except Exception as error:
            if not document.company_files:
                raise
            # WeasyPrint can fail on unusual CSS; with the theme alone it does not.
            raise UserError(
                [
                    Problem(
                        f"{document.name}: the layout failed ({type(error).__name__}) with this company's own "
                        "stylesheets or templates; undo the last change to them, or remove them to find the cause",
                        path,
                    )
                    for path in document.company_files
                ]
            ) from None
        finally:
            logger.removeHandler(handler)
        if read is not None:
            read.update(fetcher.read)
        if warnings is not None:
            warnings.extend(Problem(f"{document.name}: {message}") for message in handler.messages)
        return rendered


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run Python's cycle collector less often while WeasyPrint lays out or writes a document.

    A layout makes millions of short-lived objects, and the collector's
    default (every 700 new objects) spends about a tenth of the time
    looking for cycles among them; collecting every 100,000 keeps memory
    bounded and the time for layout.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _font_config() -> FontConfiguration:
    check_harfbuzz_subset()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def check_harfbuzz_subset() -> None:
    """Fail early and clearly when HarfBuzz's subsetter is missing.

    Without `libharfbuzz-subset0`, WeasyPrint falls back to fontTools, and
    every PDF takes about ten times longer to write.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from weasyprint.text import ffi
    if ffi.harfbuzz_subset is None:
        raise UserError(
            "the HarfBuzz subsetting library is missing, which makes every PDF about ten times slower "
            "to write; run `make setup` (or `apt-get install libharfbuzz-subset0`)"
        )


def pdf_bytes(
    document: Document,
    *,
    title: str | None = None,
    variant: str | None = None,
    bleed_mm: float = 0,
    crop: bool = False,
) -> bytes:
    """Serialise a laid-out document (or a subset of its pages) to PDF bytes.

    Always tagged (for screen readers) and with a file identifier computed
    from the content, so the same input gives the same bytes. With
    `bleed_mm`, each page's BleedBox is set to its TrimBox plus that much;
    with `crop`, its CropBox to the TrimBox, so that viewers and printers
    show the finished size while the bleed stays in the file.
    """
    if title is not None:
        document = document.copy(document.pages)
        document.metadata = _with_title(document.metadata, title)
    finisher = _bleed_boxes(bleed_mm * 72 / 25.4, crop) if bleed_mm else None
    with rare_collections():
        return document.write_pdf(pdf_tags=True, pdf_identifier=True, pdf_variant=variant, finisher=finisher)


def _bleed_boxes(bleed: float, crop: bool = False):
    """A WeasyPrint finisher that sets every page's BleedBox `bleed` points outside its TrimBox.

    WeasyPrint puts the BleedBox between the TrimBox and the sheet's edge; we
    want exactly the bleed the print shop asked for, with the crop marks
    outside it.
    """
    import pydyf

    def finish(document, pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, bottom, right, top = obj["TrimBox"]
                obj["BleedBox"] = pydyf.Array([left - bleed, bottom - bleed, right + bleed, top + bleed])
                if crop:
                    obj["CropBox"] = pydyf.Array([left, bottom, right, top])

    return finish


def _with_title(metadata, title: str):
    from copy import copy

    clone = copy(metadata)
    clone.title = title
    return clone


def anchor_pages(document: Document, prefix: str) -> dict[str, int]:
    """Map each element id that starts with `prefix` to the index of its page."""
    found: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(prefix):
                found.setdefault(anchor.removeprefix(prefix), index)
    return found


def card_pages(document: Document, roles) -> dict[str, range]:
    """The pages each role's card occupies in the deck, in ladder order."""
    return page_ranges(document, "card-", [role.id for role in roles], "cards.html")


def page_ranges(document: Document, prefix: str, ids: list[str], template: str) -> dict[str, range]:
    """The pages from each element `prefix + id` to the next, for `ids` in order.

    The pipeline cuts documents into cards, backs and packets by these
    anchors; a company template that drops or reorders them is told which.
    """
    starts = anchor_pages(document, prefix)
    missing = [name for name in ids if name not in starts]
    ordered = [starts[name] for name in ids if name in starts]
    if missing or ordered != sorted(set(ordered)):
        shown = ", ".join(f'id="{prefix}{name}"' for name in (missing or ids)[:3])
        raise UserError(
            Problem(
                f"the template {template} must give each part its own page, starting at an element with "
                f"{shown}{' ...' if len(missing or ids) > 3 else ''}, in ladder order"
                + (" (these are missing)" if missing else "")
            )
        )
    ends = [*ordered[1:], len(document.pages)]
    return {name: range(start, end) for name, start, end in zip(ids, ordered, ends, strict=True)}


def separate_pages(document: Document, prefix: str, ids: list[str], template: str) -> dict[str, range]:
    """`page_ranges`, for parts that must not share a page: each starts at the top of a page of its own.

    Packets are cut from documents of many people's covers: a cover that
    ran on into the page where the next one starts would hand the end of one
    person's page to the next person, so such a layout is refused.
    """
    ranges = page_ranges(document, prefix, ids, template)
    for name, pages in ranges.items():
        page = document.pages[pages.start]._page_box
        if _top(page, f"{prefix}{name}") > page.content_box_y() + 1:
            raise UserError(
                Problem(
                    f"the template {template} with this company's stylesheets lets one part run on into the page "
                    f'where the next begins (id="{prefix}{name}" starts part-way down a page): each must start a '
                    "page of its own (`break-before: page`) and fill at most its own pages"
                )
            )
    return ranges


def _top(page, element_id: str) -> float:
    """Where the first box of the element `element_id` starts on a page (its margin edge), in px."""
    stack = [page]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            return box.position_y
        stack.extend(reversed(getattr(box, "children", [])))
    return float("inf")


def overflow_mm(document: Document, page_index: int, element_id: str) -> float:
    """How far the element `element_id` reaches down a page it spilled onto, in mm."""
    page = document.pages[page_index]._page_box
    stack = [page]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            return (box.position_y + box.margin_height() - page.content_box_y()) / PX_PER_MM
        stack.extend(getattr(box, "children", []))
    return 0.0


@dataclass(frozen=True)
class FittedCards:
    """The card deck with every card on one page: its HTML, its layout (a page per role) and the type steps used."""

    html: HtmlDocument
    deck: Document
    scales: dict[str, int]

    @property
    def fronts(self) -> list:
        return list(self.deck.pages)


def fit_cards(
    content: Content, target: Target, layout: Callable[[HtmlDocument], Document], finish: Finish = PLAIN
) -> FittedCards:
    """Lay out the card deck, shrinking the type of any card that spills over.

    Each overflowing card steps down through `CARD_SCALES`; a card that still
    spills at the smallest step fails the build with the amount it is over.
    Only the cards that spilled are laid out again. The deck is then set at
    the smallest step any card needed, every card alike (a card that fits
    at a size fits smaller).
    """
    scales: dict[str, int] = {}
    fitted: dict[str, object] = {}
    pending = [role.id for role in content.roles]
    first = None
    while pending:
        document = layout(render_cards(content, target, scales, only=pending, finish=finish))
        first = first or document
        roles = [content.role(role_id) for role_id in pending]
        problems = []
        pending = []
        for role_id, pages in card_pages(document, roles).items():
            if len(pages) == 1:
                fitted[role_id] = document.pages[pages[0]]
            elif scales.get(role_id, 0) + 1 < len(CARD_SCALES):
                scales[role_id] = scales.get(role_id, 0) + 1
                pending.append(role_id)
            else:
                over = sum(overflow_mm(document, page, f"card-{role_id}") for page in pages[1:])
                problems.append(
                    Problem(
                        f"the card for {content.role(role_id).title} does not fit on one page even with its type "
                        f"at {CARD_SCALES[-1]:.0%}: about {over:.0f} mm too long. Shorten its summary, "
                        "responsibilities, skills or ready_for_next"
                        + (", or choose a larger card size" if card_paper(target, finish) else ""),
                        field=f"roles.{role_id}",
                    )
                )
        if problems:
            raise UserError(problems)
    # One type scale for the whole deck, the smallest any card needed, so the cards look alike side by side.
    smallest = max(scales.values(), default=0)
    if any(scales.get(role.id, 0) != smallest for role in content.roles):
        scales = {role.id: smallest for role in content.roles}
        html = render_cards(content, target, scales, finish=finish)
        document = layout(html)
        pages = card_pages(document, content.roles)
        return FittedCards(html, document.copy([document.pages[pages[role.id][0]] for role in content.roles]), scales)
    deck = first.copy([fitted[role.id] for role in content.roles])
    return FittedCards(render_cards(content, target, scales, finish=finish), deck, scales)
