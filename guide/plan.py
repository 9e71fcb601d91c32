"""Stage 0: decide what to build, before anything expensive is imported.

Everything here uses the standard library only, so that `--help`, a shard's
target list and a rebuild with nothing to do stay fast: they never import
pydantic's models, Jinja2 or WeasyPrint.

A target is fresh when its manifest (`<out>/<slug>/manifest.json`) records
the same digest of every input (content, company folder, theme, the options
that shape outputs, the versions of careerguide and of every library that
writes output bytes) and every output it lists is still there, unchanged.
Fresh targets are skipped; `--force` rebuilds them anyway.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from . import __version__
from .errors import Problem, UserError
from .files import outside, walk_files
from .resources import default_content_dir, locales_dir, styles_dir, templates_dir

COMPANIES = "companies"
DEFAULT_TARGET = "default"
MANIFEST = "manifest.json"
LOCK = ".lock"


@dataclass(frozen=True)
class Finish:
    """How the PDFs are finished for their use: office printer, print shop, screen reader."""

    print_ready: bool = False  # 3 mm bleed on every side, with crop marks
    cards_per_sheet: int = 1  # 1, 2 or 4 cards on each sheet of role-cards.pdf
    card_backs: bool = False  # a back for every card: logo, role, QR code to the company URL
    pdf_variant: str | None = None  # "pdf/ua-1" or "pdf/a-3b"
    png: bool = False  # PNG previews of the cover and every card
    booklet: bool = False  # roles open on a left-hand page, notes pages to a multiple of 4, a back cover
    card_size: str | None = None  # page, a6, a5, 4x6, 5x7; None: the company's cards.size
    sheet: str | None = None  # a4, letter, a3: what the deck is imposed on; None: the guide's paper


PLAIN = Finish()


#: Marks a build option that cannot change any output's bytes, so it stays out of the input digest.
#: Every other option is an input: an option added later rebuilds what it
#: could change without anyone remembering to list it.
NOT_AN_INPUT = {"input": False}


@dataclass(frozen=True)
class BuildOptions:
    # Which targets, and where: they choose outputs, they do not shape them.
    out_dir: Path = field(default=Path("build"), metadata=NOT_AN_INPUT)
    content_dir: Path | None = field(default=None, metadata=NOT_AN_INPUT)  # its files are hashed instead
    companies: tuple[str, ...] = field(default=(), metadata=NOT_AN_INPUT)
    all_targets: bool = field(default=False, metadata=NOT_AN_INPUT)
    project: Path = field(default=Path("."), metadata=NOT_AN_INPUT)
    shard: tuple[int, int] = field(default=(1, 1), metadata=NOT_AN_INPUT)
    # How the build runs.
    jobs: int = field(default=1, metadata=NOT_AN_INPUT)
    force: bool = field(default=False, metadata=NOT_AN_INPUT)
    # Write each output as soon as it is made (watch: the one an edit affects lands first).
    progressive: bool = field(default=False, metadata=NOT_AN_INPUT)
    fail_fast: bool = field(default=False, metadata=NOT_AN_INPUT)
    # Seconds one target may take; None for no limit.
    timeout: float | None = field(default=600.0, metadata=NOT_AN_INPUT)
    # What the outputs are: every field below is part of each target's input digest.
    emit_html: bool = False
    web: bool = False  # the web edition, for every target (a company can ask for it with `web: true`)
    strict: bool = False
    finish: Finish = field(default_factory=Finish)


FRAMEWORKS = "frameworks"
#: Folders a company's outputs make inside its target folder: no framework of the company may be called so.
OWN_FOLDERS = frozenset({"onboarding", "cards", "web", "assets"})


@dataclass(frozen=True)
class TargetSpec:
    """A target to build: the default guide (`folder` None), a company's guide, or one of a company's own frameworks.

    A company's own framework (`companies/<slug>/frameworks/<id>/`, a content
    folder of its own, such as a design ladder) is built in the company's
    brand into `<out>/<slug>/<id>/`; `slug` is then `<slug>/<id>`.
    """

    slug: str
    folder: Path | None = None
    framework: str | None = None

    def content_dir(self, options: BuildOptions) -> Path:
        if self.framework is not None and self.folder is not None:
            return self.folder / FRAMEWORKS / self.framework
        return content_dir_for(options)


@dataclass(frozen=True)
class Planned:
    """A target with the digest of its inputs, and whether its outputs already match them."""

    spec: TargetSpec
    digest: str
    fresh: bool


def content_dir_for(options: BuildOptions) -> Path:
    """The content to build: `--content`, else `./content`, else the bundled default."""
    if options.content_dir is not None:
        return options.content_dir
    local = options.project / "content"
    return local if (local / "guide.yaml").is_file() else default_content_dir()


def discover_companies(project: Path) -> list[Path]:
    """Every folder under `companies/` that has a company.yaml, in name order."""
    root = project / COMPANIES
    if not root.is_dir():
        return []
    return sorted(path.parent for path in root.glob("*/company.yaml") if os.path.lexists(path))


def resolve_company(arg: str, project: Path) -> Path:
    """`--company` takes a slug under `companies/` or a path to any company folder."""
    as_path = Path(arg)
    for folder in (as_path, project / COMPANIES / arg):
        if os.path.lexists(folder / "company.yaml"):  # whatever it is: reading it says what is wrong
            return folder
    known = ", ".join(path.name for path in discover_companies(project)) or "none yet"
    raise UserError(
        Problem(
            f"no company `{arg}`: expected {project / COMPANIES / arg / 'company.yaml'} or a folder with a "
            f"company.yaml (companies here: {known}; create one with `careerguide init {as_path.name}`)"
        )
    )


def plan_targets(options: BuildOptions) -> list[TargetSpec]:
    """The targets asked for, in a fixed order, cut down to this shard's slice."""
    if options.all_targets:
        folders = discover_companies(options.project)
    else:
        folders, problems = [], []
        for arg in options.companies:
            try:
                folders.append(resolve_company(arg, options.project))
            except UserError as error:
                problems.extend(error.problems)
        if problems:
            raise UserError(problems)
        folders = list({folder.resolve(): folder for folder in folders}.values())
    specs = [TargetSpec(DEFAULT_TARGET)] if options.all_targets or not folders else []
    taken = []
    for folder in folders:
        specs.append(TargetSpec(folder.name, folder))
        for framework in sorted((folder / FRAMEWORKS).glob("*/guide.yaml")):
            if framework.parent.name.lower() in OWN_FOLDERS:
                taken.append(framework.parent)
            specs.append(TargetSpec(f"{folder.name}/{framework.parent.name}", folder, framework.parent.name))
    if taken:
        names = ", ".join(sorted(OWN_FOLDERS))
        raise UserError(
            [Problem(f"a framework cannot be called {path.name}: the company's own outputs use the folders {names}; "
                     "rename it", path) for path in taken]
        )  # fmt: skip
    _refuse_shared_outputs(specs, options.out_dir)
    return [spec for number, spec in enumerate(specs) if in_shard(number, options.shard)]


