"""Manifests, incremental rebuilds, parallel and sharded batches, lazy imports, watch mode."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, make_company

from guide.cli import main
from guide.pipeline import build
from guide.plan import BuildOptions, plan_targets

COMPANY = "name: {name}\nbrand:\n  colors:\n    primary: '{color}'\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with its own content and two small companies."""
    shutil.copytree(CONTENT, tmp_path / "content")
    make_company(tmp_path, "alpha", COMPANY.format(name="Alpha", color="#204060"))
    make_company(tmp_path, "beta", COMPANY.format(name="Beta", color="#602040"), {"roles/.keep": ""})
    return tmp_path


def _options(project: Path, **kw) -> BuildOptions:
    """The two companies, built two at a time (the tests' machines have two cores)."""
    settings = {"out_dir": project / "out", "project": project, "companies": ("alpha", "beta"), "jobs": 2, **kw}
    return BuildOptions(**settings)


def _text(pdf: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _rebuilt(results) -> list[str]:
    return sorted(r.target for r in results if not r.skipped)


def test_manifest_records_inputs_and_every_output(project: Path) -> None:
    build(_options(project, companies=("alpha",)))
    manifest = json.loads((project / "out" / "alpha" / "manifest.json").read_text())
    assert len(manifest["inputs"]) == 64 and manifest["tool"] and manifest["libraries"]["weasyprint"]
    outputs = manifest["outputs"]
    assert set(outputs) == {
        "career-guide.pdf",
        "role-cards.pdf",
        *(f"cards/{p.name}" for p in (project / "out" / "alpha" / "cards").iterdir()),
    }
    guide = outputs["career-guide.pdf"]
    path = project / "out" / "alpha" / "career-guide.pdf"
    import hashlib

    assert guide["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert guide["bytes"] == path.stat().st_size and guide["pages"] == 21
    assert outputs["cards/product-manager.pdf"]["pages"] == 1


def test_rebuilds_only_what_changed(project: Path, fake_layout) -> None:
    options = _options(project)
    assert _rebuilt(build(options)) == ["alpha", "beta"]
    assert _rebuilt(build(options)) == []
    assert _rebuilt(build(_options(project, force=True))) == ["alpha", "beta"]

    company = project / "companies" / "alpha" / "company.yaml"
    company.write_text(COMPANY.format(name="Alpha", color="#206040"))
    assert _rebuilt(build(options)) == ["alpha"]

    assert "#206040" in _text(project / "out" / "alpha" / "career-guide.pdf")

    role = project / "content" / "roles" / "vp-of-product.yaml"
    role.write_text(role.read_text().replace("Budgeting", "Budget planning"))
    assert _rebuilt(build(options)) == ["alpha", "beta"]
    for company in ("alpha", "beta"):
        assert "Budget planning" in _text(project / "out" / company / "cards" / "vp-of-product.pdf")

    (project / "out" / "beta" / "role-cards.pdf").write_bytes(b"damaged")
    assert _rebuilt(build(options)) == ["beta"]
    (project / "out" / "beta" / "cards" / "vp-of-product.pdf").unlink()
    assert _rebuilt(build(options)) == ["beta"]


def test_outputs_a_build_no_longer_makes_are_removed(project: Path, fake_layout) -> None:
    options = _options(project, companies=("beta",))
    build(options)
    assert (project / "out" / "beta" / "cards" / "vp-of-product.pdf").is_file()
    (project / "companies" / "beta" / "company.yaml").write_text(
        COMPANY.format(name="Beta", color="#602040") + "exclude_roles: [vp-of-product]\n"
    )
    build(options)
    assert not (project / "out" / "beta" / "cards" / "vp-of-product.pdf").exists()
    assert (project / "out" / "beta" / "cards" / "product-manager.pdf").is_file()


def test_parallel_build_gives_the_same_bytes_as_serial(project: Path, tmp_path_factory, monkeypatch) -> None:
    import guide.outputs as outputs

    # The card deck and single cards only: that a different process makes the same guide bytes is
    # test_finish's fresh-process test; here the workers' shared state (fonts, fitting) is what is checked.
    monkeypatch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name in ("cards", "deck")))
    serial = build(_options(project, jobs=1))
    parallel_out = tmp_path_factory.mktemp("parallel")
    parallel = build(_options(project, jobs=2, out_dir=parallel_out))
    assert [r.target for r in serial] == [r.target for r in parallel] == ["alpha", "beta"]
    for result in serial:
        for path in result.outputs:
            relative = path.relative_to(project / "out")
            assert path.read_bytes() == (parallel_out / relative).read_bytes(), relative
    assert all(r.peak_rss_mb > 0 for r in parallel)


