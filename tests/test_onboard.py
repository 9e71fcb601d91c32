"""Onboarding packets from a roster: personal pages first, then the company's guide."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROOT
from pypdf import PdfReader

from guide.cli import main
from guide.errors import UserError

ROSTER = """name,role,start_date,manager,buddy,email,note
Amélie Durand,Product Manager II,2026-12-01,Maya Okafor,Sam Lee,amelie@example.com,Welcome aboard!
Seán O'Brien,associate-product-manager,2026-12-08,Maya Okafor,,sean@example.com,
王小明,Senior Product Manager,2026-12-15,Daniel Reyes,,xm@example.com,
ليلى حسن,Head of Product,2027-01-05,,,layla@example.com,
"""


NORTHWIND = str(ROOT / "companies" / "northwind")
REUSED = "using the up-to-date guide in"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """`careerguide build --company northwind`, once: onboarding uses its guide while it is up to date."""
    import guide.outputs as outputs

    out = tmp_path_factory.mktemp("northwind") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name == "guide"))  # all it uses
        args = ["build", "--company", NORTHWIND, "--out", str(out), "--content", str(CONTENT)]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def _onboard(tmp_path: Path, roster: str | bytes, *extra: str, built: Path | None = None, name: str = "roster.csv"):
    """Run `onboard` into tmp_path/out; with `built`, that folder starts as a copy of a finished build."""
    if built is not None:
        shutil.copytree(built, tmp_path / "out")
    path = tmp_path / name
    path.write_bytes(roster.encode("utf-8") if isinstance(roster, str) else roster)
    args = ["onboard", "--company", NORTHWIND, "--roster", str(path)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"), "--content", str(CONTENT), *extra])
    assert "Traceback" not in result.output
    assert built is not None or REUSED not in result.output, result.output
    return result, tmp_path / "out" / "northwind" / "onboarding"


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    """Packets made with no guide built before: onboarding lays the guide out itself."""
    tmp = tmp_path_factory.mktemp("onboard")
    result, folder = _onboard(tmp, ROSTER)
    assert result.exit_code == 0, result.output
    return folder, result


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def _cover(pdf: Path) -> str:
    """The first page's text as PDFium reads it (pypdf misreads some fonts' Unicode maps)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    text = " ".join(document[0].get_textpage().get_text_range().split())
    document.close()
    return text


def test_one_packet_per_person_with_safe_unique_names(packets) -> None:
    folder, result = packets
    names = ["amelie-durand.pdf", "lyla-hsn.pdf", "sean-o-brien.pdf", "wangxiaoming.pdf"]  # transliterated
    assert sorted(p.name for p in folder.iterdir()) == names
    assert "4 packets in" in result.output


def test_cover_carries_name_title_start_date_and_people(packets) -> None:
    folder, _ = packets
    cover = _cover(folder / "amelie-durand.pdf")
    for fact in (
        "Amélie Durand",
        "Product Manager II",
        "December 1, 2026",
        "Maya Okafor",
        "Sam Lee",
        "Welcome aboard!",
    ):
        assert fact in cover
    assert "王小明" in _cover(folder / "wangxiaoming.pdf")
    assert "Senior Product Manager" in _cover(folder / "wangxiaoming.pdf")
    # Names in other scripts are drawn with a sans-serif of that script (installed by `make`), in bold like
    # a Latin name, not as empty boxes nor in whatever font the system finds first.
    for packet, family in (("wangxiaoming.pdf", "Noto-Sans-CJK"), ("lyla-hsn.pdf", "Noto-Sans-Arabic")):
        fonts = PdfReader(folder / packet).pages[0]["/Resources"]["/Font"]
        names = [str(fonts[key].get_object()["/BaseFont"]) for key in fonts]
        assert any(family in name and "Bold" in name for name in names), (packet, names)


