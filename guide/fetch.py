"""The only way the renderer may load anything: files in allowed folders and data: URIs.

Company folders come from outside the team that runs the build. A company's
CSS, template or SVG logo could name `/etc/passwd`, `../../secrets` or an
internal web address; WeasyPrint would fetch it and could put it into a PDF.
Every resource WeasyPrint loads goes through `SafeFetcher` instead, which
allows `data:` URIs and `file:` URLs inside the theme's folders and the
company's own folder (after resolving `..` and symbolic links), reads them
with the same limits as every other untrusted file (`files.py`), checks that
images and fonts are what their names say and that no image has too many
pixels, and refuses everything else, stopping the render with a message that
names the reference.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import UserError
from .files import read_inside

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
        #: Every file read, with the SHA-256 of the bytes read: what a layout was made from besides its HTML.
        self.read: dict[Path, str] = {}

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            response = super().fetch(url, headers)
            data = response.read(MAX_RESOURCE_BYTES + 1)
            response.close()
            if len(data) > MAX_RESOURCE_BYTES:
                raise RefusedResource(url, f"it is larger than {MAX_RESOURCE_BYTES // (1024 * 1024)} MB")
            _check_kind(url, Path("data"), data)
            return URLFetcherResponse(url, body=data, headers=dict(response.headers.items()))
        if scheme != "file":
            raise RefusedResource(
                url, f"only files in the company's folder can be used, not {scheme or 'this'} addresses"
            )
        named = Path(os.path.abspath(unquote(urlsplit(url).path)))  # as the stylesheet names it, links and all
        path = Path(os.path.realpath(named))
        folder = next((folder for folder in self.allowed if path.is_relative_to(folder)), None)
        if folder is None:
            raise RefusedResource(url, "it is outside the company's folder and the theme")
        try:
            data = read_inside(path, folder, MAX_RESOURCE_BYTES)
        except UserError as error:
            raise RefusedResource(url, error.problems[0].message) from None
        _check_kind(url, path, data)
        # By the name used: a link pointed elsewhere since is another file, though the old target is unchanged.
        self.read[named] = hashlib.sha256(data).hexdigest()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=data, headers={"Content-Type": mime})


# What a file's name promises, and the formats its bytes may then be in.
_KINDS = {
    ".png": {"png"},
    ".jpg": {"jpeg"},
    ".jpeg": {"jpeg"},
    ".gif": {"gif"},
    ".webp": {"webp"},
    ".svg": {"svg"},
    ".ttf": {"font"},
    ".otf": {"font"},
    ".woff": {"woff"},
    ".woff2": {"woff2"},
}


def _check_kind(url: str, path: Path, data: bytes) -> None:
    """Refuse a file whose bytes are not what its name says, and images with too many pixels."""
    from .brand import check_image, sniff

    kind = sniff(data)
    expected = _KINDS.get(path.suffix.lower())
    if expected is not None and kind not in expected:
        raise RefusedResource(url, f"it is named {path.suffix} but is {kind.upper() or 'something else'}")
    if kind in ("png", "jpeg", "gif", "webp"):
        try:
            check_image(data)
        except ValueError as error:
            raise RefusedResource(url, str(error)) from None


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."
