"""The paper sizes a guide can be printed on, defined once for the models, the CSS and imposition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator


def _lower(value):
    """Names people type in either case (`A4`, `Letter`, `A6`) are read in lower case."""
    return value.strip().lower() if isinstance(value, str) else value


@dataclass(frozen=True)
class Paper:
    css: str  # the CSS `size` keyword
    width_mm: float
    height_mm: float
    label: str = ""  # how a person names it, when not the CSS keyword

    @property
    def name(self) -> str:
        return self.label or self.css

    @property
    def points(self) -> tuple[float, float]:
        return self.width_mm * 72 / 25.4, self.height_mm * 72 / 25.4


PAPERS = {"a4": Paper("A4", 210, 297), "letter": Paper("letter", 215.9, 279.4, "Letter")}

#: The `paper:` values company.yaml accepts (the keys of PAPERS).
PaperName = Annotated[Literal[tuple(PAPERS)], BeforeValidator(_lower)]  # `A4` and `Letter` too

#: Sheets the card deck can be imposed on: the papers, and A3 for a print shop or a large office printer.
SHEETS = {**PAPERS, "a3": Paper("A3", 297, 420)}
SheetName = Literal[tuple(SHEETS)]

#: Real card sizes. "page" (not listed) is the guide's own paper, as the cards have always been.
CARD_SIZES = {
    "a6": Paper("A6", 105, 148),
    "a5": Paper("A5", 148, 210),
    "4x6": Paper("4in 6in", 101.6, 152.4, "4 x 6 in"),
    "5x7": Paper("5in 7in", 127, 177.8, "5 x 7 in"),
}
CardSize = Annotated[Literal["page", *CARD_SIZES], BeforeValidator(_lower)]  # type: ignore[valid-type]