def test_their_role_comes_first_with_where_it_sits_and_the_next_step(packets) -> None:
    folder, _ = packets
    page = _text(PdfReader(folder / "sean-o-brien.pdf").pages[1])
    assert page.startswith("YOUR ROLE · LEVEL 1 OF 6 Product Manager I")
    assert page.removeprefix("YOUR ROLE · LEVEL 1 OF 6 Product Manager I").lstrip().startswith("Usually")
    assert "NEXT ROLE: PRODUCT MANAGER II" in page


def test_packet_is_the_personal_pages_then_the_whole_guide(packets, built: Path) -> None:
    folder, _ = packets
    guide = PdfReader(built / "northwind" / "career-guide.pdf")
    packet = PdfReader(folder / "amelie-durand.pdf")
    assert len(packet.pages) == 2 + len(guide.pages)
    assert _text(packet.pages[2]) == _text(guide.pages[0])
    assert packet.page_labels[:3] == ["i", "ii", "1"]
    assert packet.page_labels[-1] == str(len(guide.pages))


def test_outline_and_contents_still_point_to_the_right_pages(packets) -> None:
    folder, _ = packets
    packet = PdfReader(folder / "amelie-durand.pdf")
    entries = {
        item.title: packet.get_destination_page_number(item) for item in packet.outline if not isinstance(item, list)
    }
    start = entries["Head of Product"]
    assert "Head of Product" in _text(packet.pages[start]) and "LEVEL 4 OF 6 · MANAGEMENT" in _text(packet.pages[start])
    contents = _text(packet.pages[3])
    printed = re.search(r"Head of Product[ .]*?(\d+)", contents).group(1)
    assert packet.page_labels[start] == printed
    # The contents' links still land on the sections.
    named = packet.named_destinations
    targets = set()
    for annotation in packet.pages[3].get("/Annots", []):
        destination = annotation.get_object().get("/Dest")
        if isinstance(destination, str):
            targets.add(packet.get_destination_page_number(named[destination]))
        elif destination is not None:
            targets.add(packet.get_page_number(destination[0].get_object()))
    assert start in targets


def test_packets_are_private_unless_shared(packets, built: Path, tmp_path: Path) -> None:
    folder, _ = packets
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result, shared = _onboard(tmp_path, ROSTER.splitlines()[0] + "\nAna,product-manager\n", "--shared", built=built)
    assert result.exit_code == 0
    assert stat.S_IMODE((shared / "ana.pdf").stat().st_mode) == 0o644


BAD = [
    ("unknown role", "name,role\nAna,Astronaut\n", ["roster.csv:2: role: unknown role `Astronaut`"]),
    ("missing name", "name,role\n,product-manager\n", ["roster.csv:2: name: the name is missing"]),
    (
        "ambiguous date",
        "name,role,start_date\nAna,product-manager,01/12/2026\n",
        ["roster.csv:2: start_date: `01/12/2026` could be 1 December or 12 January", "--date-format %d/%m/%Y"],
    ),
    (
        "not a date",
        "name,role,start_date\nAna,product-manager,soon\n",
        ["roster.csv:2: start_date: `soon` is not a date", "write it like 2027-01-18, 18 January 2027"],
    ),
    (
        "duplicate",
        "name,role\nAna,product-manager\nAna,Product Manager II\n",
        ["roster.csv:3: name: Ana is on the roster twice (also row 2)"],
    ),
    ("empty", "", ["roster.csv: the roster is empty"]),
    ("header only", "name,role\n", ["roster.csv: the roster has a header but nobody on it"]),
    ("missing column", "name\nAna\n", ["roster.csv:1: role: the required column `role` is missing"]),
]


