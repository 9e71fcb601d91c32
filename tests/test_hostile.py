"""Hostile company folders: never leak a file, never reach the network, always explain."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

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


def test_html_in_role_text_prints_as_text(tmp_path: Path, monkeypatch) -> None:
    _make("script-in-text", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["build", "--company", "script-in-text", "--out", "out", "--content", str(CONTENT)]
    )
    assert result.exit_code == 0, result.output
    card = _pdf_text(tmp_path / "out" / "script-in-text" / "cards" / "product-manager.pdf")
    flat = " ".join(card.split())
    assert "<script>alert(document.cookie)</script>" in flat
    assert "Own the roadmap" in flat


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


def test_markdown_subset_is_sanitised() -> None:
    from guide.typeset import rich

    html = str(rich('**Bold** [site](https://example.com) [x](javascript:alert(1)) <b onclick="x">hi</b>'))
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.com"' in html
    assert "javascript:" not in html.split("</a>")[-1].split("[x]")[0]
    assert "<b" not in html and "&lt;b onclick" in html
