"""A long-lived process never builds from what it read before: watch, repeated builds, forked pools.

These tests make real layouts, of the role cards only (the one output unit
that shows the guide's title, a role's text, a label, the company's CSS and,
on the backs, its logo), for a company that keeps two roles: a rebuild costs
about a second.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, make_company
from PIL import Image
from pypdf import PdfReader

import guide.outputs as outputs
import guide.resources as resources
from guide.outputs import cards
from guide.pipeline import build
from guide.plan import BuildOptions, Finish, plan_build

KEEP = ("product-manager", "senior-product-manager")
DROP = ("associate-product-manager", "director-of-product", "vp-of-product", "chief-product-officer")
COMPANY = f"""name: Acme
brand:
  logo: logo.png
  url: https://acme.example/careers
exclude_roles: [{", ".join(DROP)}]
"""


# The stripe is loaded by WeasyPrint from the company's folder (the logo comes to it as a data: URI).
CSS = ".card-title::after {{ content: ' [v{}]'; }}\n.back-head::after {{ content: url(../stripe.png); }}\n"


def _png(color: tuple[int, int, int], size: tuple[int, int] = (600, 150)) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, color).save(stream, format="PNG")
    return stream.getvalue()


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuildOptions:
    """A project with its own content and label catalogues, and the company Acme; only the cards unit runs."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(resources.LOCALES, tmp_path / "locales")
    monkeypatch.setattr(resources, "LOCALES", tmp_path / "locales")
    monkeypatch.setattr(outputs, "UNITS", (cards.UNIT,))
    make_company(
        tmp_path,
        "acme",
        COMPANY,
        {
            "logo.png": _png((200, 30, 30)),
            "stripe.png": _png((20, 150, 20), (40, 40)),
            "styles/brand.css": CSS.format(1),
        },
    )
    return BuildOptions(
        out_dir=tmp_path / "out",
        project=tmp_path,
        content_dir=tmp_path / "content",
        companies=("acme",),
        finish=Finish(card_backs=True),
    )


def _card(options: BuildOptions) -> Path:
    return options.out_dir / "acme" / "cards" / "product-manager.pdf"


def _text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def _image_colors(path: Path) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The colour of each raster image on the card's back (the logo and the stripe), by its size in pixels."""
    images = [image.image.convert("RGB") for image in PdfReader(path).pages[1].images]
    return {image.size: image.getpixel((5, 5)) for image in images}


def _assert_recorded(options: BuildOptions) -> None:
    """The manifest records exactly the inputs on disk now and the outputs beside it."""
    (planned,) = plan_build(options)
    assert planned.fresh, "the manifest does not describe the files on disk"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def problems(self, errors=(), warnings=()) -> None:
        self.lines.extend(f"error: {problem}" for problem in errors)
        self.lines.extend(f"warning: {problem}" for problem in warnings)


def test_watch_rebuilds_from_each_edit(acme: BuildOptions) -> None:
    from guide.watch import watch_and_build

    project = acme.project
    stop = threading.Event()
    builds: list[list[str]] = []
    reporter = Lines()
    thread = threading.Thread(
        target=watch_and_build, args=(acme, reporter, stop, lambda rebuilt, seconds: builds.append(rebuilt))
    )

    def after(edit) -> None:
        count = len(builds)
        time.sleep(0.4)  # the watcher is watching, and the edit gets a new modification time
        edit()
        deadline = time.monotonic() + 30
        while len(builds) == count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds[count:] == [["acme"]], (builds, reporter.lines)
        _assert_recorded(acme)

    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not builds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds == [["acme"]], reporter.lines
        card = _card(acme)
        assert "Product Manager [v1]" in _text(card)
        assert _image_colors(card) == {(600, 150): (200, 30, 30), (40, 40): (20, 150, 20)}
        _assert_recorded(acme)

        after(lambda: _edit(project / "content" / "guide.yaml", "title: The Product", "title: Our Product"))
        assert PdfReader(card).metadata.title == "Product Manager · Our Product Manager Career Path"

        role = project / "content" / "roles" / "product-manager.yaml"
        after(lambda: _edit(role, "The core role", "The central role"))
        assert "The central role" in _text(card)

        after(lambda: (project / "companies" / "acme" / "styles" / "brand.css").write_text(CSS.format(2)))
        assert "Product Manager [v2]" in _text(card) and "[v1]" not in _text(card)

        def images() -> None:
            (project / "companies" / "acme" / "logo.png").write_bytes(_png((30, 60, 200)))
            (project / "companies" / "acme" / "stripe.png").write_bytes(_png((240, 200, 0), (40, 40)))

        after(images)
        assert _image_colors(card) == {(600, 150): (30, 60, 200), (40, 40): (240, 200, 0)}, reporter.lines

        after(lambda: _edit(project / "locales" / "en.yaml", "what_you_do: What you do", "what_you_do: Your work"))
        assert "YOUR WORK" in _text(card).upper() and "WHAT YOU DO" not in _text(card).upper()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert not [line for line in reporter.lines if line.startswith("error")]


