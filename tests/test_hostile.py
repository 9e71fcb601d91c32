"""Hostile company folders: never leak a file, never reach the network, always explain."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import CONTENT, make_company

from guide.cli import main

HOSTILE = Path(__file__).parent / "hostile"
SECRETS = [Path("/etc/passwd"), Path("/etc/hostname")]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(stream, format="PNG")
    return stream.getvalue()


# case: (expected exit code, fragments that one error line must contain)
EXPECTED = {
    "passwd-logo": (1, ["company.yaml:4:3: brand.logo:", "`file:///etc/passwd`", "not file: addresses"]),
    "traversal": (1, ["brand.logo:", "points outside the company's folder"]),
    "css-url-escape": (1, ["styles/brand.css:2:", "`/etc/hostname`", "relative to the company's folder"]),
    "css-import": (1, ["styles/a.css:1:1:", "points outside the company's folder"]),
    "http-font": (1, ["styles/fonts.css:1:", "`http://fonts.example.invalid/remote.woff2`", "not http: addresses"]),
    "svg-external": (1, ["logo.svg:3:", "brand.logo:", "`file:///etc/passwd`", "must not load other files"]),
    "alias-bomb": (1, ["company.yaml:", "YAML aliases (*name) are not supported"]),
    "template-fetch": (1, ["career-guide: refused to load file:///etc/hostname", "outside the company's folder"]),
    "script-in-text": (0, []),
    "symlink-logo": (1, ["brand.logo:", "points outside the company's folder"]),
    "huge-png": (1, ["brand.logo: the PNG logo is 20000x20000 pixels", "more than the 25 million"]),
    "truncated-png": (1, ["brand.logo: the PNG logo cannot be read"]),
    "invalid-utf8": (1, ["company.yaml:1: not valid UTF-8"]),
    "five-megabytes": (1, ["company.yaml: file too large (the limit is 1 MB)"]),
}


def _cards_only(monkeypatch) -> None:
    """Make only the single cards: one layout shows what these tests read, the guide would add seconds."""
    import guide.outputs as outputs
    from guide.outputs import cards

    monkeypatch.setattr(outputs, "UNITS", (cards.UNIT,))


def _make(case: str, root: Path) -> None:
    folder = root / "companies" / case
    if (HOSTILE / case).is_dir():
        shutil.copytree(HOSTILE / case, folder)
    elif case == "symlink-logo":
        make_company(root, case, "name: Link\nbrand:\n  logo: logo.svg\n")
        (folder / "logo.svg").symlink_to("/etc/passwd")
    elif case == "huge-png":
        make_company(root, case, "name: Huge\nbrand:\n  logo: logo.png\n", {"logo.png": _png_header_only(20000, 20000)})
    elif case == "truncated-png":
        make_company(root, case, "name: Cut\nbrand:\n  logo: logo.png\n", {"logo.png": _png(900, 300)[:400]})
    elif case == "invalid-utf8":
        make_company(root, case, "", {"company.yaml": b"name: Caf\xe9 \xff\xfe\n"})
    elif case == "five-megabytes":
        make_company(root, case, "name: Big\nguide:\n  subtitle: " + "x" * (5 * 1024 * 1024) + "\n")
    else:  # pragma: no cover - a case without a recipe is a mistake in this file
        raise AssertionError(case)


def _secret_snippets() -> list[bytes]:
    snippets = []
    for path in SECRETS:
        if path.is_file():
            data = path.read_bytes().strip()
            snippets.extend(line for line in data.splitlines()[:3] if len(line) >= 4)
    return snippets


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_every_committed_case_is_covered() -> None:
    committed = {p.name for p in HOSTILE.iterdir() if p.is_dir()}
    assert committed <= set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_hostile_company(case: str, tmp_path: Path, monkeypatch) -> None:
    if case == "script-in-text":
        _cards_only(monkeypatch)
    _make(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["build", "--company", case, "--out", "out", "--content", str(CONTENT), "-j", "1"]
    )
    code, fragments = EXPECTED[case]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if code:
        errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
        assert any(all(f in line for f in fragments) for line in errors), result.output
        assert not (tmp_path / "out" / case).exists()
    pdfs = list((tmp_path / "out").rglob("*.pdf"))
    assert bool(pdfs) == (code == 0)
    secrets = _secret_snippets()
    for pdf in pdfs:
        raw = pdf.read_bytes()
        text = _pdf_text(pdf).encode()
        for snippet in secrets:
            assert snippet not in raw and snippet not in text, (pdf, snippet)
    if case == "script-in-text":  # HTML typed into a role's text prints as the characters typed
        card = " ".join(_pdf_text(tmp_path / "out" / case / "cards" / "product-manager.pdf").split())
        assert "<script>alert(document.cookie)</script>" in card
        assert "Own the roadmap" in card


def test_the_fetcher_allows_only_data_and_files_in_allowed_folders(tmp_path: Path) -> None:
    from guide.fetch import RefusedResource, SafeFetcher

    allowed = tmp_path / "company"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}")
    (allowed / "escape.css").symlink_to("/etc/passwd")
    fetcher = SafeFetcher([allowed])
    assert fetcher.fetch((allowed / "ok.css").as_uri()).read() == b"p {}"
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in (
        "file:///etc/passwd",
        (allowed / "escape.css").as_uri(),
        (allowed / ".." / ".." / "etc" / "passwd").as_uri(),
        "http://127.0.0.1:9/x.css",
        "https://example.invalid/x.css",
        "ftp://example.invalid/x",
        "javascript:alert(1)",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


class _Anchors(HTMLParser):
    """Every `<a>`'s href (as a browser or WeasyPrint reads it) and all the text, from a fragment of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str | None] = []
        self.tags: list[str] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_data(self, data: str) -> None:
        self.text += data