@pytest.mark.parametrize(("case", "roster", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_rosters(tmp_path: Path, built: Path, case: str, roster: str, expected: list[str]) -> None:
    result, _ = _onboard(tmp_path, roster, built=built)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any(all(fragment in line for fragment in expected) for line in errors), result.output


def test_latin1_roster_is_reported_with_its_line(tmp_path: Path) -> None:
    result, _ = _onboard(tmp_path, "name,role\nAna,product-manager\nJos\xe9,product-manager\n".encode("latin-1"))
    assert result.exit_code == 1 and "roster.csv:3: not UTF-8 text" in result.output


def test_good_rows_are_built_and_bad_ones_listed_unless_strict(tmp_path: Path, built: Path) -> None:
    roster = "\ufeffname,role\nAna,product-manager\n,product-manager\nBo,Astronaut\n"
    result, folder = _onboard(tmp_path, roster, built=built)
    assert result.exit_code == 1
    assert [p.name for p in folder.iterdir()] == ["ana.pdf"]
    assert "1 packets written; 2 rows could not be used" in result.output
    strict, strict_folder = (
        _onboard(tmp_path / "strict", roster, "--strict", built=built)
        if (tmp_path / "strict").mkdir() is None
        else None
    )
    assert strict.exit_code == 1 and not strict_folder.exists()


def test_very_long_and_right_to_left_names_keep_the_layout(tmp_path: Path, built: Path) -> None:
    long_name = "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt-Featherstonehaugh de la Cruz"
    roster = f"name,role\n{long_name},product-manager\nليلى حسن,product-manager\n"
    result, folder = _onboard(tmp_path, roster, built=built)
    assert result.exit_code == 0, result.output
    for packet in folder.iterdir():
        reader = PdfReader(packet)
        assert reader.page_labels[:3] == ["i", "ii", "1"]  # the cover stays one page
    cover = _cover(next(folder.glob("maximiliana*.pdf")))
    assert "Konstantinopoulou" in cover and "de la Cruz" in cover


def test_excel_roster(tmp_path: Path, built: Path) -> None:
    import datetime as dt
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "role", "start_date"])
    sheet.append(["Ana Lima", "Product Manager II", dt.datetime(2027, 2, 1)])
    stream = io.BytesIO()
    workbook.save(stream)
    result, folder = _onboard(tmp_path, stream.getvalue(), built=built, name="roster.xlsx")
    assert result.exit_code == 0, result.output
    cover = _cover(folder / "ana-lima.pdf")
    assert "Ana Lima" in cover and "February 1, 2027" in cover


def test_the_readme_example_roster_builds(tmp_path: Path, built: Path) -> None:
    roster = ROOT / "docs" / "sample-roster.csv"
    assert "--roster docs/sample-roster.csv" in (ROOT / "README.md").read_text()
    result, folder = _onboard(tmp_path, roster.read_bytes(), built=built)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "amelie-durand.pdf",
        "lyla-hsn.pdf",
        "maximiliana-alexandrina-konstantinopoulou-vanderbilt-feather.pdf",
        "o-brien-sean.pdf",
        "wangxiaoming.pdf",
    ]


def test_a_guide_built_before_is_used_only_while_it_is_up_to_date(packets, built: Path, tmp_path: Path) -> None:
    """The packet made from the built guide is the packet onboarding makes on its own, byte for byte."""
    folder, _ = packets
    roster = ROSTER.splitlines()[0] + "\n" + ROSTER.splitlines()[1] + "\n"
    result, reused = _onboard(tmp_path / "fresh", roster, built=built)
    assert result.exit_code == 0 and REUSED in result.output, result.output
    assert (reused / "amelie-durand.pdf").read_bytes() == (folder / "amelie-durand.pdf").read_bytes()
    # A guide whose inputs changed since (here: its manifest records other inputs) is not used.
    stale = tmp_path / "stale"
    shutil.copytree(built, stale / "out")
    manifest = stale / "out" / "northwind" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"inputs": "', '"inputs": "0'))
    path = stale / "roster.csv"
    path.write_text(roster)
    args = ["onboard", "--company", NORTHWIND, "--roster", str(path), "--out", str(stale / "out")]
    again = CliRunner().invoke(main, [*args, "--content", str(CONTENT)])
    assert again.exit_code == 0 and REUSED not in again.output, again.output
    packet = stale / "out" / "northwind" / "onboarding" / "amelie-durand.pdf"
    assert packet.read_bytes() == (folder / "amelie-durand.pdf").read_bytes()


