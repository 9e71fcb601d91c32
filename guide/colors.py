"""Colour arithmetic on `#RRGGBB` brand colours: tints for the theme, WCAG contrast for the brand checks."""

from __future__ import annotations


def _channels(color: str) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def tint(color: str, amount: float) -> str:
    """Mix `color` with white; `amount` is the share of the colour (0 to 1)."""
    mixed = [round(255 - (255 - c) * amount) for c in _channels(color)]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def luminance(color: str) -> float:
    """WCAG relative luminance of a `#RRGGBB` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _channels(color)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
