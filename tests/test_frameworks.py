"""A company's own frameworks (companies/<slug>/frameworks/<id>/) build beside its guide, each in its own folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, make_company
from pypdf import PdfReader

from guide.errors import UserError
from guide.pipeline import build
from guide.plan import BuildOptions, plan_targets

DESIGN = ROOT / "companies" / "lumen" / "frameworks" / "design"


def _project(tmp_path: Path) -> Path:
    folder = make_company(tmp_path, "acme", "name: Acme\nbrand:\n  colors:\n    primary: '#204060'\n")
    shutil.copytree(DESIGN, folder / "frameworks" / "design")
    return tmp_path


def _rebuilt(results) -> list[str]:
    return sorted(result.target for result in results if not result.skipped)


def test_a_framework_is_a_target_of_its_own(tmp_path: Path) -> None:
    project = _project(tmp_path)
    options = BuildOptions(out_dir=project / "out", project=project, content_dir=CONTENT, all_targets=True)
    assert [spec.slug for spec in plan_targets(options)] == ["default", "acme", "acme/design"]
    shards = [plan_targets(BuildOptions(**{**vars(options), "shard": (k, 2)})) for k in (1, 2)]
    assert sorted(spec.slug for shard in shards for spec in shard) == ["acme", "acme/design", "default"]


def test_two_frameworks_build_side_by_side_and_rebuild_alone(tmp_path: Path, fake_layout) -> None:
    project = _project(tmp_path)
    options = BuildOptions(out_dir=project / "out", project=project, content_dir=CONTENT, companies=("acme",), jobs=2)
    assert _rebuilt(build(options)) == ["acme", "acme/design"]
    out = project / "out" / "acme"
    design = json.loads((out / "design" / "manifest.json").read_text())
    product = json.loads((out / "manifest.json").read_text())
    assert sorted(design["outputs"]) == sorted(
        [
            "career-guide.pdf",
            "role-cards.pdf",
            *(f"cards/{r}.pdf" for r in ("designer", "senior-designer", "design-lead")),
        ]
    )
    assert "cards/product-manager.pdf" in product["outputs"] and not any(
        "design" in name for name in product["outputs"]
    )
    assert "Growing in Design at Lumen" in PdfReader(out / "design" / "career-guide.pdf").pages[0].extract_text()
    assert _rebuilt(build(options)) == []
    # The design ladder's own files: only its target is rebuilt, and the product guide's outputs stay as they were.
    role = project / "companies" / "acme" / "frameworks" / "design" / "roles" / "designer.yaml"
    role.write_text(role.read_text().replace("  - Prototyping\n", "  - Paper prototyping\n"))
    before = (out / "career-guide.pdf").stat().st_mtime_ns
    assert _rebuilt(build(options)) == ["acme/design"]
    assert (out / "career-guide.pdf").stat().st_mtime_ns == before
    assert "Paper prototyping" in PdfReader(out / "design" / "cards" / "designer.pdf").pages[0].extract_text()
    # The brand is both targets' input.
    company = project / "companies" / "acme" / "company.yaml"
    company.write_text(company.read_text().replace("#204060", "#602040"))
    assert _rebuilt(build(options)) == ["acme", "acme/design"]


def test_a_roster_names_roles_of_every_framework_and_each_packet_carries_its_own_guide(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from guide.cli import main

    project = _project(tmp_path)
    roster = project / "roster.csv"
    roster.write_text("name,role\nAna,Designer\nBo,product-manager\nCy,design/design-lead\nDee,Astronaut\n")
    args = ["onboard", "--company", "acme", "--roster", str(roster), "--out", "out", "--content", str(CONTENT)]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # Dee's row is bad; the others are built
    assert "roster.csv:5: role: unknown role `Astronaut`" in result.output and "Design Lead" in result.output
    folder = project / "out" / "acme" / "onboarding"
    assert sorted(path.name for path in folder.iterdir()) == ["ana.pdf", "bo.pdf", "cy.pdf"]
    titles = {
        name: " ".join(PdfReader(folder / f"{name}.pdf").pages[2].extract_text().split())
        for name in ("ana", "bo", "cy")
    }
    assert "Growing in Design at Lumen" in titles["ana"] and "Growing in Design at Lumen" in titles["cy"]
    assert "The Product Manager Career Path" in titles["bo"]


def test_explain_finds_a_role_of_the_company_own_framework(monkeypatch) -> None:
    from click.testing import CliRunner

    from guide.cli import main

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["explain", "--company", "lumen", "design/senior-designer", "--content", str(CONTENT)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Senior Designer (senior-designer) at Lumen Studio: level 2 of 3")
    assert "brings a designer along with them" in " ".join(result.output.split())  # {noun:below}, resolved


def test_a_framework_cannot_take_the_name_of_a_folder_the_outputs_use(tmp_path: Path) -> None:
    folder = make_company(tmp_path, "acme", "name: Acme\n")
    (folder / "frameworks" / "onboarding").mkdir(parents=True)
    (folder / "frameworks" / "onboarding" / "guide.yaml").write_text("title: T\n")
    with pytest.raises(UserError) as error:
        plan_targets(BuildOptions(project=tmp_path, companies=("acme",)))
    assert "a framework cannot be called onboarding" in str(error.value)
