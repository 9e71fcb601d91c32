"""The only way the renderer may load anything: files in allowed folders and data: URIs.

Company folders come from outside the team that runs the build. A company's
CSS, template or SVG logo could name `/etc/passwd`, `../../secrets` or an
internal web address; WeasyPrint would fetch it and could put it into a PDF.
Every resource WeasyPrint loads goes through `SafeFetcher` instead, which
allows `data:` URIs and `file:` URLs inside the theme's folders and the
company's own folder (after resolving `..` and symbolic links), and refuses
everything else, stopping the render with a message that names the reference.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher

# Resources larger than this are refused: nothing the theme or a brand needs comes close.
MAX_RESOURCE_BYTES = 20 * 1024 * 1024


class RefusedResource(FatalURLFetchingError):
    """A resource outside the allowed folders, or of a refused kind. Stops the render."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to load {_short(url)}: {reason}")
        self.url = url
        self.reason = reason


class SafeFetcher(URLFetcher):
    def __init__(self, allowed: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True, timeout=5)
        self.allowed = tuple(Path(os.path.realpath(folder)) for folder in allowed)

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedResource(
                url, f"only files in the company's folder can be used, not {scheme or 'this'} addresses"
            )
        path = Path(os.path.realpath(unquote(urlsplit(url).path)))
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise RefusedResource(url, "it is outside the company's folder and the theme")
        try:
            size = path.stat().st_size
        except OSError:
            raise RefusedResource(url, "no such file") from None
        if size > MAX_RESOURCE_BYTES:
            raise RefusedResource(url, f"it is larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB")
        return super().fetch(path.as_uri(), headers)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."