def _scheme(href: str) -> str:
    """The scheme a URL parser sees: tabs, newlines and C0 controls are dropped, case is ignored."""
    return urlsplit(re.sub(r"[\x00-\x20\x7f]", "", href)).scheme.lower()


# Addresses that run script, each disguised a different way; the tests write them as "[click me](...)".
HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
]
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def test_markdown_subset_is_sanitised() -> None:
    from guide.sanitise import rich

    html = str(rich('**Bold** [site](https://example.com) [x](javascript:alert(1)) <b onclick="x">hi</b>'))
    parsed = _Anchors(html)
    assert parsed.tags == ["strong", "a"], html
    assert parsed.hrefs == ["https://example.com"], html
    assert "[x](javascript:alert(1))" in parsed.text  # printed as typed, not linked
    assert "<b" not in html and "&lt;b onclick" in html
    for link in HOSTILE_LINKS:
        html = str(rich(f"Before [click me]({link}) after, and [safe](https://example.com/ok)."))
        parsed = _Anchors(html)
        assert "click me" in parsed.text and "Before" in parsed.text and "after" in parsed.text, html
        assert all(href is not None and _scheme(href) in SAFE_SCHEMES for href in parsed.hrefs), (link, html)
        assert "https://example.com/ok" in parsed.hrefs, html


def test_links_with_other_schemes_lose_their_href_even_if_the_markdown_makes_them(monkeypatch) -> None:
    """The second wall: if the Markdown pattern ever linked any address, nh3 must still drop the bad ones."""
    import guide.sanitise as sanitise

    monkeypatch.setattr(sanitise, "_LINK", re.compile(r"\[([^\]]+)\]\(([^)]+)\)"))
    for link in HOSTILE_LINKS:
        parsed = _Anchors(str(sanitise.rich(f"Before [click me]({link}) after")))
        assert parsed.tags == ["a"], link  # the permissive pattern did make a link...
        assert "click me" in parsed.text, link  # ...its text survives...
        assert all(href is None or _scheme(href) in SAFE_SCHEMES for href in parsed.hrefs), (link, parsed.hrefs)
