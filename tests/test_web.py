"""The web edition: a self-contained static site beside the PDFs (no layout engine needed to make it)."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from conftest import CONTENT, ROLE_IDS, ROOT

import guide.outputs as outputs
from guide.outputs import web
from guide.pipeline import build
from guide.plan import BuildOptions


class Page(html.parser.HTMLParser):
    """What a test reads of a page: its links and sources, ids, headings, landmarks and language."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.lang = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append(attrs[name])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def _build(tmp_path: Path, *companies: str, web_flag: bool = True) -> Path:
    options = BuildOptions(
        out_dir=tmp_path / "out", content_dir=CONTENT, project=ROOT, companies=companies, web=web_flag
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", (web.UNIT,))  # the web edition alone: no PDF is laid out
        results = build(options)  # (a company with frameworks of its own is several targets)
    assert results and not any(result.failed for result in results)
    return tmp_path / "out" / (companies[0] if companies else "default") / "web"


def test_the_web_edition_is_a_self_contained_site_with_a_page_per_role(tmp_path: Path) -> None:
    site = _build(tmp_path)
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert pages == sorted(["index.html", "matrix.html", "more.html", *(f"roles/{r}.html" for r in ROLE_IDS)])
    for name in pages:
        path = site / name
        page = Page(path.read_text(encoding="utf-8"))
        assert page.lang == "en"
        assert page.headings[0] == 1 and page.headings.count(1) == 1, name  # one h1, first
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), (name, page.headings)
        assert {"header", "nav", "main", "footer"} <= set(page.tags), name
        for ref in page.refs:
            if ref.startswith(("mailto:", "https://", "http://")):
                assert not ref.startswith("http://") or "example" in ref
                assert page.tags.count("link") == 1 or "stylesheet" not in ref
                continue
            target, fragment = urldefrag(ref)
            resolved = (path.parent / target).resolve() if target else path.resolve()
            # Every link stays inside the target's folder (the site, or the PDFs beside it)...
            assert resolved.is_relative_to(site.parent.resolve()), (name, ref)
            if resolved.is_relative_to(site.resolve()):
                assert resolved.is_file(), (name, ref)  # ...and, inside the site, leads to a file that is there
                if fragment and resolved.suffix == ".html":
                    assert fragment in Page(resolved.read_text(encoding="utf-8")).ids, (name, ref)
    # Nothing is fetched from outside: no absolute or remote URLs in the stylesheet or in src attributes.
    css = (site / "assets" / "style.css").read_text(encoding="utf-8")
    assert "file:" not in css and "http" not in css
    role = Page((site / "roles" / "product-manager.html").read_text(encoding="utf-8"))
    assert {"responsibilities", "ready", "next-steps", "skills"} <= role.ids  # anchors a card's QR code can use
    assert "senior-product-manager.html" in role.refs and "../../cards/product-manager.pdf" in role.refs


def test_a_company_site_carries_its_brand_fonts_language_and_is_the_same_every_time(tmp_path: Path) -> None:
    lumen = ROOT / "companies" / "lumen"
    if not (lumen / "fonts" / "EBGaramond12-Regular.otf").is_file():
        pytest.skip("run `make setup` to copy lumen's font files")
    site = _build(tmp_path, "lumen")
    assert (site / "assets" / "logo.svg").read_bytes() == (lumen / "logo.svg").read_bytes()
    fonts = sorted(path.name for path in (site / "assets" / "fonts").iterdir())
    assert fonts == ["EBGaramond12-Bold.otf", "EBGaramond12-Italic.otf", "EBGaramond12-Regular.otf"]
    css = (site / "assets" / "style.css").read_text(encoding="utf-8")
    assert 'src: url("fonts/EBGaramond12-Regular.otf")' in css and "--primary: #4B2142" in css
    assert str(ROOT) not in css  # never an absolute path
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "How we grow people at Lumen" in index and 'href="roles/director-of-product.html"' in index
    assert "vp-of-product" not in index  # lumen has no VP level
    first = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    again = _build(tmp_path / "again", "lumen")
    assert {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()} == {
        p.relative_to(site): data for p, data in first.items()
    }


