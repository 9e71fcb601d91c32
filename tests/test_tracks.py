"""Tracks: ladders that fork into paths that rise side by side, sharing levels."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROOT, make_company

from guide.cli import main
from guide.diagrams import ladder_groups, ladder_svg, trunk_roles
from guide.errors import UserError
from guide.load import load_content
from guide.models import Brand
from guide.pipeline import prepare_company
from guide.render_html import _track_names, render_cards, render_packets

SENIOR = (CONTENT / "roles" / "senior-product-manager.yaml").read_text()


def _role(title: str, level: float, track: str | None = None, extra: str = "") -> str:
    """A role file made from the shipped Senior PM's text, with its own title, level and track."""
    head = f"title: {title}\n" + (f"track: {track}\n" if track else "") + f"level: {level}\n"
    return SENIOR.replace("title: Senior Product Manager\nshort_title: Senior PM\nlevel: 3\n", head) + extra


TWO_TRACKS = """name: Acme
tracks:
  main:
    name: Management
  individual-contributor:
    name: Individual contributor
    branches_from: senior-product-manager
"""
PRINCIPAL = {"roles/principal.yaml": _role("Principal PM", 4, "individual-contributor")}


def _prepare(tmp_path: Path, company_yaml: str, files: dict[str, str]):
    return prepare_company(load_content(CONTENT), make_company(tmp_path, "acme", company_yaml, files))


def _errors(tmp_path: Path, company_yaml: str, files: dict[str, str]) -> list[str]:
    with pytest.raises(UserError) as raised:
        _prepare(tmp_path, company_yaml, files)
    return [str(problem) for problem in raised.value.problems]


def test_a_fork_shares_levels_and_leads_both_ways(tmp_path: Path) -> None:
    content = _prepare(tmp_path, TWO_TRACKS, PRINCIPAL).content
    order = [role.id for role in content.roles]
    assert order == [
        "associate-product-manager",
        "product-manager",
        "senior-product-manager",
        "director-of-product",
        "vp-of-product",
        "chief-product-officer",
        "principal",
    ]
    assert content.levels == 6
    assert content.role("principal").rank == content.role("director-of-product").rank == 4
    senior = content.role("senior-product-manager")
    assert [step.role for step in senior.next_steps] == ["director-of-product", "principal"]
    assert content.role("principal").next_steps == []  # the top of its track
    assert content.role("chief-product-officer").next_steps[0].title == "General Manager"
    assert trunk_roles(content) == {"associate-product-manager", "product-manager", "senior-product-manager"}


def test_roles_on_one_track_follow_each_other_and_explicit_steps_win(tmp_path: Path) -> None:
    files = {**PRINCIPAL, "roles/distinguished.yaml": _role("Distinguished PM", 5, "individual-contributor")}
    content = _prepare(tmp_path, TWO_TRACKS, files).content
    assert [step.role for step in content.role("principal").next_steps] == ["distinguished"]
    sideways = (
        "roles:\n  vp-of-product:\n    next_steps:\n      - role: chief-product-officer\n      - role: distinguished\n"
    )
    content = _prepare(tmp_path / "b", TWO_TRACKS + sideways, files).content
    assert [step.role for step in content.role("vp-of-product").next_steps] == [
        "chief-product-officer",
        "distinguished",
    ]


GRAPH_ERRORS = [
    (
        "unknown track",
        TWO_TRACKS,
        {"roles/principal.yaml": _role("Principal PM", 4, "individual-contributer")},
        ["principal.yaml:2:1: track: unknown track `individual-contributer` (did you mean `individual-contributor`?)"],
    ),
    (
        "track without roles",
        TWO_TRACKS + "  design:\n    name: Design\n    branches_from: product-manager\n",
        PRINCIPAL,
        ["company.yaml:8:3: tracks.design: no role is on this track"],
    ),
    (
        "fork at an unknown role",
        TWO_TRACKS.replace("branches_from: senior-product-manager", "branches_from: senior-pm"),
        PRINCIPAL,
        ["company.yaml:7:5: tracks.individual-contributor.branches_from: unknown role `senior-pm`"],
    ),
    (
        "a branch below its fork",
        TWO_TRACKS,
        {"roles/principal.yaml": _role("Principal PM", 3, "individual-contributor")},
        ["principal.yaml:3:1: level: level 3 is not above Senior Product Manager (level 3)"],
    ),
    (
        "a track that starts nowhere",
        TWO_TRACKS.replace("    branches_from: senior-product-manager\n", ""),
        PRINCIPAL,
        ["tracks.individual-contributor: say where the track starts: `branches_from: <role-id>`"],
    ),
    (
        "two roles at one level of one track",
        TWO_TRACKS,
        {**PRINCIPAL, "roles/staff.yaml": _role("Staff PM", 4, "individual-contributor")},
        ["level: level 4 is also used by principal on the same track"],
    ),
    (
        "a next step down",
        TWO_TRACKS + "roles:\n  vp-of-product:\n    next_steps:\n      - role: product-manager\n",
        PRINCIPAL,
        ["vp-of-product.next_steps[0].role: Product Manager (level 2) is below VP of Product (level 5)"],
    ),
    (
        "next steps in a circle",
        TWO_TRACKS + "roles:\n  director-of-product:\n    next_steps:\n      - role: principal\n",
        {
            "roles/principal.yaml": _role(
                "Principal PM", 4, "individual-contributor", "next_steps:\n  - role: director-of-product\n"
            )
        },
        ["the next steps go round in a circle: Director of Product → Principal PM → Director of Product"],
    ),
    (
        "a role no path reaches",
        "name: Acme\nroles:\n  product-manager:\n    next_steps:\n      - role: director-of-product\n",
        {},
        ["roles.senior-product-manager: no path up the ladder leads to Senior Product Manager"],
    ),
]


