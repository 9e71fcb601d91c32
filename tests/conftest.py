"""Shared fixtures: one real build of the default content per test session.

Rendering is the slow part, so the PDFs are built once and every PDF test
inspects the same files. Any warning WeasyPrint logs during that build fails
the session's PDF tests (see `test_build_logs_no_warnings`).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = ROOT.parent / "shared" / "seed" / "product-manager-career-path.txt"
ROLE_IDS = [
    "associate-product-manager",
    "product-manager",
    "senior-product-manager",
    "director-of-product",
    "vp-of-product",
    "chief-product-officer",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden HTML snapshots")


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Build the default target (with --emit-html) once; return its folder and the log records."""
    from guide.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("build")
    handler = Captured()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        results = build(BuildOptions(out_dir=out, emit_html=True, content_dir=CONTENT))
    finally:
        logger.removeHandler(handler)
    return out / "default", handler.records, results


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the default content, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
