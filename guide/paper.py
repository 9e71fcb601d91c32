"""The paper sizes a guide can be printed on, defined once for the models, the CSS and imposition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Paper:
    css: str  # the CSS `size` keyword
    width_mm: float
    height_mm: float

    @property
    def points(self) -> tuple[float, float]:
        return self.width_mm * 72 / 25.4, self.height_mm * 72 / 25.4


PAPERS = {"a4": Paper("A4", 210, 297), "letter": Paper("letter", 215.9, 279.4)}

#: The `paper:` values company.yaml accepts (the keys of PAPERS).
PaperName = Literal[tuple(PAPERS)]