@pytest.mark.parametrize(("case", "company_yaml", "files", "expected"), GRAPH_ERRORS, ids=[c[0] for c in GRAPH_ERRORS])
def test_ladder_shape_errors_name_their_place(tmp_path: Path, case, company_yaml, files, expected) -> None:
    errors = _errors(tmp_path, company_yaml, files)
    for fragment in expected:
        assert any(fragment in error for error in errors), (case, errors)


def test_shape_errors_reach_the_command_line_as_exit_1(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "acme", TWO_TRACKS.replace("senior-product-manager", "senior-pm"), PRINCIPAL)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "acme", "--content", str(CONTENT)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "error: companies/acme/company.yaml:7:5: tracks.individual-contributor.branches_from" in result.output


def _steps(svg: str) -> dict[str, tuple[float, float, float]]:
    """Each step's (x, y, height), keyed by the label's first line, from the SVG the guide draws."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = [r for r in root.iter(f"{ns}rect") if r.get("height") != "5"]
    texts = [
        t for t in root.iter(f"{ns}text") if t.get("font-weight") in ("400", "700") and t.text and t.text[0].isalpha()
    ]
    steps = {}
    for rect in rects:
        x, y, height = (float(rect.get(name)) for name in ("x", "y", "height"))
        label = next(
            t.text for t in texts if x < float(t.get("x")) < x + float(rect.get("width")) and float(t.get("y")) > y
        )
        steps[label] = (x, y, height)
    return steps


@pytest.mark.parametrize("tracks", [1, 2, 3])
def test_the_diagram_draws_equal_levels_at_equal_heights(tmp_path: Path, tracks: int) -> None:
    company, files = "name: Acme\n", {}
    if tracks >= 2:
        company, files = TWO_TRACKS, dict(PRINCIPAL)
    if tracks == 3:
        company += "  design:\n    name: Design leadership\n    branches_from: product-manager\n"
        files["roles/design-lead.yaml"] = _role("Design Lead", 3, "design")
    content = _prepare(tmp_path, company, files).content
    names = _track_names(content)
    groups = ladder_groups(content, names, trunk_roles(content))
    svg = str(ladder_svg(groups, Brand(), use_title=False, title="Ladder"))
    steps = _steps(svg)
    assert len(steps) == len(content.roles)
    by_rank: dict[int, set[tuple[float, float]]] = {}
    label = {role.id: role.label for role in content.roles}
    for role in content.roles:
        first_word = next(key for key in steps if label[role.id].startswith(key))
        by_rank.setdefault(role.rank, set()).add(steps[first_word][1:])
    assert all(len(shapes) == 1 for shapes in by_rank.values()), by_rank  # equal level: equal y and height
    heights = [next(iter(by_rank[rank]))[1] for rank in sorted(by_rank)]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)  # each level higher than the last
    track_labels = re.findall(r'letter-spacing="0.6"[^>]*>([^<]+)<', svg)
    assert len(track_labels) >= tracks - 1 + (tracks > 1)  # every track after the fork is named
    if tracks == 1:
        assert track_labels == []


def test_a_packet_for_someone_on_a_track_highlights_their_role(tmp_path: Path) -> None:
    prepared = _prepare(tmp_path, TWO_TRACKS, PRINCIPAL)
    roster = tmp_path / "roster.csv"
    roster.write_text("name,role\nAna,Principal PM\n")
    from guide.roster import read_roster

    hires, problems = read_roster(roster, prepared.content)
    assert not problems
    html = render_packets(prepared.content, prepared.target, hires, [hire.role_id for hire in hires]).html
    assert "Level 4 of 6 · Individual contributor" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # The cover's ladder is an SVG image: read it back.
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert images
    html += "".join(base64.b64decode(image).decode() for image in images)
    primary = prepared.target.brand.colors.primary
    steps = r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="(?!5")[\d.]+" '
    highlighted = re.findall(steps + f'fill="{primary}"', html)
    assert len(set(highlighted)) == 1  # one role, the same on every ladder of the packet
    every_x = {float(x) for x in re.findall(steps.replace('<rect x="[\\d.]+"', '<rect x="([\\d.]+)"'), html)}
    assert float(re.search(r'x="([\d.]+)"', highlighted[0]).group(1)) == max(every_x)  # the track drawn last


def test_cards_name_the_track_and_every_way_up(tmp_path: Path) -> None:
    prepared = _prepare(tmp_path, TWO_TRACKS, PRINCIPAL)
    text = " ".join(re.sub(r"<[^>]+>", " ", render_cards(prepared.content, prepared.target).html).split())
    assert "Level 4 of 6 · Individual contributor" in text and "Level 4 of 6 · Management" in text
    assert "Next role: Director of Product (management) or Principal PM (individual contributor)" in text
    assert "The top of this track" in text


def test_no_ladder_label_leaves_a_short_word_alone_on_a_line() -> None:
    """ "Product Manager" / "II" reads as two labels: the wrap moves a word down, or the type gets smaller."""
    from guide.diagrams import _wrap

    assert _wrap("Product Manager II", 15) == ["Product", "Manager II"]
    content = prepare_company(load_content(CONTENT), ROOT / "companies" / "northwind").content
    groups = ladder_groups(content, _track_names(content), trunk_roles(content))
    for height in (72, 84):  # the cards' and the role pages' ladders
        svg = str(ladder_svg(groups, Brand(), current="product-manager", height=height, title="t"))
        found = re.findall(r'font-weight="(?:400|700)" fill="[^"]+">([^<]+)</text>', svg)
        lines = [line.replace("\u00a0", " ") for line in found]  # short words are bound with no-break spaces
        assert "Manager II" in lines
        whole = {role.label for role in content.roles}  # "VP" is a label of its own, not a stray word
        assert not [line for line in lines if len(line) <= 3 and not line.isdigit() and line not in whole], lines


def test_a_company_can_show_another_track_before_the_main_one(tmp_path: Path) -> None:
    content = _prepare(tmp_path, TWO_TRACKS + "track_order: [individual-contributor, main]\n", PRINCIPAL).content
    assert [role.id for role in content.roles][3] == "principal"  # right after the trunk
    assert [track.id for track in content.tracks] == ["individual-contributor", "main"]
    errors = _errors(tmp_path / "b", TWO_TRACKS + "track_order: [individual-contributer]\n", PRINCIPAL)
    assert any("track_order[0]: unknown track `individual-contributer`" in error for error in errors), errors


def test_a_ladder_too_wide_for_one_matrix_gets_one_per_track_each_on_one_page(tmp_path: Path) -> None:
    """Nine roles on three tracks: a matrix per track, each reading from the first level, none spilling over."""
    from pypdf import PdfReader

    import guide.outputs as outputs
    from guide.outputs import guide
    from guide.pipeline import build
    from guide.plan import BuildOptions

    company = TWO_TRACKS + "  design:\n    name: Design leadership\n    branches_from: product-manager\n"
    files = {
        **PRINCIPAL,
        "roles/distinguished.yaml": _role("Distinguished PM", 5, "individual-contributor"),
        "roles/design-lead.yaml": _role("Design Lead", 3, "design"),
    }
    make_company(tmp_path, "acme", company, files)
    options = BuildOptions(out_dir=tmp_path / "out", project=tmp_path, content_dir=CONTENT, companies=("acme",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", (guide.UNIT,))
        build(options)
    pages = PdfReader(tmp_path / "out" / "acme" / "career-guide.pdf").pages
    landscape = [
        " ".join(p.extract_text().split()) for p in pages if float(p.mediabox.width) > float(p.mediabox.height)
    ]
    assert len(landscape) == 3
    for text, heading in zip(landscape, ("Management", "Individual contributor", "Design leadership"), strict=True):
        assert heading in text and "Leadership" in text  # the table's last row is on its page
    assert "3Senior PM 4Principal PM 5Distinguished PM" in landscape[1]  # up to the fork, then the track
