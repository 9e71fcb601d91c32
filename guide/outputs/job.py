"""A target being made, and what an output unit is.

The `Job` holds what every unit reads (the validated content, the target's
brand and paper, the options) and the layouts that several units share. A
layout is made the first time a unit asks for it and kept for this target
only, so the guide is laid out once whether one unit or three use it, and a
unit nobody asked for never costs a layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from ..models import Content, Target
from ..plan import BuildOptions
from ..render_html import BLEED_MM, HtmlDocument, card_paper, render_backs, render_cards, render_guide

if TYPE_CHECKING:
    from weasyprint import Document

    from ..render_pdf import FittedCards, Renderer


@dataclass(frozen=True)
class Unit:
    """One kind of output: `make` returns its files (relative path -> bytes) when `wanted(job)` is true.

    `source` is the text the unit's files are made from (the HTML it lays
    out): while it, the files its layouts read and everything the whole
    target depends on apart from its own files are unchanged, the files the
    unit made last time are kept, not made again (see `make_files`). A unit
    with no `source` is made on every build of its target.
    """

    name: str
    make: Callable[[Job], dict[str, bytes]]
    wanted: Callable[[Job], bool] = lambda job: True
    source: Callable[[Job], str] | None = None


_FINISH_VARIANT = object()  # pdf(): use the variant the options ask for


class Job:
    def __init__(self, content: Content, target: Target, options: BuildOptions, renderer: Callable[[], Renderer]):
        self.content = content
        self.target = target
        self.options = options
        self.finish = options.finish
        #: What the layout engine reported (missing glyphs, CSS it ignored), as problems of this target.
        self.warnings: list[Problem] = []
        self._renderer = renderer
        self._images: dict = {}  # WeasyPrint's image cache: the logo is read once per target, never across targets
        #: The files this target's layouts read (fonts, images), with the SHA-256 of what was read.
        self.read: dict[Path, str] = {}
        #: Files kept from the last build, unchanged (see `make_files`): reused rather than laid out again.
        self.kept: dict[str, bytes] = {}

    def layout(self, html: HtmlDocument) -> Document:
        """Lay out one HTML document, collecting its warnings for this target."""
        return self._renderer().render(html, self.warnings, self._images, self.read)

    def pdf(self, document: Document, title: str | None = None, variant=_FINISH_VARIANT, card: bool = False) -> bytes:
        """PDF bytes of a laid-out document (or a copy of some of its pages), finished as the options ask.

        A `card` of a real size carries its bleed, cropped away (see `render_html.card_page_css`).
        """
        from ..render_pdf import pdf_bytes

        variant = self.finish.pdf_variant if variant is _FINISH_VARIANT else variant
        if self.finish.print_ready:
            return pdf_bytes(document, title=title, variant=variant, bleed_mm=BLEED_MM)
        if card and card_paper(self.target, self.finish) is not None:
            return pdf_bytes(document, title=title, variant=variant, bleed_mm=BLEED_MM, crop=True)
        return pdf_bytes(document, title=title, variant=variant)

    # -- the guide

    @cached_property
    def _guide(self) -> tuple[HtmlDocument, Document]:
        """The guide's HTML and layout, with the breaks that keep its pages filled (see `balance`)."""
        from ..balance import balance, pad_pages
        from ..locale import labels

        passes: list[list[Problem]] = []

        def layout(html: HtmlDocument) -> Document:
            passes.append([])
            return self._renderer().render(html, passes[-1], self._images, self.read)

        balanced = balance(self.guide_source, layout)
        if self.finish.booklet:
            words = labels(self.target.locale, self.target.company_dir)
            balanced = pad_pages(*balanced, layout, words["notes"])
        self.warnings.extend(passes[-1])  # each pass reports the same; keep the last
        return balanced

    @cached_property
    def guide_source(self) -> HtmlDocument:
        """The guide's HTML before its pages are balanced: what its layout is made from."""
        return render_guide(self.content, self.target, self.finish)

    @property
    def guide_html(self) -> HtmlDocument:
        return self._guide[0]

    @cached_property
    def guide_pdf(self) -> bytes:
        return self.kept.get("career-guide.pdf") or self.pdf(self._guide[1])

    # -- the cards

    @cached_property
    def cards(self) -> FittedCards:
        """The card deck, every card on one page (type set smaller where needed; see `render_pdf.fit_cards`)."""
        from ..render_pdf import fit_cards

        return fit_cards(self.content, self.target, self.layout, self.finish)

    @cached_property
    def cards_source(self) -> str:
        """The cards' HTML before any card's type is fitted, and their backs': what the deck is made from."""
        fronts = render_cards(self.content, self.target, {}, finish=self.finish).html
        return fronts + (self.backs_html.html if self.backs_html is not None else "")

    @cached_property
    def backs_html(self) -> HtmlDocument | None:
        return render_backs(self.content, self.target, self.finish) if self.finish.card_backs else None

    @cached_property
    def backs(self) -> list:
        """The back of every card, in ladder order (empty without `--card-backs`)."""
        from ..render_pdf import page_ranges

        if self.backs_html is None:
            return []
        laid_out = self.layout(self.backs_html)
        ranges = page_ranges(laid_out, "back-", [role.id for role in self.content.roles], "card-backs.html")
        return [laid_out.pages[pages[0]] for pages in ranges.values()]

    def sides(self, index: int) -> list:
        """The pages of the card of the `index`-th role: its front, and its back when there are backs."""
        front = self.cards.fronts[index]
        return [front, self.backs[index]] if self.backs else [front]

    @cached_property
    def card_pdfs(self) -> dict[str, bytes]:
        """One PDF per role (front, and back with `--card-backs`), by role id."""
        kept = {role.id: self.kept.get(f"cards/{role.id}.pdf") for role in self.content.roles}
        if all(kept.values()):
            return kept
        return {
            role.id: self.pdf(
                self.cards.deck.copy(self.sides(index)), title=f"{role.title} · {self.content.guide.title}", card=True
            )
            for index, role in enumerate(self.content.roles)
        }

    def card_html(self, role_id: str | None = None) -> HtmlDocument:
        """The HTML of every card (or of one role's), each at the size it was fitted at."""
        return render_cards(self.content, self.target, self.cards.scales, role_id, self.finish)
