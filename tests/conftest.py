"""Shared fixtures: one real build of the default content per test session.

Rendering is the slow part, so the PDFs are built once and every PDF test
inspects the same files. Any warning WeasyPrint logs during that build fails
the session's PDF tests (see `test_build_logs_no_warnings`).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

# Dates in the PDFs come from SOURCE_DATE_EPOCH when it is set; the tests expect the content's date.
os.environ.pop("SOURCE_DATE_EPOCH", None)

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


def _build_logged(**options):
    """Build in this process (one job), capturing everything WeasyPrint logs."""
    from guide.pipeline import build
    from guide.plan import BuildOptions

    handler = Captured()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        results = build(BuildOptions(content_dir=CONTENT, jobs=1, **options))
    finally:
        logger.removeHandler(handler)
    return handler.records, results


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Build the default target (with --emit-html) once; return its folder and the log records."""
    out = tmp_path_factory.mktemp("build")
    records, results = _build_logged(out_dir=out, emit_html=True)
    return out / "default", records, results


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the default content, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def built_all(tmp_path_factory: pytest.TempPathFactory):
    """`build --all` of the repository's example companies, once per session."""
    out = tmp_path_factory.mktemp("build-all")
    records, results = _build_logged(out_dir=out, project=ROOT, all_targets=True)
    return out, records, results


def make_company(root: Path, slug: str, company_yaml: str, files: dict[str, bytes | str] | None = None) -> Path:
    """Write a company folder under `root/companies/` and return it."""
    folder = root / "companies" / slug
    folder.mkdir(parents=True)
    (folder / "company.yaml").write_text(company_yaml, encoding="utf-8")
    for name, data in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    return folder