def test_shards_split_the_batch_exactly(project: Path) -> None:
    for name in ("gamma", "delta", "epsilon"):
        make_company(project, name, COMPANY.format(name=name.title(), color="#333333"))
    full = [spec.slug for spec in plan_targets(_options(project, companies=(), all_targets=True))]
    assert len(full) == 6
    for count in (1, 2, 3, 4, 7):
        shards = [
            [s.slug for s in plan_targets(_options(project, companies=(), all_targets=True, shard=(k, count)))]
            for k in range(1, count + 1)
        ]
        assert sorted(slug for shard in shards for slug in shard) == sorted(full)
        assert sum(len(s) for s in shards) == len(full)  # no target in two shards
        assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_shard_option_is_checked(project: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--shard", "3/2"])
    assert result.exit_code == 2 and "K must be between 1 and N" in result.output


@pytest.mark.parametrize(
    ("environ", "text", "expected"),
    [
        ({"JOB_COMPLETION_INDEX": "2"}, "auto/8", (3, 8)),  # Kubernetes counts from 0 and does not say N
        ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"}, "auto", (5, 8)),
        (
            {
                "SLURM_ARRAY_TASK_ID": "10",
                "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_STEP": "5",
                "SLURM_ARRAY_TASK_COUNT": "3",
            },
            "auto",
            (3, 3),
        ),  # --array=0-10:5
        ({"AWS_BATCH_JOB_ARRAY_INDEX": "0"}, "auto/4", (1, 4)),
        ({"CLOUD_RUN_TASK_INDEX": "3", "CLOUD_RUN_TASK_COUNT": "4"}, "AUTO", (4, 4)),
        ({"CLOUD_RUN_TASK_INDEX": "3", "CLOUD_RUN_TASK_COUNT": "4"}, "auto/4", (4, 4)),
        ({}, "auto", "no job runner's index in the environment (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID"),
        ({"JOB_COMPLETION_INDEX": "2"}, "auto", "does not say how many copies run: give it as --shard auto/N"),
        ({"CLOUD_RUN_TASK_INDEX": "1", "CLOUD_RUN_TASK_COUNT": "4"}, "auto/8", "says 8 shards, a Cloud Run job says 4"),
        ({"JOB_COMPLETION_INDEX": "8"}, "auto/8", "index 8 is outside 8 shards"),
        ({"JOB_COMPLETION_INDEX": "two"}, "auto/8", "JOB_COMPLETION_INDEX='two' is not a number"),
    ],
)
def test_shard_auto_reads_the_job_runner_s_environment(environ, text, expected) -> None:
    from guide.plan import parse_shard

    if isinstance(expected, tuple):
        assert parse_shard(text, environ) == expected
    else:
        with pytest.raises(ValueError, match=re.escape(expected)):
            parse_shard(text, environ)


def test_shards_in_separate_processes_add_up_to_the_single_build(project: Path) -> None:
    """Three copies of one command, as a job runner starts them, into one shared folder: the single build's files.

    Each copy is its own process and finds its index in the environment, as
    in a Kubernetes indexed Job; the units write text PDFs (see `fake_units`):
    what is compared is the sharding, the manifests and the file names.
    """
    for name in ("gamma", "delta"):
        make_company(project, name, COMPANY.format(name=name.title(), color="#333333"))
    child = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from conftest import fake_units; "
        "import guide.outputs as o; o.UNITS = fake_units(); from guide.cli import main; main()"
    )
    args = ["build", "--all", "-j", "1", "--content", str(project / "content")]

    def run(out: str, shard: str, index: int | None = None):
        env = {**os.environ, **({"JOB_COMPLETION_INDEX": str(index)} if index is not None else {})}
        command = [sys.executable, "-c", child, *args, "--out", out, "--shard", shard]
        return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    single = run("single", "1/1")
    shards = [run("shared", "auto/3", index) for index in range(3)]
    built = []
    for process in (single, *shards):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        built.append(re.findall(r"^\[\d+/\d+\] ([\w-]+): ", out.decode(), re.MULTILINE))
    assert sorted(built[0]) == ["alpha", "beta", "default", "delta", "gamma"]
    assert sorted(slug for each in built[1:] for slug in each) == sorted(built[0])
    assert all(len(each) < 3 for each in built[1:])  # each copy built its own third
    files = {path.relative_to(project / "single"): path.read_bytes() for path in (project / "single").rglob("*.*")}
    assert len([name for name in files if name.name == "manifest.json"]) == 5  # default and four companies
    shared = {path.relative_to(project / "shared"): path.read_bytes() for path in (project / "shared").rglob("*.*")}
    assert shared == files  # file for file, byte for byte; each shard's targets have their own manifests


