"""Shared fixtures: one real build of the default content per test session (shared by the xdist workers).

Rendering is the slow part, so the PDFs are built once and every PDF test
inspects the same files. Any warning WeasyPrint logs during that build fails
the session's PDF tests (see `test_build_logs_no_warnings`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest

# Dates in the PDFs come from SOURCE_DATE_EPOCH when it is set; the tests expect the content's date.
os.environ.pop("SOURCE_DATE_EPOCH", None)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = ROOT.parent / "shared" / "seed" / "product-manager-career-path.txt"
#: The shipped ladder, by level: role id -> title.
ROLE_TITLES = {
    "associate-product-manager": "Associate Product Manager",
    "product-manager": "Product Manager",
    "senior-product-manager": "Senior Product Manager",
    "director-of-product": "Director of Product",
    "vp-of-product": "VP of Product",
    "chief-product-officer": "Chief Product Officer",
}
ROLE_IDS = list(ROLE_TITLES)


# No time limit per example: how fast a test runs is the benchmarks' business (bench/), and a loaded
# machine (parallel workers) would make Hypothesis's default 200 ms deadline fail at random.
hypothesis.settings.register_profile(
    "careerguide", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("careerguide")


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


@dataclass(frozen=True)
class Logged:
    """What a test reads of a log record, kept so that a build can be shared between test workers."""

    levelname: str
    message: str

    def getMessage(self) -> str:  # the logging.LogRecord name
        return self.message


def _build_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, **options):
    """One build per test session, shared by the pytest-xdist workers (the first to get the lock builds it)."""
    if worker_id == "master":  # not distributed
        out = tmp_path_factory.mktemp(name)
        records, results = _build_logged(out_dir=out, **options)
        return out, [Logged(r.levelname, r.getMessage()) for r in records], results
    out = tmp_path_factory.getbasetemp().parent / name  # the session's folder, above each worker's own
    done = out / "built.pickle"
    with open(f"{out}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            records, results = _build_logged(out_dir=out, **options)
            done.write_bytes(pickle.dumps(([Logged(r.levelname, r.getMessage()) for r in records], results)))
    records, results = pickle.loads(done.read_bytes())
    return out, records, results


@pytest.fixture(scope="session")
def built(built_all):
    """The default target of `built_all` (built with --emit-html): its folder, the log records and the results."""
    out, records, results = built_all
    assert results[0].target == "default"
    return out / "default", records, results


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the default content, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def small_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default content cut to its first two roles: for tests that run whole builds in other processes.

    Killing, interrupting and racing builds is about files, not about how
    many roles there are; a two-role guide lays out in half the time.
    """
    target = tmp_path_factory.mktemp("small") / "content"
    shutil.copytree(CONTENT, target)
    for role_id in ROLE_IDS[2:]:
        (target / "roles" / f"{role_id}.yaml").unlink()
    return target


@pytest.fixture(scope="session")
def built_all(tmp_path_factory: pytest.TempPathFactory, worker_id: str):
    """`build --all --emit-html` of the default target and the example companies, once per session."""
    return _build_once(tmp_path_factory, worker_id, "build-all", project=ROOT, all_targets=True, emit_html=True)


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


def pdf_text(pdf: Path) -> str:
    """A PDF's text as PDFium reads it (twenty times faster than pypdf), every run of white space one space."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return " ".join(" ".join(document[i].get_textpage().get_text_range() for i in range(len(document))).split())
    finally:
        document.close()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with `lines` of text in a standard font: made in microseconds, read by any PDF library."""

    def literal(text: str) -> bytes:
        raw = text.encode("latin-1", "replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    stream = b"BT /F1 8 Tf 20 820 Td 10 TL\n" + b"".join(literal(line) + b" '\n" for line in lines) + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def fake_units() -> tuple:
    """Output units that write one-page text PDFs holding the facts an edit can change (see `fake_layout`)."""
    from guide.outputs import Unit

    def guide(job):
        facts = [job.content.guide.title, job.target.brand.name, job.target.brand.colors.primary]
        return {"career-guide.pdf": text_pdf(facts + [role.title for role in job.content.roles])}

    def deck(job):
        return {"role-cards.pdf": text_pdf([role.title for role in job.content.roles])}

    def cards(job):
        return {f"cards/{role.id}.pdf": text_pdf([role.title, *role.skills]) for role in job.content.roles}

    return (Unit("guide", guide), Unit("deck", deck), Unit("cards", cards))


@pytest.fixture
def fake_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the output units with ones that write one-page text PDFs, for bookkeeping, progress and watching.

    Everything around the units is real: planning, digests, locks, the
    all-or-nothing write, manifests and pruning. Each PDF holds the facts an
    edit can change (titles, the brand's name and colour, every role's
    skills), so a test can read that a rebuild used the edited input. The
    same 8 files per target are made as by the real build; no layout is made.
    """
    import guide.outputs as outputs

    monkeypatch.setattr(outputs, "UNITS", fake_units())