def test_a_long_lived_process_builds_twice_with_a_font_edit_between(acme: BuildOptions) -> None:
    """The renderer (and its font configuration) lives as long as the process; an edited font file is used."""
    folder = acme.project / "companies" / "acme"
    fonts = folder / "fonts"
    fonts.mkdir()
    font = fonts / "brand.otf"
    shutil.copy("/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf", font)
    (folder / "company.yaml").write_text(
        COMPANY.replace("brand:\n", "brand:\n  font:\n    family: Acme Face\n    files: [fonts/brand.otf]\n")
    )
    build(acme)
    before = _font_program(_card(acme), "Acme-Face")
    shutil.copy(_system_font("Inter-Regular"), font)
    build(acme)
    after = _font_program(_card(acme), "Acme-Face")
    # The subset embedded for the family is made from the new file: another font program, other glyph widths.
    assert before[0] != after[0] and before[1] != after[1]
    _assert_recorded(acme)


def _system_font(stem: str) -> Path:
    return next(path for path in Path("/usr/share/fonts").rglob(f"{stem}.*") if path.suffix in (".otf", ".ttf"))


def _font_program(path: Path, family: str) -> tuple[bytes, list]:
    """The embedded font file and glyph widths of the regular face of `family` on the card's front."""
    fonts = PdfReader(path).pages[0]["/Resources"]["/Font"]
    (font,) = [
        fonts[key].get_object() for key in fonts if str(fonts[key].get_object()["/BaseFont"]).endswith(f"+{family}")
    ]
    descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    descriptor = descendant["/FontDescriptor"].get_object()
    program = next(descriptor[key] for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor)
    widths = descendant.get("/W") or descendant.get("/Widths")
    return program.get_object().get_data(), list(widths)


def test_parallel_force_after_an_in_process_build_uses_the_edit(acme: BuildOptions) -> None:
    """Workers forked from a process that built before start from the files on disk, not from its memory."""
    make_company(acme.project, "zenith", COMPANY.replace("Acme", "Zenith"), {"logo.png": _png((0, 0, 0))})
    build(acme)  # in this process: it now holds the content, labels and templates it read
    _edit(acme.project / "content" / "roles" / "product-manager.yaml", "The core role", "The central role")
    _edit(acme.project / "locales" / "en.yaml", "what_you_do: What you do", "what_you_do: Your work")
    both = replace(acme, companies=("acme", "zenith"), jobs=2, force=True)
    assert [result.target for result in build(both)] == ["acme", "zenith"]
    for slug in ("acme", "zenith"):
        text = _text(acme.out_dir / slug / "cards" / "product-manager.pdf")
        assert "The central role" in text and "YOUR WORK" in text.upper(), slug


@pytest.mark.parametrize(
    ("name", "real"),
    [
        ("company.yaml", True),
        ("web.css", True),
        (".company.yaml.swp", False),  # vim
        (".company.yaml.swp-tmp", False),
        ("company.yaml~", False),  # emacs, gedit
        ("4913", False),  # vim's test of whether it may write in the folder
        ("roles.yaml.tmp", False),
        (".#company.yaml", False),  # emacs lock
    ],
)
def test_watch_and_serve_ignore_editors_scratch_files(name: str, real: bool) -> None:
    from watchfiles import Change

    from guide.watch import real_changes

    assert real_changes(Change.modified, f"/project/companies/acme/{name}") is real