def test_plain_progress_lines_and_quiet(project: Path, monkeypatch, fake_layout) -> None:
    monkeypatch.chdir(project)
    runner = CliRunner()
    args = ["build", "--company", "alpha", "--company", "beta", "--out", "out"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = sorted(result.output.splitlines())
    assert lines[0].startswith("[1/2] ") and lines[1].startswith("[2/2] ")
    assert any(line.endswith(")") and ": 8 PDFs in out/alpha (" in line for line in lines)
    assert lines[-1].startswith("built 2 targets in ")
    again = runner.invoke(main, args)
    assert again.output.startswith("nothing to do: 2 up to date")
    quiet = runner.invoke(main, [*args, "--force", "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def _modules_after(args: list[str], cwd: Path) -> set[str]:
    """The heavy modules imported by running `careerguide ARGS` in a fresh interpreter."""
    code = (
        "import sys\nfrom guide.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'jinja2', 'pydantic'))\n"
        "sys.stderr.write('MODULES ' + ' '.join(heavy) + '\\n')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    line = next(line for line in out.stderr.splitlines() if line.startswith("MODULES"))
    return set(line.split()[1:])


def test_help_validate_and_a_no_op_rebuild_never_import_weasyprint(project: Path, fake_layout) -> None:
    assert _modules_after(["--help"], project) == set()
    assert not any(m.startswith("weasyprint") for m in _modules_after(["validate", "--all"], project))
    build(_options(project))
    modules = _modules_after(["build", "--company", "alpha", "--company", "beta", "--out", "out"], project)
    assert modules == set(), modules


def test_watch_rebuilds_the_changed_company_only(project: Path, monkeypatch, fake_layout) -> None:
    from guide.watch import watch_and_build

    monkeypatch.chdir(project)
    options = BuildOptions(out_dir=Path("out"), companies=("alpha", "beta"), jobs=2)
    build(options)
    stop = threading.Event()
    builds: list[list[str]] = []

    class Quiet:
        def line(self, text: str) -> None:
            pass

        def problems(self, errors=(), warnings=()) -> None:
            assert not errors, errors

    thread = threading.Thread(
        target=watch_and_build, args=(options, Quiet(), stop, lambda rebuilt, s: builds.append(rebuilt))
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not builds and time.monotonic() < deadline:
            time.sleep(0.1)
        assert builds == [[]]  # the first pass finds everything up to date
        time.sleep(0.5)
        (project / "companies" / "beta" / "company.yaml").write_text(COMPANY.format(name="Beta", color="#224466"))
        while len(builds) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert builds[1] == ["beta"]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_build_leaves_the_onboarding_folder_alone(project: Path, fake_layout) -> None:
    """Packets are written under their own lock: their temporary files are not the guide build's to judge or remove."""
    options = _options(project, companies=("alpha",))
    build(options)
    onboarding = project / "out" / "alpha" / "onboarding"
    onboarding.mkdir()
    (project / "out" / "alpha" / ".onboarding.lock").touch()  # what `onboard` holds while it writes
    writing = onboarding / ".ana.pdf.tmp"
    writing.write_bytes(b"half a packet")
    assert _rebuilt(build(options)) == []  # still fresh
    assert _rebuilt(build(_options(project, companies=("alpha",), force=True))) == ["alpha"]
    assert writing.exists()
    stray = project / "out" / "alpha" / "cards" / ".product-manager.pdf.tmp"
    stray.write_bytes(b"left by a killed build")
    assert _rebuilt(build(options)) == ["alpha"] and not stray.exists()