def test_the_cover_uses_its_page_once_with_the_logo_and_a_long_name_set_smaller(packets) -> None:
    from types import SimpleNamespace

    from guide.pipeline import prepare
    from guide.plan import BuildOptions
    from guide.render_html import render_packets

    folder, _ = packets
    short = PdfReader(folder / "amelie-durand.pdf")
    cover = _cover(folder / "amelie-durand.pdf")
    # The logo is on the cover and the company's contacts fill its lower part.
    import pypdfium2 as pdfium

    image = pdfium.PdfDocument(str(folder / "amelie-durand.pdf"))[0].render(scale=1).to_pil().convert("L")
    corner = image.crop((image.width * 2 // 3, image.height * 4 // 5, image.width, image.height))
    assert sum(corner.histogram()[:160]) > 300  # the logo's ink, bottom right
    assert "Maya Okafor" in cover and "Daniel Reyes" in cover and "maya.okafor@northwind.example" in cover
    assert "YOUR FIRST WEEKS" in cover and "Meet your manager" in cover  # guide.first_weeks, from the content
    # The ladder is on the cover and not again on the role page that follows it.
    assert "Principal PM" in cover
    assert "Principal PM" not in _text(short.pages[1])
    # A long name steps down a size, a longer one another.
    (prepared,), _ = prepare(BuildOptions(content_dir=CONTENT, companies=(NORTHWIND,)))
    fields = dict.fromkeys(("start_date", "manager", "buddy", "email", "note"))
    names = ["Ana Lima", "Maximiliana Konstantinopoulou", "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt"]
    hires = [
        SimpleNamespace(row=row, name=name, role_id="product-manager", **fields) for row, name in enumerate(names, 2)
    ]
    html = render_packets(prepared.content, prepared.target, hires).html
    assert '<h1 class="personal-name" dir="auto">Ana Lima' in html
    assert '<h1 class="personal-name long" dir="auto">Maximiliana Konstantinopoulou<' in html
    assert '<h1 class="personal-name longer" dir="auto">Maximiliana Alexandrina' in html


def test_shards_of_a_roster_write_the_packets_of_one_run(built: Path, tmp_path: Path) -> None:
    """Two shards into one folder give the one run's files, byte for byte; a name two people share never collides."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,role\nAna Lima,Product Manager II\nBo Chen,Head of Product\nÁna Lima,Senior Product Manager\n"
    )
    folders = {}
    for name, shards in (("single", ["1/1"]), ("shared", ["1/2", "2/2"])):
        folders[name] = tmp_path / name
        shutil.copytree(built, folders[name])  # the guide built before is used: only the personal pages are laid out
        for shard in shards:
            args = ["onboard", "--company", NORTHWIND, "--roster", str(roster), "--out", str(folders[name])]
            result = CliRunner().invoke(main, [*args, "--content", str(CONTENT), "--shard", shard])
            assert result.exit_code == 0, result.output
            assert REUSED in result.output
    single, shared = (
        {path.name: path.read_bytes() for path in (folders[name] / "northwind" / "onboarding").glob("*.pdf")}
        for name in ("single", "shared")
    )
    assert sorted(single) == ["ana-lima-2.pdf", "ana-lima.pdf", "bo-chen.pdf"]
    assert shared == single


def _marked_content(pdf) -> set[tuple[int, int]]:
    """(page, MCID) of every piece of marked content the pages' content streams draw."""
    import pikepdf

    found = set()
    for index, page in enumerate(pdf.pages):
        for operands, _ in pikepdf.parse_content_stream(page, "BDC"):
            properties = operands[1]
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                found.add((index, int(properties.MCID)))
    return found


def _structure(pdf) -> tuple[set[tuple[int, int]], list[str]]:
    """Walk the structure tree from its root: (page, MCID) of the content it reaches, and its tags in reading order.

    Each element must name its parent, and no element may be reached twice.
    """
    import pikepdf

    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot
    reached, tags, seen = set(), [], set()
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    stack = [(kid, root, None) for kid in reversed(list(kids))]
    while stack:
        node, parent, page = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            reached.add((pages[page], int(node)))
            continue
        if node.get("/Type") == "/MCR":
            reached.add((pages[node.Pg.objgen if "/Pg" in node else page], int(node.MCID)))
            continue
        if node.get("/Type") == "/OBJR":
            continue
        assert node.objgen not in seen, "an element reached twice"
        seen.add(node.objgen)
        assert node.P.objgen == parent.objgen, f"{node.S} does not name its parent"
        tags.append(str(node.S))
        page = node.Pg.objgen if "/Pg" in node else page
        children = node.get("/K")
        children = list(children) if isinstance(children, pikepdf.Array) else [] if children is None else [children]
        stack.extend((child, node, page) for child in reversed(children))
    return reached, tags


def test_a_packet_is_one_tagged_document(packets, built: Path) -> None:
    """One structure tree: the cover's and the role page's tags, then the guide's, all reachable from the root."""
    import pikepdf

    folder, _ = packets
    with (
        pikepdf.open(folder / "amelie-durand.pdf") as packet,
        pikepdf.open(built / "northwind" / "career-guide.pdf") as guide,
    ):
        assert packet.Root.MarkInfo.Marked is True and str(packet.Root.Lang) == "en"
        assert packet.docinfo.Title == "Onboarding packet: Amélie Durand"
        drawn, (reached, tags) = _marked_content(packet), _structure(packet)
        guide_drawn, (guide_reached, guide_tags) = _marked_content(guide), _structure(guide)
        # Every piece of the personal pages is tagged; the guide's pages are tagged exactly as in the guide.
        personal = {(page, mcid) for page, mcid in drawn if page < 2}
        assert personal and personal <= reached
        assert {(page - 2, mcid) for page, mcid in reached if page >= 2} == guide_reached
        assert {(page - 2, mcid) for page, mcid in drawn if page >= 2} == guide_drawn
        # Reading order: the document, the cover (the name as its heading), the role page, then the guide's tags.
        assert tags[0] == "/Document" and tags.count("/Document") == 1
        assert tags[len(tags) - len(guide_tags) + 1 :] == guide_tags[1:]
        personal_tags = tags[1 : len(tags) - len(guide_tags) + 1]
        assert personal_tags[0] == "/Sect" and "/H1" in personal_tags and "/H2" in personal_tags
        assert personal_tags.count("/Sect") >= 2  # the cover's section and the role page's
        # The parent tree maps each page's marked content back to the element holding it, on that page.
        parents = pikepdf.NumberTree(packet.Root.StructTreeRoot.ParentTree)
        for index, page in enumerate(packet.pages[:2]):
            entry = parents[int(page.obj.StructParents)]
            for _, mcid in sorted(item for item in personal if item[0] == index):
                element = entry[mcid]
                assert element.Pg.objgen == page.objgen and mcid in [int(k) for k in element.K if isinstance(k, int)]
        keys = [int(key) for key, _ in parents.items()]
        assert len(keys) == len(set(keys))
        # Links keep their place in the tree: each annotation's StructParent is the element that refers to it.
        annotations = 0
        for page in packet.pages:
            for annotation in page.obj.get("/Annots", []):
                holder = parents[int(annotation.StructParent)]
                assert any(k.get("/Obj") is not None and k.Obj.objgen == annotation.objgen for k in holder.K)
                annotations += 1
        assert annotations > 10  # the contents' links and the cover's e-mail addresses
        outline = [item.title for item in packet.open_outline().root]
        assert outline[:3] == ["Amélie Durand", "Your role: Product Manager II", "Contents"]


def test_workers_write_the_same_packets(packets, built: Path, tmp_path: Path, monkeypatch) -> None:
    """Packets made by worker processes, one person per layout, are the packets one process makes, byte for byte."""
    import guide.onboard as onboard

    monkeypatch.setattr(onboard, "PEOPLE_PER_LAYOUT", 1)
    result, folder = _onboard(tmp_path, ROSTER, "--jobs", "2", built=built)
    assert result.exit_code == 0, result.output
    made = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert made == {path.name: path.read_bytes() for path in packets[0].iterdir()}


def test_a_timeout_stops_the_workers_and_leaves_only_whole_packets(built: Path, tmp_path: Path, monkeypatch) -> None:
    import pikepdf

    import guide.onboard as onboard

    monkeypatch.setattr(onboard, "PEOPLE_PER_LAYOUT", 1)
    roster = "name,role\n" + "".join(f"Person {n},product-manager\n" for n in range(40))
    result, folder = _onboard(tmp_path, roster, "--jobs", "2", "--timeout", "1", built=built)
    assert result.exit_code == 1 and "took longer than 1 s and was stopped" in result.output, result.output
    left = list(folder.iterdir())
    assert len(left) < 40
    # A run killed outright leaves its scratch folder; the next run into the folder removes it.
    (folder / ".packets-killed").mkdir()
    (folder / ".packets-killed" / "someone.pdf").write_bytes(b"%PDF")
    (tmp_path / "one.csv").write_text("name,role\nAna,product-manager\n")
    args = ["onboard", "--company", NORTHWIND, "--roster", str(tmp_path / "one.csv"), "--out", str(tmp_path / "out")]
    again = CliRunner().invoke(main, [*args, "--content", str(CONTENT)])
    assert again.exit_code == 0, again.output
    assert not (folder / ".packets-killed").exists() and (folder / "ana.pdf").exists()
    for path in left:  # no scratch folder, no temporary file: only packets, each complete
        assert path.suffix == ".pdf" and not path.name.startswith(".")
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) > 2


TOLERATED = [
    ("an extra column", "name,role,department\nAna,product-manager,Growth\n", "roster.csv:1: not used: department"),
    ("semicolons", "name;role;start_date\nAna;product-manager;18.01.2027\n", "roster.csv:1: read with semicolons"),
    ("tabs", "name\trole\tstart_date\nAna\tproduct-manager\t18 Jan 2027\n", "roster.csv:1: read with tabs"),
    ("a written date", 'name,role,start_date\nAna,product-manager,"January 18, 2027"\n', None),
    ("a date only one way", "name,role,start_date\nAna,product-manager,01/18/2027\n", None),
]


@pytest.mark.parametrize(("case", "roster", "note"), TOLERATED, ids=[t[0] for t in TOLERATED])
def test_rosters_as_spreadsheets_save_them_are_read(tmp_path: Path, case: str, roster: str, note: str | None) -> None:
    import datetime as dt

    from guide.load import load_content
    from guide.roster import read_roster
    from guide.validate import validate

    path = tmp_path / "roster.csv"
    path.write_text(roster)
    notes = []
    hires, problems = read_roster(path, validate(load_content(CONTENT)), notes=notes)
    assert not problems and [hire.name for hire in hires] == ["Ana"]
    assert [str(n) for n in notes if note and note in str(n)] or (note is None and not notes), notes
    assert hires[0].start_date in (None, dt.date(2027, 1, 18))
    assert "start_date" not in roster or hires[0].start_date == dt.date(2027, 1, 18)


def test_a_german_roster_with_its_own_dates_and_names_from_other_alphabets(tmp_path: Path, built: Path) -> None:
    """Semicolons, a column nobody asked for, German and ambiguous dates (with --date-format), --quiet."""
    roster = (
        "name;role;start_date;department\n"
        "Łukasz Wiśniewski;Product Manager II;18. Januar 2027;Growth\n"
        "Ana Lima;product-manager;01/02/2027;Platform\n"
    )
    result, folder = _onboard(tmp_path, roster, "--date-format", "%d/%m/%Y", "--quiet", built=built)
    assert result.exit_code == 0, result.output
    assert "not used: department" in result.output and "read with semicolons" in result.output
    assert "packets in" not in result.output and "Lima:" not in result.output  # --quiet: problems and warnings only
    assert sorted(path.name for path in folder.iterdir()) == ["ana-lima.pdf", "lukasz-wisniewski.pdf"]
    assert "January 18, 2027" in _cover(folder / "lukasz-wisniewski.pdf")
    assert "February 1, 2027" in _cover(folder / "ana-lima.pdf")


def test_a_cover_that_would_run_onto_the_next_person_s_page_is_refused(tmp_path: Path, small_content: Path) -> None:
    """A company stylesheet that lets covers flow on would hand the end of one person's page to the next."""
    from conftest import make_company

    css = ".personal { break-before: auto !important; height: auto !important; }"
    folder = make_company(tmp_path, "leaky", "name: Leaky\n", {"styles/x.css": css})
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,role,note\nAlice Alpha,product-manager," + "secret words " * 60 + "\nBob Beta,product-manager,hi\n"
    )
    args = ["onboard", "--company", str(folder), "--roster", str(roster), "--out", str(tmp_path / "out"), "-j", "1"]
    result = CliRunner().invoke(main, [*args, "--content", str(small_content)])
    assert result.exit_code == 1, result.output
    assert 'id="hire-3"' in result.output and "Traceback" not in result.output
    assert "its own page" in result.output or "a page of its own" in result.output
    assert not list((tmp_path / "out" / "leaky" / "onboarding").glob("*.pdf"))


