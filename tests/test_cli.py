"""The command line, through Click's test runner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import CONTENT
from pypdf import PdfReader

from guide import __version__
from guide.cli import main


def test_help_lists_the_build_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output
    build_help = CliRunner().invoke(main, ["build", "--help"])
    assert "--emit-html" in build_help.output and "--out" in build_help.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_build_succeeds_and_writes_into_out_default(tmp_path: Path, fake_layout) -> None:
    """Where the files go and what is printed (the PDFs themselves are test_pdf's)."""
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "[1/1] default: 8 PDFs" in result.output
    assert len(list((tmp_path / "out" / "default").rglob("*.pdf"))) == 8
    assert not list((tmp_path / "out").rglob("*.html"))
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_build_runs_in_the_project_folder_by_default(tmp_path: Path, monkeypatch) -> None:
    import shutil

    import guide.outputs as outputs
    from guide.outputs import guide

    monkeypatch.setattr(outputs, "UNITS", (guide.UNIT,))  # the guide's title is what is checked

    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / "content" / "guide.yaml").write_text(
        (CONTENT / "guide.yaml").read_text().replace("title: The Product Manager Career Path", "title: Our Own Path")
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert PdfReader(tmp_path / "build" / "default" / "career-guide.pdf").metadata.title == "Our Own Path"


def test_bad_content_fails_with_a_one_line_message_and_no_traceback(content_copy: Path, tmp_path: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    role.write_text(role.read_text().replace("level: 2", "levle: 2"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--out", str(out), "--content", str(content_copy)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith("error: ") and "product-manager.yaml:" in line and "levle" in line for line in lines)
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written


def test_missing_content_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), "--content", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "content folder not found" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["build", "--colour", "red"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_internal_errors_exit_3_with_a_hint(monkeypatch, tmp_path: Path) -> None:
    import guide.pipeline

    def boom(options, progress=None, planned=None):
        raise KeyError("oops")

    monkeypatch.setattr(guide.pipeline, "build", boom)
    monkeypatch.delenv("CAREERGUIDE_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 3
    assert "internal error: KeyError" in result.output and "CAREERGUIDE_DEBUG=1" in result.output