def _refuse_shared_outputs(specs: list[TargetSpec], out_dir: Path) -> None:
    """Two company folders with one name would write into one output folder: the second would overwrite the first."""
    by_slug: dict[str, list[TargetSpec]] = {}
    for spec in specs:
        by_slug.setdefault(spec.slug, []).append(spec)
    problems = [
        Problem(
            f"{len(same)} company folders are named `{slug}` and would all write into {out_dir / slug}: "
            + ", ".join(str(spec.folder) for spec in same)
            + "; rename all but one folder, or build them one at a time with different --out folders"
        )
        for slug, same in by_slug.items()
        if len(same) > 1
    ]
    if problems:
        raise UserError(problems)


def plan_build(options: BuildOptions) -> list[Planned]:
    """Every target asked for, in order, with its digest and freshness (never fresh with `force`).

    Decided once per build: freshness hashes every output, so the CLI's
    no-op check and the build share this one answer.
    """
    cache: dict[Path, str] = {}
    planned = []
    for spec in plan_targets(options):
        digest = input_digest(spec, options, cache)
        fresh = not options.force and is_fresh(options.out_dir / spec.slug, digest)
        planned.append(Planned(spec, digest, fresh))
    return planned


#: Job runners that start N copies of one command and tell each its index, as environment variables:
#: (runner, index, count, first index, step). Indexes count from 0, Slurm's from its array's first.
#: Kubernetes and AWS Batch do not tell the count: `--shard auto/N` gives it.
RUNNERS = (
    ("a Kubernetes indexed Job", "JOB_COMPLETION_INDEX", None, None, None),
    (
        "a Slurm job array",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_STEP",
    ),
    ("an AWS Batch array job", "AWS_BATCH_JOB_ARRAY_INDEX", None, None, None),
    ("a Cloud Run job", "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT", None, None),
)


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """`K/N` (1 <= K <= N): this machine builds every N-th target, starting with the K-th.

    `auto` (or `auto/N`) reads K and N from the job runner's environment
    (see RUNNERS), so one command line serves every copy of a job.
    """
    if text.strip().lower().startswith("auto"):
        return shard_from_environment(text, os.environ if environ is None else environ)[:2]
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"expected K/N, like 2/8, or auto, not {text!r}") from None
    if not 1 <= index <= count:
        raise ValueError(f"K must be between 1 and N in K/N, not {text!r}")
    return index, count