def test_a_save_by_renaming_a_scratch_file_over_the_old_one_names_the_file_only(tmp_path: Path) -> None:
    """`sed -i` writes sedXXXXXX and renames it over the file: one edit, of company.yaml."""
    from watchfiles import Change

    from guide.watch import changed_names

    edited = tmp_path / "company.yaml"
    edited.write_text("name: Acme\n")
    scratch = str(tmp_path / "sedAb12Cd")
    changes = {(Change.added, scratch), (Change.deleted, scratch), (Change.modified, str(edited))}
    assert changed_names(changes) == ["company.yaml"]
    assert changed_names({(Change.deleted, str(tmp_path / "roles" / "old.yaml"))}) == ["old.yaml"]  # a removed file
    assert changed_names({(Change.added, scratch)}) == []  # gone already: nothing to rebuild for


def test_an_edit_remakes_only_the_outputs_made_from_what_changed(
    acme: BuildOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cards' stylesheet lays out the deck and the cards, not the guide, which stays on disk untouched.

    (A file the layout reads, not in any HTML, remakes what read it: the
    stripe edit in `test_watch_rebuilds_from_each_edit` shows it.)
    """
    from guide.outputs import deck, guide
    from guide.render_pdf import Renderer

    styles = tmp_path / "styles"
    shutil.copytree(resources.styles_dir(), styles)
    theme = resources._data_dir
    monkeypatch.setattr(resources, "_data_dir", lambda name: styles if name == "styles" else theme(name))
    monkeypatch.setattr(outputs, "UNITS", (guide.UNIT, deck.UNIT, cards.UNIT))
    laid_out: list[str] = []
    render = Renderer.render
    monkeypatch.setattr(
        Renderer, "render", lambda self, html, *a, **k: laid_out.append(html.name) or render(self, html, *a, **k)
    )
    options = replace(acme, progressive=True)
    out = options.out_dir / "acme"

    def rebuild() -> tuple[list[str], list[str]]:
        laid_out.clear()
        (result,) = build(options)
        _assert_recorded(options)
        return [unit for unit, _ in result.made], result.kept

    assert rebuild() == (["guide", "deck", "cards"], [])
    guide_file = (out / "career-guide.pdf").stat().st_mtime_ns, (out / "career-guide.pdf").read_bytes()
    card = _card(options).read_bytes()
    manifest = (out / "manifest.json").read_text()
    assert '"company/stripe.png"' in manifest and str(options.project) not in manifest  # what the backs read

    with (styles / "cards.css").open("a") as stream:
        stream.write("\n.card-title { letter-spacing: 0.04em; }\n")
    assert rebuild() == (["deck", "cards"], ["guide"])
    assert "career-guide" not in laid_out and "role-cards" in laid_out
    assert ((out / "career-guide.pdf").stat().st_mtime_ns, (out / "career-guide.pdf").read_bytes()) == guide_file
    assert _card(options).read_bytes() != card


def test_watch_says_a_failed_build_failed(acme: BuildOptions) -> None:
    from guide.watch import watch_and_build

    (acme.project / "companies" / "acme" / "company.yaml").write_text("name: Acme\nbrand: [\n")
    reporter = Lines()
    stop = threading.Event()
    thread = threading.Thread(target=watch_and_build, args=(acme, reporter, stop))
    thread.start()
    deadline = time.monotonic() + 30
    while not any(line.startswith("start:") for line in reporter.lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    start = next(line for line in reporter.lines if line.startswith("start:"))
    assert start.startswith("start: failed (") and "rebuilt nothing" not in start, reporter.lines
    assert any(line.startswith("error:") and "company.yaml:3:1: invalid YAML" in line for line in reporter.lines)


def test_a_template_added_to_the_company_later_replaces_the_theme_s_in_the_same_process(tmp_path: Path) -> None:
    from guide.load import load_content
    from guide.pipeline import prepare_company
    from guide.render_html import render_cards

    folder = make_company(
        tmp_path, "acme", "name: Acme\n", {"templates/base.html": (ROOT / "templates/base.html").read_text()}
    )
    prepared = prepare_company(load_content(CONTENT), folder)
    assert "data-new" not in render_cards(prepared.content, prepared.target, {}).html
    own = (ROOT / "templates/cards.html").read_text().replace('class="card-title"', 'class="card-title" data-new')
    (folder / "templates" / "cards.html").write_text(own)
    assert "data-new" in render_cards(prepared.content, prepared.target, {}).html
