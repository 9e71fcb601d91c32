"""`init`, `schema`, `explain` and company templates and styles."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import CONTENT, ROOT, make_company
from pypdf import PdfReader

from guide.cli import main
from guide.load import load_content
from guide.models import CompanyFile
from guide.pipeline import prepare_company
from guide.render_html import render_guide
from guide.scaffold import schema_json


def test_init_scaffolds_a_company_that_validates_and_builds(tmp_path: Path, monkeypatch) -> None:
    import guide.outputs as outputs
    from guide.outputs import guide

    monkeypatch.setattr(outputs, "UNITS", (guide.UNIT,))  # the guide's metadata is what is read
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "acme-corp"])
    assert result.exit_code == 0, result.output
    company_yaml = (tmp_path / "companies" / "acme-corp" / "company.yaml").read_text()
    assert company_yaml.startswith("# yaml-language-server: $schema=../company.schema.json")
    assert "name: Acme Corp" in company_yaml
    assert json.loads((tmp_path / "companies" / "company.schema.json").read_text())["title"]
    validate = runner.invoke(main, ["validate", "--company", "acme-corp", "--content", str(CONTENT)])
    assert validate.exit_code == 0, validate.output
    build = runner.invoke(main, ["build", "--company", "acme-corp", "--out", "out", "--content", str(CONTENT)])
    assert build.exit_code == 0, build.output
    assert PdfReader(tmp_path / "out" / "acme-corp" / "career-guide.pdf").metadata.author == "Acme Corp"


def test_init_refuses_bad_slugs_and_existing_folders(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "Acme Corp"]).exit_code == 1
    assert runner.invoke(main, ["init", "acme"]).exit_code == 0
    again = runner.invoke(main, ["init", "acme"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_schema_describes_company_yaml_and_the_committed_copy_is_current() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert {"name", "brand", "paper", "locale", "titles", "exclude_roles", "roles", "sections"} <= set(
        schema["properties"]
    )
    assert schema["required"] == ["name"]
    committed = (ROOT / "companies" / "company.schema.json").read_text()
    assert committed == schema_json(), "run `careerguide schema > companies/company.schema.json`"


def test_example_company_files_point_at_the_schema() -> None:
    from ruamel.yaml import YAML

    paths = list((ROOT / "companies").glob("*/company.yaml"))
    assert len(paths) == 3
    for path in paths:
        assert path.read_text().startswith("# yaml-language-server: $schema=../company.schema.json"), path
        CompanyFile.model_validate(YAML(typ="safe").load(path.read_text()))


def test_explain_shows_origins(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["explain", "--company", "northwind", "product-manager", "--content", str(CONTENT)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Product Manager II (product-manager) at Northwind Analytics: level 2 of 6"
    title = lines.index("title: Product Manager II")
    assert lines[title + 1].startswith("  # from the company (companies/northwind/company.yaml:")
    summary = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    comment = next(line for line in lines[summary:] if line.startswith("  #"))
    assert comment.startswith("  # from the shared content (content/roles/product-manager.yaml:")
    responsibilities = lines.index("responsibilities:")
    comment = next(line for line in lines[responsibilities:] if line.startswith("  #"))
    assert comment.startswith("  # shared content with company additions")
    missing = CliRunner().invoke(main, ["explain", "--company", "bergwerk", "associate-product-manager"])
    assert missing.exit_code == 1 and "not on Bergwerk" in missing.output
    lines = (ROOT / "companies/bergwerk/company.yaml").read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "associate-product-manager" in text)
    assert f"companies/bergwerk/company.yaml:{line}:" in missing.output  # the line that removes it
    assert "take it out of exclude_roles" in missing.output


def test_company_css_comes_after_the_theme_and_brand(tmp_path: Path) -> None:
    folder = make_company(tmp_path, "styled", "name: Styled\n", {"styles/z.css": ".cover-title { color: #123456; }"})
    prepared = prepare_company(load_content(CONTENT), folder)
    html = render_guide(prepared.content, prepared.target).html
    link = f'<link rel="stylesheet" href="{(folder / "styles" / "z.css").resolve().as_uri()}">'
    assert html.index(link) > html.index("</style>") > html.index("--primary:") > html.index("@page cover")


def test_company_template_overrides_the_theme_by_search_path(tmp_path: Path) -> None:
    macros = (ROOT / "templates" / "macros.html").read_text()
    custom = macros.replace('<ul class="{{ class }}">', '<ul class="{{ class }}" data-company="yes">')
    folder = make_company(tmp_path, "templ", "name: T\n", {"templates/macros.html": custom})
    prepared = prepare_company(load_content(CONTENT), folder)
    assert 'data-company="yes"' in render_guide(prepared.content, prepared.target).html


def test_company_templates_run_sandboxed(tmp_path: Path, monkeypatch) -> None:
    evil = '{% extends "base.html" %}{% block body %}{{ "".__class__.__mro__[1].__subclasses__() }}{% endblock %}'
    make_company(tmp_path, "evil", "name: Evil\n", {"templates/guide.html": evil})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--company", "evil", "--out", "out", "--content", str(CONTENT)])
    assert result.exit_code == 1
    assert "unsafe" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "evil").exists()


def test_broken_company_template_is_located(tmp_path: Path, monkeypatch) -> None:
    make_company(tmp_path, "broken", "name: B\n", {"templates/guide.html": "line one\n{% if %}\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--company", "broken", "--out", "out", "--content", str(CONTENT)])
    assert result.exit_code == 1
    assert "companies/broken/templates/guide.html:2: template error" in result.output


def test_the_examples_in_init_s_company_yaml_validate_once_uncommented(tmp_path: Path, monkeypatch) -> None:
    """Taking the "#" away from an example, as its comment says, gives a valid company.yaml."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "acme"]).exit_code == 0
    path = tmp_path / "companies" / "acme" / "company.yaml"
    lines, inside = [], False
    for line in path.read_text().splitlines():
        if line.startswith(("# titles:", "# exclude_roles:", "# roles:")):
            inside = True
        elif not line.startswith("#   "):
            inside = False
        lines.append(line[2:] if inside else line)
    text = "\n".join(lines) + "\n"
    assert "\ntitles:\n  product-manager: Product Manager II\n" in text and "\nroles:\n" in text
    path.write_text(text)
    result = runner.invoke(main, ["validate", "--company", "acme", "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output + text