def shard_from_environment(text: str, environ: Mapping[str, str]) -> tuple[int, int, str]:
    """(K, N, where they came from) for `--shard auto` or `--shard auto/N`."""
    _, _, given = text.partition("/")
    if given and not given.isdigit():
        raise ValueError(f"expected auto or auto/N, like auto/8, not {text!r}")
    for runner, index_name, count_name, first_name, step_name in RUNNERS:
        if index_name not in environ:
            continue
        try:
            first = int(environ.get(first_name, "0")) if first_name else 0
            step = max(int(environ.get(step_name, "1")), 1) if step_name else 1
            index = (int(environ[index_name]) - first) // step + 1
            count = int(environ[count_name]) if count_name and count_name in environ else None
        except ValueError:
            raise ValueError(f"{index_name}={environ[index_name]!r} is not a number ({runner})") from None
        if given and count is not None and int(given) != count:
            raise ValueError(f"--shard {text} says {given} shards, {runner} says {count} ({count_name})")
        count = count or (int(given) if given else None)
        if count is None:
            raise ValueError(f"{runner} does not say how many copies run: give it as --shard auto/N, like auto/8")
        if not 1 <= index <= count:
            raise ValueError(f"{runner}'s index {environ[index_name]} is outside {count} shards")
        return index, count, f"{runner}: {index_name}={environ[index_name]}"
    names = ", ".join(runner[1] for runner in RUNNERS)
    raise ValueError(f"--shard auto found no job runner's index in the environment ({names}); give --shard K/N")


def in_shard(position: int, shard: tuple[int, int]) -> bool:
    """Whether the item at `position` (from 0, in a fixed order) is this shard's: every N-th, from the K-th."""
    index, count = shard
    return position % count == index - 1


# ---------------------------------------------------------------------------
# What a target's outputs depend on


MAX_HASHED_BYTES = 64 * 1024 * 1024  # larger than any input the build reads


def tree_digest(root: Path, cache: dict[Path, str], without: str | None = None) -> str:
    """A digest of every file under `root`, by relative path and content.

    It follows the rules every read of a company folder follows (see
    `files.py`): a link is hashed as the file it points to only when that
    file is an ordinary file inside `root`, otherwise as the link's own
    text; pipes and devices are never opened; a file too large for any
    input is hashed by its size and time, not read.
    """
    key = Path(f"{root}#without:{without}") if without else root
    if key not in cache:
        digest = hashlib.sha256()
        for path in walk_files(root):
            if without and path.relative_to(root).parts[:1] == (without,):
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(_file_digest(path, root))
        cache[key] = digest.hexdigest()
    return cache[key]


def _file_digest(path: Path, root: Path) -> bytes:
    try:
        if path.is_symlink() and outside(path, root):
            return b"link\0" + os.fsencode(os.readlink(path))
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return b"special"
        if info.st_size > MAX_HASHED_BYTES:
            return f"large\0{info.st_size}\0{info.st_mtime_ns}".encode()
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").digest()
    except OSError as error:
        return f"unreadable\0{error.errno}".encode()


#: The installed libraries that write or shape output bytes: a new version of any of them rebuilds every target.
OUTPUT_LIBRARIES = (
    "weasyprint",  # layout
    "pydyf",  # WeasyPrint's PDF writer
    "fonttools",  # font subsets
    "tinycss2",  # CSS parsing
    "cssselect2",
    "pillow",  # images in PDFs, PNG previews
    "pypdf",  # imposed sheets
    "pikepdf",  # packets
    "pypdfium2",  # page counts, PNG previews
    "segno",  # QR codes on card backs
    "jinja2",  # HTML
    "markupsafe",
    "nh3",  # the Markdown subset's sanitiser
)


@cache
def library_versions() -> dict[str, str]:
    versions = {}
    for name in OUTPUT_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - a broken install
            versions[name] = "missing"
    return versions


