"""Bad company input: a clear located error, exit code 1, no traceback, nothing written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROOT, make_company
from PIL import Image

from guide.cli import main


def _png(width: int, height: int) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (width, height), (20, 40, 60)).save(stream, format="PNG")
    return stream.getvalue()


BAD = [
    # (case, company.yaml, extra files, expected fragments of one error line)
    ("malformed YAML", "name: X\nbrand: [unclosed\n", {}, ["company.yaml:3:", "invalid YAML"]),
    ("missing name", "paper: a4\n", {}, ["company.yaml:1:1: name: required field is missing"]),
    ("wrong type", "name: X\npaper: 5\n", {}, ["company.yaml:2:1: paper: must be a4 or letter"]),
    ("unknown key", "name: X\ncolour: red\n", {}, ["company.yaml:2:1: colour: unknown field"]),
    (
        "unknown nested key",
        "name: X\nbrand:\n  colours: {}\n",
        {},
        ["company.yaml:3:3: brand.colours: unknown field (did you mean `colors`?)"],
    ),
    (
        "unknown role field",
        "name: X\nroles:\n  product-manager:\n    sumary: x\n",
        {},
        ["company.yaml:4:5: roles.product-manager.sumary: unknown field (did you mean `summary`?)"],
    ),
    (
        "bad colour",
        "name: X\nbrand:\n  colors:\n    primary: '#12345'\n",
        {},
        ["company.yaml:4:5: brand.colors.primary:", 'use a colour like "#1E3A5F"'],
    ),
    ("colour name", "name: X\nbrand:\n  colors:\n    accent: red\n", {}, ["brand.colors.accent:"]),
    (
        "missing logo",
        "name: X\nbrand:\n  logo: logo.png\n",
        {},
        ["company.yaml:3:3: brand.logo: file not found: logo.png"],
    ),
    (
        "corrupt logo",
        "name: X\nbrand:\n  logo: logo.png\n",
        {"logo.png": b"\x89PNG\r\n\x1a\nbroken"},
        ["company.yaml:3:3: brand.logo: the PNG logo cannot be read"],
    ),
    (
        "corrupt svg logo",
        "name: X\nbrand:\n  logo: logo.svg\n",
        {"logo.svg": "<svg><g></svg>"},
        ["brand.logo: the SVG logo cannot be read"],
    ),
    (
        "logo not an image",
        "name: X\nbrand:\n  logo: logo.txt\n",
        {"logo.txt": "hello"},
        ["brand.logo: the logo must be an SVG or PNG"],
    ),
    (
        "missing font",
        "name: X\nbrand:\n  font:\n    family: F\n    files: [fonts/f.otf]\n",
        {},
        ["company.yaml:5:", "brand.font.files[0]: file not found: fonts/f.otf"],
    ),
    (
        "corrupt font",
        "name: X\nbrand:\n  font:\n    family: F\n    files: [f.otf]\n",
        {"f.otf": b"not a font at all"},
        ["brand.font.files[0]: cannot read this font file"],
    ),
    (
        "unknown role in titles",
        "name: X\ntitles:\n  product-manger: PM\n",
        {},
        ["company.yaml:3:3: titles.product-manger: unknown role id `product-manger` (did you mean `product-manager`?)"],
    ),
    ("unknown role in exclude", "name: X\nexclude_roles: [cpo]\n", {}, ["exclude_roles[0]: unknown role id `cpo`"]),
    (
        "unknown role in roles",
        "name: X\nroles:\n  vp: {summary: x}\n",
        {},
        ["company.yaml:3:3: roles.vp: unknown role id `vp`"],
    ),
    (
        "two roles renamed alike",
        "name: X\ntitles:\n  product-manager: PM\n  senior-product-manager: PM\n",
        {},
        ["company.yaml:4:3: title: `PM` is also the title of product-manager"],
    ),
    (
        "renamed like an existing role",
        "name: X\ntitles:\n  product-manager: VP of Product\n",
        {},
        ["is also the title of"],
    ),
    (
        "excluded and overridden",
        "name: X\nexclude_roles: [vp-of-product]\nroles:\n  vp-of-product: {summary: x}\n",
        {},
        ["company.yaml:4:3: roles.vp-of-product: `vp-of-product` is both excluded and given overrides"],
    ),
    (
        "excluded and renamed",
        "name: X\nexclude_roles: [vp-of-product]\ntitles:\n  vp-of-product: VP\n",
        {},
        ["titles.vp-of-product: `vp-of-product` is both excluded and given a title"],
    ),
    (
        "unknown locale",
        "name: X\nlocale: nl\n",
        {},
        [
            "company.yaml:2:1: locale: unknown locale `nl` (available: de, en, es, fr); to add it, put its "
            "translations in translations/nl.po in the company folder"
        ],
    ),
    (
        "extra role clashes",
        "name: X\n",
        {"roles/product-manager.yaml": "title: PM\n"},
        ["`product-manager` is already a shared role"],
    ),
    (
        "extra role incomplete",
        "name: X\n",
        {"roles/growth-pm.yaml": "title: Growth PM\nlevel: 2.5\n"},
        ["roles/growth-pm.yaml:1:1: summary: required field is missing"],
    ),
    (
        "list edit on a scalar",
        "name: X\nroles:\n  product-manager:\n    summary: {append: [x]}\n",
        {},
        ["roles.product-manager.summary"],
    ),
    (
        "title set twice",
        "name: X\ntitles: {product-manager: A}\nroles:\n  product-manager: {title: B}\n",
        {},
        ["titles.product-manager: the title of `product-manager` is set both in `titles` and in `roles`"],
    ),
]


@pytest.mark.parametrize(("case", "company_yaml", "files", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_company_input(tmp_path: Path, monkeypatch, case, company_yaml, files, expected) -> None:
    make_company(tmp_path, "bad", company_yaml, files)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in (["validate", "--company", "bad"], ["build", "--company", "bad", "--out", "out"]):
        result = runner.invoke(main, [*command, "--content", str(CONTENT)])
        assert result.exit_code == 1, (case, result.output)
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
        assert any(all(fragment in line for fragment in expected) for line in errors), (case, result.output)
    assert not (tmp_path / "out" / "bad").exists()


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "bad", "name: X\npaper: a5\nlocale: xx\ntitles:\n  nope: Y\nbrand:\n  logo: gone.svg\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "bad", "--content", str(CONTENT)])
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) >= 3, result.output


def test_low_contrast_is_a_warning_and_an_error_with_strict(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "pale", "name: Pale\nbrand:\n  colors:\n    primary: '#A0C4E0'\n")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    relaxed = runner.invoke(main, ["validate", "--company", "pale", "--content", str(CONTENT)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: " in relaxed.output and "brand.colors.primary: contrast of white titles" in relaxed.output
    strict = runner.invoke(main, ["validate", "--strict", "--company", "pale", "--content", str(CONTENT)])
    assert strict.exit_code == 1
    assert "error: " in strict.output and "below the 4.5:1" in strict.output


def test_a_font_family_that_is_not_there_is_a_warning_naming_what_is_used_instead(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "acme", "name: Acme\nbrand:\n  font:\n    family: Helvetica Neue\n")
    make_company(tmp_path, "fine", "name: Fine\nbrand:\n  font:\n    family: Lato\n")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    relaxed = runner.invoke(main, ["validate", "--company", "acme", "--company", "fine", "--content", str(CONTENT)])
    assert relaxed.exit_code == 0, relaxed.output
    warning = "companies/acme/company.yaml:4:5: brand.font.family: the font `Helvetica Neue` is not installed"
    assert warning in relaxed.output and "set in Inter instead" in relaxed.output
    assert "companies/fine" not in relaxed.output  # Lato is installed (by `make`)
    strict = runner.invoke(main, ["validate", "--strict", "--company", "acme", "--content", str(CONTENT)])
    assert strict.exit_code == 1 and "error: " in strict.output and "brand.font.files" in strict.output


def test_a_white_logo_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    white_png = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (255, 255, 255, 255)).save(white_png, format="PNG")
    pale_svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 30"><path d="M0 0h9v9z" fill="#F8F8F8"/></svg>'
    dark_svg = pale_svg.replace("#F8F8F8", "#1E3A5F")
    make_company(tmp_path, "png", "name: Png\nbrand:\n  logo: logo.png\n", {"logo.png": white_png.getvalue()})
    make_company(tmp_path, "svg", "name: Svg\nbrand:\n  logo: logo.svg\n", {"logo.svg": pale_svg})
    make_company(tmp_path, "dark", "name: Dark\nbrand:\n  logo: logo.svg\n", {"logo.svg": dark_svg})
    monkeypatch.chdir(tmp_path)
    args = ["validate", "--company", "png", "--company", "svg", "--company", "dark", "--content", str(CONTENT)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for slug in ("png", "svg"):
        assert f"companies/{slug}/company.yaml:3:3: brand.logo: the logo is white or very pale" in result.output
    assert "companies/dark" not in result.output


def test_low_resolution_logo_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "blurry", "name: Blurry\nbrand:\n  logo: logo.png\n", {"logo.png": _png(120, 40)})
    make_company(tmp_path, "sharp", "name: Sharp\nbrand:\n  logo: logo.png\n", {"logo.png": _png(2400, 800)})
    monkeypatch.chdir(tmp_path)
    blurry = CliRunner().invoke(main, ["validate", "--company", "blurry", "--content", str(CONTENT)])
    assert blurry.exit_code == 0
    assert "brand.logo: the logo is 120x40 px" in blurry.output and "below 300 dpi" in blurry.output
    sharp = CliRunner().invoke(main, ["validate", "--company", "sharp", "--content", str(CONTENT)])
    assert "warning" not in sharp.output


def test_unknown_company(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--company", "ghost", "--content", str(CONTENT)])
    assert result.exit_code == 1
    assert "no company `ghost`" in result.output and "careerguide init ghost" in result.output


def test_a_bad_company_does_not_stop_the_good_ones(tmp_path: Path, monkeypatch, fake_layout) -> None:
    make_company(tmp_path, "good", "name: Good\n")
    make_company(tmp_path, "bad", "name: Bad\nlocale: xx\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--all", "--out", "out", "--content", str(CONTENT)])
    assert result.exit_code == 1
    assert (tmp_path / "out" / "good" / "career-guide.pdf").is_file()
    assert (tmp_path / "out" / "default" / "career-guide.pdf").is_file()
    assert not (tmp_path / "out" / "bad").exists()
    assert "locale: unknown locale `xx`" in result.output
    checked = CliRunner().invoke(main, ["validate", "--all", "--content", str(CONTENT)])
    assert checked.exit_code == 1 and "ok: default, good" in checked.output, checked.output


def test_a_company_cannot_be_called_default(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "default", "name: D\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "default", "--content", str(CONTENT)])
    assert result.exit_code == 1 and "kept for the default guide" in result.output


def test_a_company_named_twice_is_built_once(tmp_path: Path, monkeypatch) -> None:
    from guide.plan import BuildOptions, plan_targets

    make_company(tmp_path, "twice", "name: T\n")
    monkeypatch.chdir(tmp_path)
    options = BuildOptions(companies=("twice", "companies/twice"))
    assert [spec.slug for spec in plan_targets(options)] == ["twice"]


@pytest.mark.parametrize(
    ("company_yaml", "expected"),
    [
        (
            "name: X\nsections:\n  - title: Links\n    links:\n      - title: Go\n        url: javascript:alert(1)\n",
            "company.yaml:6:9: sections[0].links[0].url: `javascript:alert(1)` is not a web or mail address",
        ),
        (
            "name: X\nguide:\n  sources: {append: 3}\n",
            "company.yaml:3:13: guide.sources.append: must be a list: one `- item` per line",
        ),
        (
            "name: X\nguide:\n  sources: 3\n",
            "company.yaml:3:3: guide.sources: must be a list, or `{append: [...], prepend: [...]}`",
        ),
        (
            "name: X\nguide:\n  sources: [{title: T, author: A, publisher: P, urll: x}]\n",
            "guide.sources[0].urll: unknown field",
        ),
    ],
    ids=["bad url", "list edit of the wrong shape", "neither a list nor an edit", "bad item in a replaced list"],
)
def test_each_mistake_is_reported_once(tmp_path: Path, monkeypatch, company_yaml: str, expected: str) -> None:
    """company.yaml is checked on its own and again merged into the content: one mistake, one line."""
    make_company(tmp_path, "bad", company_yaml)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "bad", "--content", str(CONTENT)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and expected in errors[0], result.output


def test_strict_fails_a_target_the_layout_warned_about(tmp_path: Path, monkeypatch) -> None:
    """WeasyPrint's warnings (here: CSS it ignores) are printed, and with --strict the target fails, unwritten."""
    import guide.outputs as outputs
    from guide.outputs import cards

    monkeypatch.setattr(outputs, "UNITS", (cards.UNIT,))  # one layout is enough to be warned
    make_company(tmp_path, "sloppy", "name: Sloppy\n", {"styles/brand.css": ".card-title { colr: red; }\n"})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["build", "--company", "sloppy", "--content", str(CONTENT), "-j", "1"]
    strict = runner.invoke(main, [*args, "--out", "strict", "--strict"])
    assert strict.exit_code == 1, strict.output
    assert "error: role-cards: Ignored `colr: red`" in strict.output
    assert not (tmp_path / "strict" / "sloppy").exists()
    relaxed = runner.invoke(main, [*args, "--out", "relaxed"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: role-cards: Ignored `colr: red`" in relaxed.output
    assert (tmp_path / "relaxed" / "sloppy" / "cards" / "product-manager.pdf").is_file()


def test_a_pale_accent_draws_ticks_too_faint_to_read(tmp_path: Path, monkeypatch) -> None:
    """The readiness ticks carry meaning: WCAG asks 3:1 for such graphics; a passing accent gets no warning."""
    make_company(tmp_path, "faint", "name: Faint\nbrand:\n  colors:\n    accent: '#F2B8A0'\n")
    make_company(tmp_path, "clear", "name: Clear\nbrand:\n  colors:\n    accent: '#C8553D'\n")
    monkeypatch.chdir(tmp_path)
    faint = CliRunner().invoke(main, ["validate", "--company", "faint", "--content", str(CONTENT)])
    assert "brand.colors.accent: contrast of the accent-coloured readiness ticks" in faint.output
    assert "below the 3:1 that WCAG AA asks for graphics that carry meaning" in faint.output
    clear = CliRunner().invoke(main, ["validate", "--company", "clear", "--content", str(CONTENT)])
    assert "warning" not in clear.output, clear.output


def test_logo_text_that_runs_past_the_viewbox_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    """Measured with the real font: 'Acme Corp' at 30 units does not fit a 120-unit viewBox; 'Acme' does."""
    logo = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} 40"><text x="4" y="30" font-size="30" '
    logo += 'font-family="Inter" letter-spacing="{s}">{text}</text></svg>'
    make_company(
        tmp_path,
        "wide",
        "name: Wide\nbrand:\n  logo: logo.svg\n",
        {"logo.svg": logo.format(w=120, s=2, text="Acme Corp")},
    )
    make_company(
        tmp_path, "fits", "name: Fits\nbrand:\n  logo: logo.svg\n", {"logo.svg": logo.format(w=120, s=0, text="Acme")}
    )
    monkeypatch.chdir(tmp_path)
    wide = CliRunner().invoke(main, ["validate", "--company", "wide", "--content", str(CONTENT)])
    assert wide.exit_code == 0
    assert 'brand.logo: the logo\'s text "Acme Corp" runs about' in wide.output
    assert 'past the edge of its viewBox ("0 0 120 40")' in wide.output
    fits = CliRunner().invoke(main, ["validate", "--company", "fits", "--content", str(CONTENT)])
    assert "warning" not in fits.output, fits.output
    # Shapes are measured by their coordinates: a circle 5 units over the left edge is cut off too.
    circle = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><circle cx="10" cy="20" r="15"/></svg>'
    make_company(tmp_path, "round", "name: Round\nbrand:\n  logo: logo.svg\n", {"logo.svg": circle})
    round_ = CliRunner().invoke(main, ["validate", "--company", "round", "--content", str(CONTENT)])
    assert "brand.logo: the logo's <circle> reaches about 5 units past the edge of its viewBox" in round_.output
    # The shipped example whose "STUDIO" was cut off now has room for it.
    lumen = CliRunner().invoke(
        main, ["validate", "--company", str(ROOT / "companies" / "lumen"), "--content", str(CONTENT)]
    )
    assert "warning" not in lumen.output, lumen.output


MESSAGES = [
    # (case, company.yaml, what the message says, where): the words of someone editing YAML, not pydantic's
    (
        "colour not in quotes",
        "name: X\nbrand:\n  colors:\n    primary: #5B2A86\n",
        '"#" starts a comment in YAML, so the colour was not read: write primary: "#5B2A86" in quotes',
        "company.yaml:4:5: brand.colors.primary:",
    ),
    (
        "colour too short",
        "name: X\nbrand:\n  colors:\n    accent: '#12345'\n",
        'use a colour like "#1E3A5F" (a # and six digits or letters A-F, in quotes)',
        "company.yaml:4:5: brand.colors.accent:",
    ),
    (
        "add instead of append",
        "name: X\nroles:\n  product-manager:\n    responsibilities:\n      add: [Run the weekly review]\n",
        "`add` does not add to a list: write `append:` or `prepend:` under roles.product-manager.responsibilities",
        "company.yaml:5:7:",
    ),
    (
        "level not a number",
        "name: X\nroles:\n  product-manager:\n    level: .nan\n",
        "must be a number from 0 to 100",
        "company.yaml:4:5: level:",
    ),
    ("level too high", "name: X\nroles:\n  product-manager:\n    level: 101\n", "must be at most 100", ":4:5:"),
    ("paper", "name: X\npaper: A5\n", "must be a4 or letter", "company.yaml:2:1: paper:"),
    ("a list for text", "name: [X, Y]\n", "expected text but found a list", "company.yaml:1:1: name:"),
    ("web not a yes/no", "name: X\nweb: sometimes\n", "must be true or false", "company.yaml:2:1: web:"),
]


@pytest.mark.parametrize(("case", "company_yaml", "says", "where"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_messages_say_what_to_write(tmp_path: Path, monkeypatch, case, company_yaml, says, where) -> None:
    make_company(tmp_path, "acme", company_yaml)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "acme", "--content", str(CONTENT)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = next((line for line in result.output.splitlines() if says in line), None)
    assert line is not None and where in line, result.output
    for vocabulary in ("Input should", "pydantic", "[^#", "{6}", "type=", "constrained-str", "ListEdit"):
        assert vocabulary not in result.output, result.output


def test_every_message_in_the_table_is_plain_words() -> None:
    from guide.validate import MESSAGES as TABLE

    for kind, message in TABLE.items():
        text = message if isinstance(message, str) else message({"input": "x", "loc": ("f",)}, {}, "f")
        assert text and "Input should" not in text and "pydantic" not in text, kind
