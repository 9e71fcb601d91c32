"""Brand checks and brand assets: contrast, logo resolution, font files.

These run at validate time, before anything is drawn, so a brand that would
print badly is caught while the fix is cheap. Contrast and logo resolution
are warnings (errors with `--strict`); a font or logo that cannot be read is
always an error.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import Problem
from .load import Loaded
from .models import Target

AA_TEXT = 4.5
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # 5000 x 5000: far more than a logo needs at 300 dpi
MAX_FONT_BYTES = 20 * 1024 * 1024
PRINT_DPI = 300
# The largest box a logo is printed in (the cover), in millimetres.
LOGO_BOX_MM = (60.0, 14.0)


def luminance(color: str) -> float:
    """WCAG relative luminance of a `#RRGGBB` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class FontFace:
    path: Path
    weight: int
    italic: bool


@cache
def read_font(path: Path) -> FontFace:
    """Open a font file and read its weight and style; raises ValueError if it is not a font."""
    from fontTools.ttLib import TTFont, TTLibError

    if path.stat().st_size > MAX_FONT_BYTES:
        raise ValueError(f"the font file is larger than {MAX_FONT_BYTES // (1024 * 1024)} MB")
    try:
        with TTFont(io.BytesIO(path.read_bytes()), lazy=True) as font:
            os2 = font.get("OS/2")
            weight = int(os2.usWeightClass) if os2 is not None else 400
            italic = bool(os2.fsSelection & 1) if os2 is not None else bool(font["head"].macStyle & 2)
    except (TTLibError, OSError, KeyError, AssertionError, struct.error) as error:
        raise ValueError(f"cannot read this font file ({error})") from None
    return FontFace(path, min(max(weight, 100), 900), italic)


def check_brand(target: Target, loaded: Loaded) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about a company's brand."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    brand = target.brand
    colors = brand.colors

    def where(*key: str | int):
        return loaded.locate(("company", "brand", *key))

    pairs = [
        ("colors.text", colors.text, "#FFFFFF", "body text on white paper"),
        ("colors.primary", "#FFFFFF", colors.primary, "white titles on the primary colour"),
        ("colors.primary", colors.primary, "#FFFFFF", "primary-coloured headings on white paper"),
    ]
    for field, foreground, background, what in pairs:
        ratio = contrast(foreground, background)
        if ratio < AA_TEXT:
            warnings.append(
                Problem.at(
                    where(*field.split(".")),
                    f"contrast of {what} is {ratio:.1f}:1, below the {AA_TEXT}:1 that WCAG AA asks for text",
                    f"brand.{field}",
                )
            )

    if brand.logo is not None:
        try:
            width, height, raster = logo_size(brand.logo)
        except ValueError as error:
            errors.append(Problem.at(where("logo"), str(error), "brand.logo"))
        else:
            if raster:
                printed_mm = min(LOGO_BOX_MM[1], LOGO_BOX_MM[0] * height / width)
                dpi = height / (printed_mm / 25.4)
                if dpi < PRINT_DPI:
                    warnings.append(
                        Problem.at(
                            where("logo"),
                            f"the logo is {width}x{height} px: {dpi:.0f} dpi at its printed size, below "
                            f"{PRINT_DPI} dpi; it will look soft in print (use SVG or a larger PNG)",
                            "brand.logo",
                        )
                    )

    for index, path in enumerate(brand.font_files):
        try:
            read_font(path)
        except ValueError as error:
            errors.append(Problem.at(where("font", "files", index), str(error), f"brand.font.files[{index}]"))
    return errors, warnings


def logo_size(path: Path) -> tuple[float, float, bool]:
    """(width, height, is_raster) of a logo; raises ValueError for an unreadable file."""
    if path.suffix.lower() == ".svg":
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as error:
            raise ValueError(f"the SVG logo cannot be read ({error})") from None
        if not root.tag.endswith("svg"):
            raise ValueError("the logo file is not an SVG image")
        view_box = (root.get("viewBox") or "0 0 100 100").replace(",", " ").split()
        return float(view_box[2]), float(view_box[3]), False
    from PIL import Image, UnidentifiedImageError

    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise ValueError(f"the PNG logo is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    with open(path, "rb") as stream:
        head = stream.read(24)
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) == 24:
        # The size, from the header, before anything is decoded: a small file can claim billions of pixels.
        width, height = struct.unpack(">II", head[16:24])
        if width * height > MAX_IMAGE_PIXELS:
            raise ValueError(
                f"the PNG logo is {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS // 1_000_000} "
                "million a logo can have; make it smaller"
            )
    try:
        with Image.open(path) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValueError(f"the PNG logo cannot be read ({error})") from None
    return width, height, True


def data_uri(path: Path) -> str:
    """Embed a small asset in the HTML, so emitted HTML files stay self-contained."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