def output_options(options: BuildOptions) -> dict:
    """The options that shape output bytes: every field of `BuildOptions` not marked `_not_an_input`."""
    return {
        item.name: _plain(getattr(options, item.name)) for item in fields(options) if item.metadata.get("input", True)
    }


@cache
def code_digest() -> str:
    """A digest of careerguide's own Python source, as this process loaded it.

    The version number alone would let an edited checkout (an editable
    install) skip rebuilding outputs that the edit changes.
    """
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _plain(value):
    return asdict(value) if is_dataclass(value) else value


def input_digest(spec: TargetSpec, options: BuildOptions, cache: dict[Path, str] | None = None) -> str:
    """One hash of everything the target's outputs depend on.

    Shared trees (content, theme) are hashed once per run through `cache`.
    Fonts installed on the machine are not inputs; a font package upgrade
    needs `--force`.
    """
    cache = {} if cache is None else cache
    parts = {
        "tool": __version__,
        "code": code_digest(),
        "libraries": library_versions(),
        "content": tree_digest(spec.content_dir(options).resolve(), cache),
        "templates": tree_digest(templates_dir(), cache),
        "styles": tree_digest(styles_dir(), cache),
        "locales": tree_digest(locales_dir(), cache),
        # A company's own frameworks are their targets' content, not inputs of its other targets.
        "company": tree_digest(spec.folder.resolve(), cache, without=FRAMEWORKS) if spec.folder else "",
        "options": output_options(options),
        "environment": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------
# Manifests


def read_manifest(target_dir: Path) -> dict | None:
    try:
        manifest = json.loads((target_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def is_fresh(target_dir: Path, digest: str) -> bool:
    """The outputs in `target_dir` were built from exactly these inputs and are all still there, unchanged.

    Every output is compared with the hash its manifest records, so a file
    that was edited, truncated or overwritten since is rebuilt; a temporary
    file left by a killed build also makes the target stale, so that the
    rebuild (which holds the target's lock) removes it.
    """
    manifest = read_manifest(target_dir)
    if not manifest or manifest.get("inputs") != digest:
        return False
    if any(stray_temps(target_dir)):
        return False
    for name, facts in manifest.get("outputs", {}).items():
        try:
            path = target_dir / name
            if path.stat().st_size != facts["bytes"]:
                return False
            with open(path, "rb") as stream:
                if hashlib.file_digest(stream, "sha256").hexdigest() != facts["sha256"]:
                    return False
        except (OSError, KeyError, TypeError):
            return False
    return True


def fresh_output(target_dir: Path, digest: str, name: str) -> bytes | None:
    """One output's bytes, if the manifest says it was made from exactly these inputs and it is unchanged since."""
    manifest = read_manifest(target_dir)
    if not manifest or manifest.get("inputs") != digest:
        return None
    facts = manifest.get("outputs", {}).get(name)
    try:
        data = (target_dir / name).read_bytes()
    except OSError:
        return None
    if not isinstance(facts, dict) or facts.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    return data


def stray_temps(target_dir: Path):
    """Temporary files a killed build of this target left, in its folder and the folders of its outputs.

    A subfolder with a lock of its own beside it (onboarding packets) or a
    manifest of its own is another job's: its temporary files may be in the
    middle of being written, and are never this target's to judge or remove.
    """
    if not target_dir.is_dir():
        return
    for directory, subdirectories, names in os.walk(target_dir):
        here = Path(directory)
        subdirectories[:] = [
            name
            for name in subdirectories
            if not (here / f".{name}{LOCK}").exists() and not (here / name / MANIFEST).exists()
        ]
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                yield here / name


def manifest_for(
    digest: str,
    target_dir: Path,
    outputs: dict[Path, bytes],
    pages: dict[Path, int],
    keys: dict[str, str] | None = None,
    read: dict[str, str] | None = None,
) -> dict:
    """The manifest of a target about to be written: its inputs' digest and a fact sheet per output.

    `keys` gives, by relative name, what each output was made from (see
    `outputs.source_key`); `read`, the files the layouts read, by a name
    relative to the folder they are in, with their SHA-256.
    """
    keys = keys or {}
    return {
        "tool": __version__,
        "code": code_digest(),
        "libraries": library_versions(),
        "inputs": digest,
        "read": dict(sorted((read or {}).items())),
        "outputs": {
            name: {
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                **({"pages": pages[path]} if path in pages else {}),
                **({"from": keys[name]} if name in keys else {}),
            }
            for path, data in sorted(outputs.items())
            for name in [str(path.relative_to(target_dir))]
        },
    }
