"""The build, as a list of stages: load, validate, render HTML, render PDF, write.

Everything the CLI does is importable from here, so tests and other tools can
build without going through Click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .brand import check_brand
from .company import company_target, discover_companies, load_company, resolve_company
from .errors import Problem, UserError
from .load import Loaded, load_content
from .merge import merge_company
from .models import PLAIN, Content, Finish, Target
from .render_html import BLEED_MM, CARD_SCALES, render_backs, render_cards, render_guide
from .resources import default_content_dir
from .validate import validate
from .write import write_atomic

DEFAULT_TARGET = "default"


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path = Path("build")
    emit_html: bool = False
    content_dir: Path | None = None
    companies: tuple[str, ...] = ()
    all_targets: bool = False
    project: Path = Path(".")
    strict: bool = False
    finish: Finish = field(default_factory=Finish)


@dataclass
class BuildResult:
    target: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    """A target whose content is merged and validated: everything rendering needs."""

    target: Target
    content: Content
    loaded: Loaded
    warnings: tuple[Problem, ...] = ()


def content_dir_for(options: BuildOptions) -> Path:
    """The content to build: `--content`, else `./content`, else the bundled default."""
    if options.content_dir is not None:
        return options.content_dir
    local = options.project / "content"
    return local if (local / "guide.yaml").is_file() else default_content_dir()


def load_and_validate(content_dir: Path) -> Content:
    return validate(load_content(content_dir))


def company_folders(options: BuildOptions) -> list[Path]:
    """The company folders asked for, in the order given (`--all`: every one, by name)."""
    if options.all_targets:
        return discover_companies(options.project)
    folders: list[Path] = []
    problems: list[Problem] = []
    for arg in options.companies:
        try:
            folders.append(resolve_company(arg, options.project))
        except UserError as error:
            problems.extend(error.problems)
    if problems:
        raise UserError(problems)
    return list({folder.resolve(): folder for folder in folders}.values())


def prepare(options: BuildOptions) -> tuple[list[Prepared], list[Problem]]:
    """Load, merge and validate every target asked for, without rendering.

    Returns the targets that are ready and every problem found in the others
    (with `strict`, warnings count as problems).
    """
    shared = load_content(content_dir_for(options))
    folders = company_folders(options)
    ready: list[Prepared] = []
    problems: list[Problem] = []
    if options.all_targets or not folders:
        ready.append(Prepared(Target(slug=DEFAULT_TARGET), validate(shared), shared))
    for folder in folders:
        try:
            prepared = prepare_company(shared, folder)
        except UserError as error:
            problems.extend(error.problems)
            continue
        if options.strict and prepared.warnings:
            problems.extend(prepared.warnings)
            continue
        ready.append(prepared)
    return ready, problems


def prepare_company(shared: Loaded, folder: Path) -> Prepared:
    """Merge one company over the shared content and validate the result once."""
    company = load_company(folder)
    merged, merge_problems = merge_company(shared, company.loaded)
    problems = [*company.problems, *merge_problems]
    target = company_target(company) if company.settings is not None else None
    warnings: list[Problem] = []
    if target is not None:
        brand_errors, warnings = check_brand(target, company.loaded)
        problems.extend(brand_errors)
    try:
        content = validate(merged)
    except UserError as error:
        problems.extend(error.problems)
    if problems:
        raise UserError(problems)
    assert target is not None
    return Prepared(target, content, merged, tuple(warnings))


def build(options: BuildOptions) -> list[BuildResult]:
    """Build every requested target and return what was written.

    Targets with bad input are skipped and reported together at the end (a
    `UserError`), after the good ones are built; nothing is written for them.
    """
    from .render_pdf import Renderer

    ready, problems = prepare(options)
    renderer = Renderer()
    results = []
    for prepared in ready:
        try:
            result = build_target(prepared.content, prepared.target, options, renderer)
        except UserError as error:
            problems.extend(error.problems)
            continue
        result.warnings[:0] = [str(w) for w in prepared.warnings]
        results.append(result)
    if problems:
        raise UserError(problems, results=results)
    return results


def build_target(content: Content, target: Target, options: BuildOptions, renderer) -> BuildResult:
    """Render and write the guide, the card deck and one PDF per card for one target.

    Every PDF is made in memory first and written only when all of them
    succeeded, so a failing target leaves its previous outputs untouched.
    """
    from .impose import impose
    from .render_pdf import card_pages, pdf_bytes

    finish = options.finish
    bleed = BLEED_MM if finish.print_ready else 0

    def pdf(document, title: str | None = None, variant: str | None = finish.pdf_variant) -> bytes:
        return pdf_bytes(document, title=title, variant=variant, bleed_mm=bleed)

    out = options.out_dir / target.slug
    result = BuildResult(target.slug)
    before = len(renderer.warnings)
    files: dict[Path, bytes | str] = {}

    guide_html = render_guide(content, target, finish)
    guide_pdf = pdf(renderer.render(guide_html))
    files[out / "career-guide.pdf"] = guide_pdf

    deck_html, deck, scales = fit_cards(content, target, renderer, finish)
    fronts = [deck.pages[pages[0]] for pages in card_pages(deck, content.roles).values()]
    backs = []
    if finish.card_backs:
        backs_html = render_backs(content, target, finish)
        backs = renderer.render(backs_html).pages
        if options.emit_html:
            files[out / "card-backs.html"] = backs_html.html
    for index, role in enumerate(content.roles):
        sides = [fronts[index], backs[index]] if backs else [fronts[index]]
        title = f"{role.title} · {content.guide.title}"
        files[out / "cards" / f"{role.id}.pdf"] = pdf(deck.copy(sides), title=title)
    if finish.cards_per_sheet == 1:
        sheets = [page for index, front in enumerate(fronts) for page in ([front, backs[index]] if backs else [front])]
        files[out / "role-cards.pdf"] = pdf(deck.copy(sheets))
    else:
        files[out / "role-cards.pdf"] = impose(
            pdf(deck.copy(fronts), variant=None),
            pdf(deck.copy(backs), variant=None) if backs else None,
            finish.cards_per_sheet,
            target.paper,
            content.guide.title,
            target.locale,
        )

    if options.emit_html:
        files[out / "career-guide.html"] = guide_html.html
        files[out / "role-cards.html"] = deck_html.html
        for role in content.roles:
            files[out / "cards" / f"{role.id}.html"] = render_cards(content, target, scales, role.id, finish).html
    if finish.png:
        from .previews import preview_png

        files[out / "career-guide.png"] = preview_png(guide_pdf)
        for role in content.roles:
            files[out / "cards" / f"{role.id}.png"] = preview_png(files[out / "cards" / f"{role.id}.pdf"])

    result.outputs = [write_atomic(path, data) for path, data in files.items()]
    result.warnings = renderer.warnings[before:]
    return result


def fit_cards(content: Content, target: Target, renderer, finish: Finish = PLAIN):
    """Lay out the card deck, shrinking the type of any card that spills over.

    Each overflowing card steps down through `CARD_SCALES`; a card that still
    spills at the smallest step fails the build with the amount it is over.
    Returns the deck's HTML, its laid-out document and the steps used.
    """
    from .render_pdf import card_pages, overflow_mm

    scales: dict[str, int] = {}
    while True:
        html = render_cards(content, target, scales, finish=finish)
        deck = renderer.render(html)
        too_long = {role_id: pages for role_id, pages in card_pages(deck, content.roles).items() if len(pages) > 1}
        if not too_long:
            return html, deck, scales
        problems = []
        for role_id, pages in too_long.items():
            if scales.get(role_id, 0) + 1 < len(CARD_SCALES):
                scales[role_id] = scales.get(role_id, 0) + 1
                continue
            over = sum(overflow_mm(deck, page, f"card-{role_id}") for page in pages[1:])
            problems.append(
                Problem(
                    f"the card for {content.role(role_id).title} does not fit on one page even with its type "
                    f"at {CARD_SCALES[-1]:.0%}: about {over:.0f} mm too long. Shorten its summary, "
                    "responsibilities, skills or ready_for_next",
                    field=f"roles.{role_id}",
                )
            )
        if problems:
            raise UserError(problems)