def test_a_german_site_and_web_true_in_company_yaml(tmp_path: Path) -> None:
    from conftest import make_company

    make_company(tmp_path, "webco", "name: Web Co\nlocale: de\nweb: true\n")
    options = BuildOptions(out_dir=tmp_path / "out", content_dir=CONTENT, project=tmp_path, companies=("webco",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", (web.UNIT,))
        build(options)
    index = (tmp_path / "out" / "webco" / "web" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in index and "Zum Inhalt springen" in index and "Einführung" in index


def test_a_company_stylesheet_and_what_it_loads_keep_their_places_in_the_site(tmp_path: Path) -> None:
    """Copied beside each other as in the company's folder, so relative url()s and @imports still resolve;
    a stylesheet that imports itself in a loop is copied once."""
    from conftest import make_company

    files = {
        "styles/brand.css": '@import "more.css";\n@font-face { font-family: X; src: url("../fonts/x.woff2?v=2#f"); }',
        "styles/more.css": "@import url(brand.css);\n.hero { background: url(../images/band.png); }",
        "fonts/x.woff2": b"wOF2 not really a font",
        "images/band.png": b"\x89PNG not really",
        "unused.png": b"not referenced",
    }
    make_company(tmp_path, "styled", "name: Styled\nweb: true\n", files)
    options = BuildOptions(out_dir=tmp_path / "out", content_dir=CONTENT, project=tmp_path, companies=("styled",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", (web.UNIT,))
        build(options)
    site = tmp_path / "out" / "styled" / "web"
    copied = sorted(
        p.relative_to(site / "assets" / "company").as_posix() for p in (site / "assets" / "company").rglob("*")
    )
    assert copied == [
        "fonts",
        "fonts/x.woff2",
        "images",
        "images/band.png",
        "styles",
        "styles/brand.css",
        "styles/more.css",
    ]
    assert (site / "assets/company/fonts/x.woff2").read_bytes() == files["fonts/x.woff2"]
    role = Page((site / "roles" / "product-manager.html").read_text(encoding="utf-8"))
    assert "../assets/company/styles/brand.css" in role.refs  # linked from every page, relative to it
    assert "../assets/company/styles/more.css" in role.refs


def test_an_installed_brand_font_travels_with_the_site_with_its_licence(tmp_path: Path) -> None:
    """Readers do not have the build machine's fonts: the faces the pages use are in assets/fonts/."""
    site = _build(tmp_path, "northwind")  # Lato, installed by `make`
    style = (site / "assets" / "style.css").read_text(encoding="utf-8")
    faces = re.findall(
        r'@font-face \{ font-family: "Lato"; src: url\("(fonts/[^"]+)"\); font-weight: (\d+); '
        r"font-style: (\w+)",
        style,
    )
    assert {(weight, face) for _, weight, face in faces} == {
        ("400", "normal"),
        ("400", "italic"),
        ("600", "normal"),
        ("700", "normal"),
    }
    for url, _, _ in faces:
        assert (site / "assets" / url).read_bytes()[:4] in (b"\x00\x01\x00\x00", b"OTTO")  # a whole font file
    notices = (site / "assets" / "fonts" / "LICENSES.txt").read_text(encoding="utf-8").split("\n\n")
    assert sorted(notice.splitlines()[0] for notice in notices) == sorted(Path(url).name for url, _, _ in faces)
    assert all("SIL Open Font License" in notice for notice in notices)


def test_serve_says_when_its_port_is_taken_and_which_to_try(tmp_path: Path) -> None:
    import socket

    from click.testing import CliRunner

    from guide.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output and f"--port {port + 1}" in result.output
    assert "Traceback" not in result.output


def test_serve_started_on_a_broken_company_says_where_and_waits_for_the_fix(tmp_path: Path, capfd) -> None:
    """Nothing good to show yet: the page says so, the status has file:line:col, no PDF is attempted."""
    import json
    import threading
    import urllib.error
    import urllib.request

    from conftest import make_company

    from guide.serve import serve

    folder = make_company(tmp_path, "acme", 'name: Acme\nlocale: "<!--<script>x</script>"\n')
    stop, ready, said = threading.Event(), [], []
    options = BuildOptions(out_dir=tmp_path / "out", content_dir=CONTENT, companies=(str(folder),))
    hooks = {"port": 0, "say": said.append, "stop": stop, "ready": ready.append}
    thread = threading.Thread(target=serve, args=(options,), kwargs=hooks)
    thread.start()
    try:
        while not ready and thread.is_alive():
            thread.join(0.05)
        with pytest.raises(urllib.error.HTTPError) as waiting:
            urllib.request.urlopen(ready[0] + "web/index.html")
        assert waiting.value.code == 503 and b"No preview yet" in waiting.value.read()
        waiting.value.close()
        status = json.loads(urllib.request.urlopen(ready[0] + "__serve/status").read())
        assert re.search(r"acme/company\.yaml:2:\d+: locale", status["errors"][0]), status
        # The problem's text, in the preview page's script, cannot end the script or open a comment.
        page = urllib.request.urlopen(ready[0]).read().decode()
        script = re.search(r'<script id="initial-status" type="application/json">(.*?)</script>', page, re.S)[1]
        assert "<" not in script and json.loads(script)["errors"] == status["errors"]
        for odd in ("pdf/%C2%B2/0.png", "pdf/" + "9" * 5000 + "/0.png", "pdf/-1/0.png", "pdf/1/0.png"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(ready[0] + odd)
            assert missing.value.code == 404
            missing.value.close()
        assert status["pdf_building"] is False and status["pdf_version"] == 0
        assert any(line.startswith("error: ") and "company.yaml:2" in line for line in said), said
        assert "Traceback" not in capfd.readouterr().err
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert not (tmp_path / "out").exists()  # no PDF was built, nothing written


def test_each_role_page_leads_to_the_roles_before_and_after_it(tmp_path: Path) -> None:
    site = _build(tmp_path)
    for index, role_id in enumerate(ROLE_IDS):
        page = (site / "roles" / f"{role_id}.html").read_text(encoding="utf-8")
        links = dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', page))
        expected = {}
        if index:
            expected["prev"] = f"{ROLE_IDS[index - 1]}.html"
        if index + 1 < len(ROLE_IDS):
            expected["next"] = f"{ROLE_IDS[index + 1]}.html"
        assert links == expected, role_id
