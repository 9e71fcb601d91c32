"""The wheel carries the templates, styles and default content, and builds from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT
from pypdf import PdfReader


def test_wheel_builds_the_default_guide_from_an_empty_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        # Without build isolation: hatchling is in the test set-up, and a fresh build environment costs seconds.
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("careerguide-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "guide/_data/templates/guide.html",
        "guide/_data/templates/web/role.html",
        "guide/_data/templates/serve/live.js",
        "guide/_data/styles/cards.css",
        "guide/_data/content/roles/product-manager.yaml",
        "guide/locales/en.yaml",
    ):
        assert needed in names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import guide; print(guide.__file__)"],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(site))
    run = subprocess.run(
        [sys.executable, "-m", "guide.cli", "build", "--out", "out"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    reader = PdfReader(elsewhere / "out" / "default" / "career-guide.pdf")
    assert reader.metadata.title == "The Product Manager Career Path"
    assert len(list((elsewhere / "out" / "default" / "cards").glob("*.pdf"))) == 6


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_container_image_runs_the_readme_s_commands() -> None:
    """The Dockerfile sets up with the README's own command on Debian, and leaves the machine's files out.

    (No container engine runs on the project's CI machine: the image itself
    is built by hand, as the README describes.)
    """
    dockerfile = (ROOT / "Dockerfile").read_text()
    readme = (ROOT / "README.md").read_text()
    assert dockerfile.startswith("#") and "\nFROM debian:bookworm" in dockerfile  # Python 3.11, as pyproject needs
    assert "RUN make build" in dockerfile and "make build" in readme
    assert 'ENTRYPOINT ["careerguide"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "build", ".git"} <= set(ignored)
    for command in ("docker build -t careerguide .", "--entrypoint make careerguide test"):
        assert command in dockerfile and command in readme