HOSTILE_ROSTERS = [
    ("a column twice", "name,role,name\nAlice Real,product-manager,Bob Other\n", "roster.csv:1: name: the column"),
    (
        "a note of a letter",
        "name,role,note\nAna,product-manager," + "x" * 1001 + "\n",
        "roster.csv:2: note: longer than",
    ),
    ("a name of a paragraph", "name,role\n" + "Ana " * 60 + ",product-manager\n", "roster.csv:2: name: longer than"),
]


@pytest.mark.parametrize(("case", "roster", "expected"), HOSTILE_ROSTERS, ids=[h[0] for h in HOSTILE_ROSTERS])
def test_rosters_that_would_lose_someone_or_stall_the_run(
    tmp_path: Path, case: str, roster: str, expected: str
) -> None:
    from guide.load import load_content
    from guide.roster import read_roster
    from guide.validate import validate

    path = tmp_path / "roster.csv"
    path.write_text(roster)
    try:
        problems = read_roster(path, validate(load_content(CONTENT)))[1]
    except UserError as error:
        problems = error.problems
    assert any(expected in str(problem) for problem in problems), problems


def test_a_linked_or_unwritable_packets_folder_is_refused(tmp_path: Path, built: Path) -> None:
    import os

    out = tmp_path / "out" / "northwind" / "onboarding"
    (tmp_path / "elsewhere").mkdir()
    out.parent.mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere", out)
    (tmp_path / "roster.csv").write_text("name,role\nAna,product-manager\n")
    args = ["onboard", "--company", NORTHWIND, "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--content", str(CONTENT)])
    assert result.exit_code == 1 and "is a link to another folder" in result.output, result.output
    out.unlink()
    out.mkdir()
    (out / "ana.pdf").mkdir()  # something in the way of the packet
    result = CliRunner().invoke(main, [*args, "--content", str(CONTENT)])
    assert result.exit_code == 1 and "ana.pdf: cannot put the packet in place" in result.output, result.output
