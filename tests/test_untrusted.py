"""Company folders and rosters are untrusted: no escape, no hang, no bomb, no traceback.

Each case builds a hostile folder (links, pipes and sparse files cannot live
in git, so they are made here) and asserts the exit code, a message naming
the file (and line where there is one), that no canary text from outside the
folder reaches any output, and that nothing is written outside the output
folder. Bombs run in a subprocess under a memory limit. A positive control
shows that a legitimate company template, stylesheet, font and logo still
reach the PDF.
"""

from __future__ import annotations

import io
import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROOT, make_company

from guide.cli import main

CANARY = "CANARY-7f3a9c"
CAREERGUIDE = str(Path(sys.executable).with_name("careerguide"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A project folder with an `outside/` folder of secrets next to the companies."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{CANARY}\n")
    (outside / "role.yaml").write_text(f"canary_key: {CANARY}\n")
    (outside / "leak.html").write_text(f"<p>{CANARY}</p>\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    result = CliRunner().invoke(main, [*args, "--content", str(CONTENT)])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def errors_of(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def assert_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert any(all(f in line for f in fragments) for line in errors_of(result)), result.output
    assert CANARY not in result.output


def assert_no_canary(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
            if path.suffix == ".pdf":
                document = pdfium.PdfDocument(str(path))
                text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
                assert CANARY not in text, path


# --- templates see plain data only ------------------------------------------------

LIVE_OBJECT_ATTEMPTS = [
    '{{ target.company_dir.joinpath("../outside/secret.txt").read_text() }}',
    "{{ brand.logo.read_text() }}",
    "{{ roles[0].__class__.__mro__ }}",
    "{{ labels.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    '{{ roles[0].update({"title": "x"}) }}',
]


@pytest.mark.parametrize("attempt", LIVE_OBJECT_ATTEMPTS)
def test_a_company_template_cannot_reach_files(project: Path, attempt: str) -> None:
    template = '{% extends "base.html" %}{% block body %}<p>' + attempt + "</p>{% endblock %}\n"
    # The guide is the first template rendered: the attempt fails before any layout.
    make_company(project, "evil", "name: Evil\n", {"templates/guide.html": "\n\n" + template})
    result = invoke("build", "--company", "evil", "--out", "out")
    assert_error(result, "templates/guide.html:3")
    assert not (project / "out" / "evil").exists()
    assert not list(project.rglob("pwned*"))


GREEDY = ['{{ "x" * 10**10 }}', "{{ [1] * 10**9 }}", "{{ 2 ** 100000000 }}", '{{ "x" * 10**13 }}']


@pytest.mark.parametrize("attempt", GREEDY)
def test_template_arithmetic_cannot_fill_the_memory(project: Path, attempt: str) -> None:
    make_company(project, "greedy", "name: Greedy\n", {"templates/guide.html": "\n" + attempt})
    result = invoke("build", "--company", "greedy", "--out", "out", "--timeout", "20")
    assert_error(result, "templates/guide.html:2", "unsafe")
    assert not (project / "out" / "greedy").exists()


def test_a_template_that_tries_to_write_writes_nothing(project: Path) -> None:
    attempt = '{{ target.company_dir.joinpath("../pwned.pth").write_text("import os") }}'
    make_company(project, "evil", "name: Evil\n", {"templates/guide.html": attempt})
    assert_error(invoke("build", "--company", "evil", "--out", "out"), "templates/guide.html:1", "undefined")
    assert not (project / "companies" / "pwned.pth").exists()


def test_template_errors_name_the_file_and_line(project: Path) -> None:
    body = '{% extends "base.html" %}\n{% block body %}\n<p>fine</p>\n{{ 1 // 0 }}\n{% endblock %}\n'
    make_company(project, "broken", "name: Broken\n", {"templates/guide.html": body})
    assert_error(invoke("build", "--company", "broken", "--out", "out"), "templates/guide.html:4", "failed")


def test_a_card_template_without_the_card_ids_is_explained(project: Path) -> None:
    body = '{% extends "base.html" %}{% block body %}<p>no ids</p>{% endblock %}'
    make_company(project, "plain", "name: Plain\n", {"templates/cards.html": body})
    assert_error(invoke("build", "--company", "plain", "--out", "out"), "cards.html", 'id="card-')


# --- links, pipes, devices and big files ------------------------------------------


def test_a_linked_template_outside_the_folder_is_refused(project: Path) -> None:
    body = '{% extends "base.html" %}{% block body %}{% include "leak.html" %}{% endblock %}'
    folder = make_company(project, "linky", "name: Linky\n", {"templates/guide.html": body})
    (folder / "templates" / "leak.html").symlink_to(project / "outside" / "leak.html")
    assert_error(invoke("build", "--company", "linky", "--out", "out"), "templates/leak.html", "outside")
    assert_no_canary(project / "out")  # whatever was written holds nothing of the linked file


def test_a_linked_role_file_outside_the_folder_is_refused_without_its_contents(project: Path) -> None:
    folder = make_company(project, "linky", "name: Linky\n")
    (folder / "roles").mkdir()
    (folder / "roles" / "stolen.yaml").symlink_to(project / "outside" / "role.yaml")
    result = invoke("validate", "--company", "linky")
    assert_error(result, "roles/stolen.yaml", "link to a file outside")
    assert "canary_key" not in result.output


@pytest.mark.parametrize("where", ["roles/zero.yaml", "styles/zero.css"])
def test_a_link_to_dev_zero_is_refused_at_once(project: Path, where: str) -> None:
    folder = make_company(project, "zero", "name: Zero\n")
    (folder / where).parent.mkdir()
    (folder / where).symlink_to("/dev/zero")
    assert_error(invoke("validate", "--company", "zero"), where, "outside")


@pytest.mark.parametrize("where", ["roles/pipe.yaml", "styles/pipe.css", "company.yaml"])
def test_a_named_pipe_never_hangs_validate_or_build(project: Path, where: str) -> None:
    folder = project / "companies" / "piped"
    (folder / where).parent.mkdir(parents=True, exist_ok=True)
    if where != "company.yaml":
        (folder / "company.yaml").write_text("name: Piped\n")
    os.mkfifo(folder / where)
    for command in (["validate"], ["build", "--out", "out"]):
        done = subprocess.run(
            [CAREERGUIDE, *command, "--company", "piped", "--content", str(CONTENT)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert where in done.stderr and "not an ordinary file" in done.stderr, done.stderr


def test_the_input_digest_never_follows_links_out_or_reads_huge_files(tmp_path: Path) -> None:
    from guide.plan import MAX_HASHED_BYTES, _file_digest

    folder = tmp_path / "co"
    folder.mkdir()
    big = tmp_path / "big.bin"
    with open(big, "wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse: 3 GB that take no room
    (folder / "link.bin").symlink_to(big)
    (folder / "zero").symlink_to("/dev/zero")
    inside = folder / "inside.bin"
    with open(inside, "wb") as stream:
        stream.truncate(MAX_HASHED_BYTES + 1)
    started = time.perf_counter()
    assert _file_digest(folder / "link.bin", folder) == b"link\0" + os.fsencode(big)
    assert _file_digest(folder / "zero", folder) == b"link\0/dev/zero"
    assert _file_digest(inside, folder).startswith(b"large\0")
    assert time.perf_counter() - started < 5  # reading 3 GB would take far longer; this is a hang guard
    (folder / "small.txt").write_text("a")
    before = _file_digest(folder / "small.txt", folder)
    (folder / "small.txt").write_text("b")
    assert _file_digest(folder / "small.txt", folder) != before


# --- bounds ----------------------------------------------------------------------


def _limited(memory_mb: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))

    return limit


def _run_limited(args: list[str], cwd: Path, memory_mb: int = 1500, timeout: float = 60):
    return subprocess.run(
        [CAREERGUIDE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limited(memory_mb),
    )


def test_a_runaway_template_loop_is_stopped(project: Path) -> None:
    from guide.errors import UserError
    from guide.limits import time_limit
    from guide.load import load_content
    from guide.pipeline import prepare_company
    from guide.render_html import render_cards

    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    folder = make_company(project, "loop", "name: Loop\n", {"templates/cards.html": loop})
    prepared = prepare_company(load_content(CONTENT), folder)
    started = time.perf_counter()
    with pytest.raises(UserError) as raised, time_limit(1, "building loop"):
        render_cards(prepared.content, prepared.target)
    assert time.perf_counter() - started < 10
    assert "building loop took longer than 1 s" in str(raised.value)


def test_a_target_out_of_time_fails_alone(project: Path, fake_layout, monkeypatch) -> None:
    """Each target has its own limit: the slow one fails with exit 1, the others are built."""
    import guide.pipeline as pipeline

    fast = pipeline.build_target

    def build_target(content, target, options, digest=None):
        while target.slug == "slow":
            time.sleep(0.01)
        return fast(content, target, options, digest)

    monkeypatch.setattr(pipeline, "build_target", build_target)
    make_company(project, "slow", "name: Slow\n")
    make_company(project, "good", "name: Good\n")
    result = invoke("build", "--company", "slow", "--company", "good", "--out", "out", "--timeout", "1", "-j", "1")
    assert_error(result, "building slow took longer than 1 s")
    assert (project / "out" / "good" / "career-guide.pdf").is_file()
    assert not (project / "out" / "slow").exists()


def test_a_template_that_prints_without_end_is_cut_off(project: Path) -> None:
    flood = '{% for i in range(100000) %}{{ "x" * 1000 }}{% endfor %}'
    make_company(project, "flood", "name: Flood\n", {"templates/guide.html": flood})
    done = _run_limited(["build", "--company", "flood", "--out", "out", "--content", str(CONTENT)], project)
    assert done.returncode == 1, done.stderr
    assert "made more than 16 MB of HTML" in done.stderr


def _xlsx(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsx_that_hides_rows_behind_its_dimension_loses_nobody(tmp_path: Path) -> None:
    from guide.files import xlsx_rows

    rows = [["name", "role"]] + [[f"Person {n}", "Product Manager"] for n in range(9)]
    data = _rewrite_sheet(
        _xlsx(rows), lambda xml: re.sub(rb'<dimension ref="A1:B10" ?/>', b'<dimension ref="A1:B3" />', xml)
    )
    assert b'ref="A1:B3"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    read = [cells for _, cells in xlsx_rows(tmp_path / "r.xlsx", data)]
    assert read == rows


@pytest.mark.parametrize("kind", ["declared-rows", "real-rows", "huge-csv"])
def test_roster_bombs_stop_early_within_memory(project: Path, kind: str) -> None:
    make_company(project, "acme", "name: Acme\n")
    if kind == "huge-csv":
        roster = project / "roster.csv"
        with open(roster, "wb") as stream:
            stream.write(b"name,role\n")
            stream.truncate(2 * 1024**3)
        expected = "file too large"
    else:
        if kind == "declared-rows":
            # 5 KB that claim a person on row 300,000: the rows between are blank, and counted.
            rows = b'<row r="300000"><c r="A300000" t="inlineStr"><is><t>x</t></is></c></row>'
        else:
            cell = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>P%d</t></is></c></row>'
            rows = b"".join(cell % (n, n, n) for n in range(2, 200_000))

        def change(xml: bytes) -> bytes:
            return xml.replace(b"</sheetData>", rows + b"</sheetData>")

        roster = project / "roster.xlsx"
        roster.write_bytes(_rewrite_sheet(_xlsx([["name", "role"]]), change))
        expected = "more than 5000 people"
    done = _run_limited(
        ["onboard", "--company", "acme", "--roster", roster.name, "--content", str(CONTENT)], project, memory_mb=1200
    )
    assert done.returncode == 1, done.stderr
    assert roster.name in done.stderr and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


def test_a_gif_named_png_and_an_image_bomb_in_css_are_refused(project: Path) -> None:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("P", (20, 20)).save(stream, format="GIF")
    make_company(project, "gif", "name: Gif\nbrand:\n  logo: logo.png\n", {"logo.png": stream.getvalue()})
    assert_error(invoke("validate", "--company", "gif"), "company.yaml:3:3", "brand.logo", "GIF")

    from test_hostile import _png_header_only

    css = ".cover { background: url(bomb.png); }\n"
    make_company(
        project, "bomb", "name: Bomb\n", {"styles/a.css": css, "styles/bomb.png": _png_header_only(30000, 30000)}
    )
    result = invoke("build", "--company", "bomb", "--out", "out")
    assert_error(result, "refused to load", "bomb.png", "pixels")


# --- what a company stylesheet brings into the web edition ---------------------------

WEB_CSS_CASES = {
    # a link to a folder deep inside, then up: the link says the file is inside, the path written says outside
    "link-then-up": ("b { background: url(link/../../../x/band.png); }", {"styles/link": "../d/e/f"}, "a link"),
    # a link to its own folder: endless names for one file
    "link-loop": ("b { background: url(" + "l/" * 40 + "band.png); }", {"styles/l": "."}, "goes through a link"),
    "many-names-for-one-file": ("b { background: url(copy.png); }", {"styles/copy.png": "band.png"}, "through a link"),
    "active-content": ("b { background: url(page.html); }", {}, "cannot go into the web edition"),
    "svg-file": ("b { background: url(band.svg); }", {}, "put an SVG in the stylesheet as a data: URI"),
    "missing-file": ("b { background: url(nothing.png); }", {}, "no such file"),
}


@pytest.mark.parametrize("case", sorted(WEB_CSS_CASES))
def test_a_company_stylesheet_brings_only_its_own_passive_files_into_the_web_edition(
    project: Path, monkeypatch, case: str
) -> None:
    import guide.outputs as outputs
    from guide.outputs import web

    monkeypatch.setattr(outputs, "UNITS", (web.UNIT,))
    css, links, message = WEB_CSS_CASES[case]
    files = {
        "styles/a.css": "\n" + css,
        "styles/band.png": b"\x89PNG",
        "styles/band.svg": "<svg/>",
        "styles/page.html": "<script>x</script>",
    }
    folder = make_company(project, "evil", "name: Evil\nweb: true\n", files)
    (folder / "d" / "e" / "f").mkdir(parents=True)
    (folder / "x").mkdir()
    (folder / "x" / "band.png").write_bytes(b"\x89PNG")
    for name, target in links.items():
        (folder / name).symlink_to(target)
    result = invoke("build", "--company", "evil", "--out", "out")
    assert_error(result, "styles/a.css:2:", message)
    assert not (project / "out" / "evil" / "web").exists()


def test_every_stylesheet_an_import_reaches_is_checked_like_the_others(project: Path) -> None:
    nested = "x{a:" + "f(" * 5000 + ")" * 5000 + "}\n"  # walked without recursion
    files = {
        "styles/a.css": '@import "sub/b.css";\n' + nested,
        "styles/sub/b.css": "c { background: url(https://tracker.example/t.png); }\n"
        'd { background-image: image-set("https://tracker.example/p.png" 1x); }\n',
    }
    make_company(project, "evil", "name: Evil\n", files)
    result = invoke("validate", "--company", "evil")
    assert_error(result, "styles/sub/b.css:1:", "only files in the company's folder")
    assert_error(result, "styles/sub/b.css:2:", "only files in the company's folder")


# --- links in PDFs, crashes that are the user's to fix -------------------------------

BAD_INPUT = [
    (
        "javascript link",
        "name: X\nsections:\n  - title: Links\n    links:\n      - title: Click\n        url: javascript:alert(1)\n",
        "company.yaml:6:9: sections[0].links[0].url",
    ),
    ("file url", "name: X\nbrand:\n  url: file:///etc/passwd\n", "company.yaml:3:3: brand.url"),
    (
        "source url",
        "name: X\nguide:\n  sources:\n    - title: T\n      author: A\n      publisher: P\n      url: file:///x\n",
        "company.yaml:7:7: guide.sources[0].url",
    ),
    (
        "merge key",
        "name: X\nbase: &b {a: 1}\nroles:\n  product-manager:\n    <<: *b\n",
        "company.yaml:5:5: YAML merge keys",
    ),
    (
        "no roles left",
        "name: X\nexclude_roles: [associate-product-manager, product-manager, senior-product-manager,"
        " director-of-product, vp-of-product, chief-product-officer]\n",
        "no roles are left",
    ),
    ("viewBox of three", "name: X\nbrand:\n  logo: logo.svg\n", "viewBox must be four numbers"),
    ("viewBox of words", "name: X\nbrand:\n  logo: words.svg\n", "viewBox must be four numbers"),
    ("page size", "name: X\n", "styles/a.css:1:9: `size` cannot be set"),
    ("svg import", "name: X\nbrand:\n  logo: import.svg\n", "import.svg:2:"),
]
SVGS = {
    "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10"><rect width="5" height="5"/></svg>',
    "words.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="abc"><rect width="5" height="5"/></svg>',
    "import.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">\n<style>@import "/etc/passwd";</style></svg>'
    ),
    "styles/a.css": "@page { size: 30mm 30mm }\n",
}


@pytest.mark.parametrize(("case", "company_yaml", "fragment"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_exit_1_with_its_place(project: Path, case: str, company_yaml: str, fragment: str) -> None:
    files = {name: text for name, text in SVGS.items() if name != "styles/a.css" or case == "page size"}
    make_company(project, "bad", company_yaml, files)
    assert_error(invoke("validate", "--company", "bad"), fragment)


def test_a_damaged_font_fails_validate_strict_naming_the_file(project: Path) -> None:
    font = Path("/usr/share/fonts/opentype/inter/Inter-Regular.otf")
    if not font.is_file():
        font = next(Path("/usr/share/fonts").rglob("Inter*.otf"))
    folder = make_company(project, "cut", "name: Cut\nbrand:\n  font:\n    family: Cut\n    files: [fonts/cut.otf]\n")
    (folder / "fonts").mkdir()
    (folder / "fonts" / "cut.otf").write_bytes(font.read_bytes()[: font.stat().st_size // 3])
    assert_error(invoke("validate", "--strict", "--company", "cut"), "company.yaml:5:13", "damaged or incomplete")


def test_source_date_epoch_out_of_range_is_a_plain_error(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999999")
    assert_error(invoke("build", "--out", "out"), "SOURCE_DATE_EPOCH")


def test_init_refuses_the_reserved_name(project: Path) -> None:
    result = CliRunner().invoke(main, ["init", "default"])
    assert result.exit_code == 1 and "kept for the guide without a company" in result.output
    assert not (project / "companies" / "default").exists()


def test_two_folders_with_one_name_are_refused(project: Path) -> None:
    for parent in ("d1", "d2"):
        (project / parent / "acme").mkdir(parents=True)
        (project / parent / "acme" / "company.yaml").write_text("name: Acme\n")
    result = invoke("build", "--company", "d1/acme", "--company", "d2/acme", "--out", "out")
    assert_error(result, "2 company folders are named `acme`", "d1/acme", "d2/acme")
    assert not (project / "out").exists()


# --- outputs: all or nothing, honest freshness, no stray temporary files ----------------


def test_a_full_disk_leaves_the_previous_outputs_and_manifest_as_they_were(
    project: Path, monkeypatch, fake_layout
) -> None:
    import errno

    import guide.write

    assert invoke("build", "--out", "out").exit_code == 0
    folder = project / "out" / "default"
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    real_stage, calls = guide.write._stage, []

    def stage(path, data, mode):
        calls.append(path)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_stage(path, data, mode)

    monkeypatch.setattr(guide.write, "_stage", stage)
    result = invoke("build", "--out", "out", "--force")
    assert_error(result, "cannot write the outputs (No space left on device)", "previous files are unchanged")
    after = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    assert after == before


def test_freshness_reads_the_outputs_and_temporary_files_are_cleared(project: Path, fake_layout) -> None:
    assert invoke("build", "--out", "out").exit_code == 0
    folder = project / "out" / "default"
    assert "nothing to do" in invoke("build", "--out", "out").output
    pdf = folder / "career-guide.pdf"
    data = bytearray(pdf.read_bytes())
    data[40:200] = bytes(160)  # same size, zeros inside
    pdf.write_bytes(bytes(data))
    stray = folder / "cards" / ".product-manager.pdf.k1ll3d.tmp"
    stray.write_bytes(b"%PDF-1.7 half")
    result = invoke("build", "--out", "out")
    assert result.exit_code == 0 and "built 1 target" in result.output, result.output
    assert pdf.read_bytes()[40:200] != bytes(160)
    assert not stray.exists()


def test_onboard_clears_temporary_files_a_killed_run_left(project: Path) -> None:
    make_company(project, "acme", "name: Acme\n")
    folder = project / "out" / "acme" / "onboarding"
    folder.mkdir(parents=True)
    stray = folder / ".ada.pdf.x7.tmp"
    stray.write_bytes(b"personal data")
    (project / "roster.csv").write_text("name,role\nAda,Product Manager\n")
    result = invoke("onboard", "--company", "acme", "--roster", "roster.csv", "--out", "out")
    assert result.exit_code == 0, result.output
    assert not stray.exists() and (folder / "ada.pdf").is_file()


# --- rosters ------------------------------------------------------------------------


def _roster_problems(tmp_path: Path, name: str, data: bytes):
    from guide.load import load_content
    from guide.roster import read_roster
    from guide.validate import validate

    path = tmp_path / name
    path.write_bytes(data)
    try:
        return read_roster(path, validate(load_content(CONTENT)))
    except Exception as error:  # UserError: the whole roster is refused
        return [], error.problems


def test_roster_edge_cases(tmp_path: Path) -> None:
    hires, problems = _roster_problems(
        tmp_path, "names.csv", "name,role\nJos\u00e9,Product Manager\nJose\u0301,Product Manager\n".encode()
    )
    assert len(hires) == 1 and any("twice" in p.message and p.line == 3 for p in problems)

    hires, _ = _roster_problems(tmp_path, "esc.csv", b"name,role\nAda\x1b[31m\x00 Red\xe2\x80\xae,Product Manager\n")
    assert hires[0].name == "Ada[31m Red"

    text = 'name,role,note\n"Ada","Product Manager","two\nlines"\nBob,Nobody,\n'
    _, problems = _roster_problems(tmp_path, "multi.csv", text.encode())
    assert [(p.line, p.field) for p in problems] == [(4, "role")]

    _, problems = _roster_problems(tmp_path, "wide.csv", b'name,role\n"' + b"x" * 200_000 + b'",PM\n')
    assert problems and problems[0].line == 2 and "cannot be read as CSV" in problems[0].message

    _, problems = _roster_problems(
        tmp_path, "broken.xlsx", _rewrite_sheet(_xlsx([["name", "role"]]), lambda x: x[:-40])
    )
    assert problems and "damaged" in problems[0].message

    formula = _xlsx([["name", "role"], ['=CONCAT("A","da")', "Product Manager"]])
    _, problems = _roster_problems(tmp_path, "formula.xlsx", formula)
    assert problems and "cell A2 holds a formula with no saved value" in problems[0].message


# --- the rest --------------------------------------------------------------------


def test_ctrl_c_exits_130_and_leaves_no_temporary_files(project: Path, small_content: Path) -> None:
    # Enough targets that the build is still running when Ctrl-C comes, however fast the machine.
    for slug in ("acme", "beta", "gamma", "delta", "epsilon", "zeta"):
        make_company(project, slug, f"name: {slug.title()}\n")
    process = subprocess.Popen(
        [CAREERGUIDE, "build", "--all", "--force", "-j", "2", "--out", "out", "--content", str(small_content)],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # Ctrl-C once the workers are laying out their targets (each takes its target's lock), however loaded the machine.
    deadline = time.monotonic() + 60
    while not list((project / "out").glob(".*.lock")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends the whole group on Ctrl-C
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "stopped (Ctrl-C)" in err
    assert not list(project.rglob("*.tmp"))


def test_a_legitimate_company_still_reaches_the_pdf(tmp_path: Path, monkeypatch) -> None:
    """Positive control: the walls above let a real brand through (lumen: own CSS and font files; a template)."""
    lumen = ROOT / "companies" / "lumen"
    if not (lumen / "fonts" / "EBGaramond12-Regular.otf").is_file():
        pytest.skip("run `make setup` to copy lumen's font files")
    import shutil

    folder = tmp_path / "companies" / "lumen"
    shutil.copytree(lumen, folder, ignore=shutil.ignore_patterns("frameworks"))  # the product guide only
    (folder / "templates").mkdir()
    (folder / "templates" / "card-backs.html").write_text(
        '{% extends "base.html" %}{% block body %}{% for role in roles %}'
        '<section class="card-back" id="back-{{ role.id }}"><h1>{{ role.title }} at {{ brand.name }}</h1>'
        "</section>{% endfor %}{% endblock %}"
    )
    import guide.outputs as outputs

    # The deck (with the template's backs) and the guide's cover are what is read.
    monkeypatch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name in ("guide", "deck")))
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "--company", "lumen", "--out", "out", "--card-backs")
    assert result.exit_code == 0, result.output
    deck = pdfium.PdfDocument(str(tmp_path / "out" / "lumen" / "role-cards.pdf"))
    text = "".join(deck[i].get_textpage().get_text_range() for i in range(len(deck)))
    assert "Product Manager at Lumen" in " ".join(text.split())
    from pypdf import PdfReader

    reader = PdfReader(tmp_path / "out" / "lumen" / "career-guide.pdf")
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Lumen-Serif" in name for name in fonts), fonts  # the family of its own font files


# --- nothing is cut off ------------------------------------------------------------


def test_a_title_longer_than_the_card_wraps_inside_it(project: Path, monkeypatch) -> None:
    import guide.outputs as outputs
    from guide.outputs import cards

    monkeypatch.setattr(outputs, "UNITS", (cards.UNIT,))  # the card is what is checked
    word = "Produktmanagementverantwortlichkeitsbeauftragter"
    make_company(project, "lang", f"name: Lang\ntitles:\n  product-manager: {word}\n")
    assert invoke("build", "--company", "lang", "--out", "out").exit_code == 0
    card = pdfium.PdfDocument(str(project / "out" / "lang" / "cards" / "product-manager.pdf"))
    page = card[0]
    text = page.get_textpage()
    assert word in "".join(text.get_text_range().split())
    width = page.get_width()
    for index in range(text.count_chars()):
        left, _, right, _ = text.get_charbox(index)
        assert left >= 0 and right <= width, (index, left, right, width)


def test_ladder_labels_fit_their_steps_or_move_to_a_legend() -> None:
    """Measured with the real font: every label line fits its step; with 22 roles the names move to a legend."""
    import xml.etree.ElementTree as ET

    from PIL import ImageFont

    from guide.diagrams import ladder_svg
    from guide.models import Brand

    fonts = {weight: next(Path("/usr/share/fonts").rglob(f"Inter-{weight}.otf")) for weight in ("Regular", "Bold")}

    class Step:
        def __init__(self, rank: int, title: str) -> None:
            self.id, self.rank, self.title, self.label = f"r{rank}", rank, title, title

    for count, title in ((6, "Senior Product Manager {}"), (22, "Leitende Produktmanagerin Stufe {}")):
        roles = [Step(rank, title.format(rank)) for rank in range(1, count + 1)]
        svg = ET.fromstring(str(ladder_svg(roles, Brand(), current="r3", height=84, title="t")))
        ns = "{http://www.w3.org/2000/svg}"
        steps = [rect for rect in svg.iter(f"{ns}rect") if rect.get("height") != "5"]
        width = float(svg.get("viewBox").split()[2])
        shown, legend_lines = [], 0
        for element in svg.iter(f"{ns}text"):
            size = float(element.get("font-size"))
            font = ImageFont.truetype(str(fonts["Bold" if element.get("font-weight") == "700" else "Regular"]), size)
            x, y = float(element.get("x")), float(element.get("y"))
            right = x + font.getlength(element.text)
            step = next((r for r in steps if float(r.get("x")) <= x <= float(r.get("x")) + float(r.get("width"))), None)
            in_legend = y > max(float(r.get("y")) + float(r.get("height")) for r in steps)
            limit = width if in_legend else float(step.get("x")) + float(step.get("width"))
            assert right <= limit + 0.5, (count, element.text, right, limit)
            shown.append(element.text)
            legend_lines += in_legend
        words = " ".join(shown)
        for role in roles:
            assert all(word in words for word in role.title.split()), role.title
        assert (legend_lines > 0) == (count == 22)
