"""The guide speaks of the company's own ladder: its titles, its roles and its count, in every sentence."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROLE_IDS, ROLE_TITLES, ROOT, make_company, pdf_text
from pypdf import PdfReader

from guide.cli import main
from guide.errors import UserError
from guide.load import load_content
from guide.locale import labels
from guide.pipeline import prepare_company
from guide.render_html import render_backs, render_cards, render_guide, render_packets
from guide.roster import read_roster
from guide.wording import noun, number_word

DEFAULT_TITLES = ROLE_TITLES
EXTRA_ROLE = (
    (CONTENT / "roles" / "senior-product-manager.yaml")
    .read_text()
    .replace(
        "title: Senior Product Manager\nshort_title: Senior PM\nlevel: 3\n",
        "title: Staff Product Manager\nlevel: 3.5\n",
    )
)
RENAMED = {
    "associate-product-manager": "Product Analyst",
    "product-manager": "Product Owner",
    "senior-product-manager": "Lead Product Owner",
    "director-of-product": "Head of Product",
    "vp-of-product": "Product Executive",
    "chief-product-officer": "Product Partner",
}


def _titles(mapping: dict[str, str]) -> str:
    return "titles:\n" + "".join(f"  {role_id}: {title}\n" for role_id, title in mapping.items())


CASES = {
    "without the top role": ("name: Acme\nexclude_roles: [chief-product-officer]\n", {}),
    "without the first role": ("name: Acme\nexclude_roles: [associate-product-manager]\n", {}),
    "every title renamed": ("name: Acme\n" + _titles(RENAMED), {}),
    "a role added at 3.5": ("name: Acme\n", {"roles/staff-product-manager.yaml": EXTRA_ROLE}),
    "four roles": ("name: Acme\nexclude_roles: [associate-product-manager, vp-of-product]\n", {}),
}


def _plain(html: str) -> str:
    """The words a reader sees in an HTML document (no tags, attributes, styles or SVG)."""
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _prepare(tmp_path: Path, company_yaml: str, files: dict[str, str]):
    return prepare_company(load_content(CONTENT), make_company(tmp_path, "acme", company_yaml, files))


def _documents(prepared) -> dict[str, str]:
    """The text of the guide, the card deck, the card backs and a packet for one person in each role."""
    content, target = prepared.content, prepared.target
    hires, problems = read_roster_for(content)
    assert not problems
    return {
        "guide": _plain(render_guide(content, target).html),
        "cards": _plain(render_cards(content, target).html),
        "backs": _plain(render_backs(content, target).html),
        "packets": _plain(render_packets(content, target, hires).html),
    }


def read_roster_for(content):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        roster.write_text("name,role\n" + "".join(f"Person {role.rank},{role.id}\n" for role in content.roles))
        return read_roster(roster, content)


def _count_word(count: int) -> str:
    return number_word(count, labels("en"))


@pytest.mark.parametrize("case", list(CASES))
def test_every_sentence_is_true_of_the_company_ladder(case: str, tmp_path: Path) -> None:
    company_yaml, files = CASES[case]
    prepared = _prepare(tmp_path, company_yaml, files)
    roles = prepared.content.roles
    titles = {role.id: role.title for role in roles}
    gone = {DEFAULT_TITLES[role_id] for role_id in DEFAULT_TITLES if titles.get(role_id) != DEFAULT_TITLES[role_id]}
    count = _count_word(len(roles))
    documents = _documents(prepared)
    for name, text in documents.items():
        masked = text
        for own in sorted(titles.values(), key=len, reverse=True):
            masked = masked.replace(own, "§")  # "Product Manager" inside "Senior Product Manager" is not stale
        for title in gone - {"Product Manager"}:  # two words that are also the discipline's name
            assert not re.search(rf"(?<!\w){re.escape(title)}(?!\w)", masked), (case, name, title)
            # in any case, as a whole phrase ("senior product managers" speaks of other companies)
            assert not re.search(rf"(?<!\w){re.escape(title)}(?!\w)", masked, re.IGNORECASE), (case, name, title)
        assert "{" not in text, (case, name)  # no reference left unresolved
        for wrong in {"six", "five", "seven", "four"} - {count}:
            assert not re.search(rf"\b{wrong} roles\b", text, re.IGNORECASE), (case, name, wrong)
    guide = documents["guide"]
    first, top = roles[0].title, roles[-1].title
    assert f"{count.title()} roles from {first} to {top}, and what each one asks of you" in guide, case
    assert f"Beyond the {top}" in guide
    assert f"{count.title()} roles, each one a step up in scope" in guide
    for role in roles:
        assert role.title in guide


def test_a_role_added_between_two_levels_is_its_lower_neighbours_next_step(tmp_path: Path) -> None:
    prepared = _prepare(tmp_path, *CASES["a role added at 3.5"])
    content = prepared.content
    assert [role.id for role in content.roles][2:5] == [
        "senior-product-manager",
        "staff-product-manager",
        "director-of-product",
    ]
    senior, staff = content.role("senior-product-manager"), content.role("staff-product-manager")
    assert content.next_role(senior) == staff
    assert content.next_role(staff).id == "director-of-product"
    cards = _plain(render_cards(content, prepared.target, only="senior-product-manager").html)
    assert "Next role: Staff Product Manager" in cards
    # The top role leads to the guide's exits; a company without it gives them to its new top role.
    assert [step.title for step in content.role("chief-product-officer").next_steps] == [
        "General Manager",
        "Chief Operating Officer",
        "Chief Executive Officer",
    ]
    without_top = _prepare(tmp_path / "b", *CASES["without the top role"]).content
    assert without_top.roles[-1].id == "vp-of-product"
    assert without_top.roles[-1].next_steps[0].title == "General Manager"


def test_explicit_next_steps_still_win(tmp_path: Path) -> None:
    steps = "      - role: senior-product-manager\n      - role: director-of-product\n"
    prepared = _prepare(tmp_path, "name: Acme\nroles:\n  product-manager:\n    next_steps:\n" + steps, {})
    pm = prepared.content.role("product-manager")
    assert [step.role for step in pm.next_steps] == ["senior-product-manager", "director-of-product"]


def test_in_sentence_forms_follow_the_language() -> None:
    assert noun("Associate Product Manager", labels("en")) == "associate product manager"
    assert noun("VP of Product", labels("en")) == "VP of product"
    assert noun("Product Manager II", labels("en")) == "product manager II"
    assert noun("Leitung Produktmanagement", labels("de")) == "Leitung Produktmanagement"
    assert (number_word(6, labels("en")), number_word(5, labels("de")), number_word(40, labels("en"))) == (
        "six",
        "fünf",
        "40",
    )


REFERENCE_ERRORS = [
    ("{role:chief-product-oficer}", "names no role on this ladder (did you mean `{role:chief-product-officer}`?)"),
    ("{role:Head of Product}", "is not a reference careerguide knows (did you mean `{role:director-of-product}`?)"),
    ("{rol:top}", "is not a reference careerguide knows (did you mean `{role:top}`?)"),
    ("{ROLE:top}", "is not a reference careerguide knows (did you mean `{role:top}`?)"),
    ("{role: top}", "is not a reference careerguide knows (did you mean `{role:top}`?)"),
    ("{count:vp-of-product}", "takes no role: write `{count}`"),
    ("{role:below}", "can only be used in a role's own text"),
    ("{role:vp-of-product}", "`vp-of-product` is removed by exclude_roles"),
]


@pytest.mark.parametrize(("reference", "message"), REFERENCE_ERRORS, ids=[r for r, _ in REFERENCE_ERRORS])
def test_a_bad_reference_is_an_error_with_its_place(tmp_path: Path, monkeypatch, reference: str, message: str) -> None:
    section = f"sections:\n  - title: Welcome\n    paragraphs:\n      - 'See {reference} first.'\n"
    titles = "titles: {director-of-product: Head of Product}\nexclude_roles: [vp-of-product]\n"
    make_company(tmp_path, "acme", "name: Acme\n" + section + titles)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--company", "acme", "--content", str(CONTENT)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any("company.yaml:5:9: sections[0].paragraphs[0]" in line and message in line for line in errors), errors


def test_below_the_first_role_is_an_error_for_that_company(tmp_path: Path) -> None:
    role = "roles:\n  product-manager:\n    experience: Time in the {role:below} role.\n"
    with pytest.raises(UserError) as raised:
        _prepare(tmp_path, "name: Acme\nexclude_roles: [associate-product-manager]\n" + role, {})
    (problem,) = raised.value.problems
    assert "Product Manager is the first role of its track on this ladder, so there is no role below it" in str(problem)


def test_a_title_that_is_not_on_the_ladder_is_a_warning_and_an_error_with_strict(tmp_path: Path, monkeypatch) -> None:
    section = "sections:\n  - title: Welcome\n    paragraphs:\n      - Ask our Chief Product Officer.\n"
    make_company(tmp_path, "acme", "name: Acme\nexclude_roles: [chief-product-officer]\n" + section)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["validate", "--company", "acme", "--content", str(CONTENT)]
    relaxed = runner.invoke(main, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: companies/acme/company.yaml:6:9: sections[0].paragraphs[0]: names “Chief Product Officer”" in (
        relaxed.output
    )
    assert "the role Chief Product Officer is not on this ladder (exclude_roles)" in relaxed.output
    strict = runner.invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1 and "error: companies/acme/company.yaml:6:9" in strict.output


def test_renamed_titles_in_shared_text_are_found_too(tmp_path: Path) -> None:
    role = "roles:\n  product-manager:\n    experience: Two years as an associate product manager.\n"
    prepared = _prepare(tmp_path, "name: Acme\n" + _titles({"associate-product-manager": "Product Analyst"}) + role, {})
    (warning,) = prepared.warnings
    assert "roles.product-manager.experience" in str(warning)
    assert "names “associate product manager”, but the role Associate Product Manager is called Product Analyst" in (
        str(warning)
    )


def test_the_shipped_examples_name_only_their_own_roles(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate", "--all", "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output


def test_removed_roles_are_not_accepted_on_a_roster(tmp_path: Path) -> None:
    content = _prepare(tmp_path, *CASES["without the top role"]).content
    roster = tmp_path / "roster.csv"
    roster.write_text("name,role\nAna,Chief Product Officer\nBo,chief-product-officer\nCy,VP of Product\n")
    hires, problems = read_roster(roster, content)
    assert [hire.name for hire in hires] == ["Cy"]
    assert len(problems) == 2 and all("unknown role" in str(problem) for problem in problems)


def test_explain_takes_the_company_title_and_shows_resolved_text(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["explain", "--company", "northwind", "head of product", "--content", str(CONTENT)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Head of Product (director-of-product) at Northwind")
    assert "The head of product builds a team" in " ".join(result.output.split())
    assert "{" not in result.output
    assert "next_steps: VP of Product\n  # follows the ladder: the next role up" in result.output


def test_the_pdfs_of_a_renamed_ladder_without_its_top_role(tmp_path: Path, monkeypatch) -> None:
    """The real PDFs: the guide, every card and a packet speak of the five renamed roles only."""
    import guide.outputs as outputs

    monkeypatch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name in ("guide", "cards")))
    titles = {k: v for k, v in RENAMED.items() if k != "chief-product-officer"}
    make_company(tmp_path, "acme", "name: Acme\nexclude_roles: [chief-product-officer]\n" + _titles(titles))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--company", "acme", "--out", "out", "--content", str(CONTENT), "-j", "1"])
    assert built.exit_code == 0, built.output
    roster = tmp_path / "roster.csv"
    roster.write_text("name,role\nAna Lima,Product Owner\n")
    onboard = ["onboard", "--company", "acme", "--roster", str(roster), "--out", "out", "--content", str(CONTENT)]
    assert runner.invoke(main, onboard).exit_code == 0
    out = tmp_path / "out" / "acme"
    pdfs = [out / "career-guide.pdf", *sorted((out / "cards").glob("*.pdf")), out / "onboarding" / "ana-lima.pdf"]
    assert len(pdfs) == 7
    for pdf in pdfs:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
        text = text.replace("\u2010 ", "").replace("- ", "-")  # words hyphenated at line ends
        for role_id, title in DEFAULT_TITLES.items():
            if role_id != "product-manager":  # "product manager" is also the discipline's name
                assert not re.search(rf"(?<!\w){re.escape(title)}(?!\w)", text, re.IGNORECASE), (pdf.name, title)
        assert "Six roles" not in text and "six roles" not in text
    guide = pdf_text(pdfs[0])
    assert "Five roles from Product Analyst to Product Executive" in guide
    assert "Beyond the Product Executive" in guide
    assert len(ROLE_IDS) - 1 == len(list((out / "cards").glob("*.pdf")))


def test_ordinary_braces_print_as_typed_and_titles_hold_no_references(tmp_path: Path) -> None:
    paragraph = "'Stand-ups at {hh:mm}, notes in {}: {not a reference}.'"
    section = f"sections:\n  - title: Rhythm\n    paragraphs:\n      - {paragraph}\n"
    prepared = _prepare(tmp_path, "name: Acme\n" + section, {})
    assert prepared.content.sections[0].paragraphs == ["Stand-ups at {hh:mm}, notes in {}: {not a reference}."]
    with pytest.raises(UserError) as raised:
        _prepare(tmp_path / "b", "name: Acme\ntitles:\n  director-of-product: '{role:top}'\n", {})
    assert "a role's title, short title or noun cannot hold a reference" in str(raised.value)


def test_below_follows_the_track_and_the_fork() -> None:
    """Below the first role of a track is the role it branches from, not a role of another track."""
    head = prepare_company(load_content(CONTENT), ROOT / "companies" / "northwind").content.role("director-of-product")
    assert "usually including time in the Senior Product Manager role" in " ".join(head.experience.split())


def test_stale_titles_in_the_plural_and_across_lines_are_found(tmp_path: Path) -> None:
    text = "roles:\n  product-manager:\n    experience: |\n      Some were Associate Product\n      Managers; we\n"
    text += "      thank the Chief Product Officers.\n"
    prepared = _prepare(
        tmp_path,
        "name: Acme\nexclude_roles: [chief-product-officer]\n"
        + _titles({"associate-product-manager": "Product Analyst"})
        + text,
        {},
    )
    found = " ".join(str(warning) for warning in prepared.warnings)
    assert "names “Associate Product Managers”" in found and "write `{role:associate-product-manager}`" in found
    assert "names “Chief Product Officers”" in found


def test_a_problem_in_the_shared_text_says_which_key_to_override(tmp_path: Path) -> None:
    """The shared files are not the company's to edit: the message names the override for company.yaml."""
    errors = []
    with pytest.raises(UserError) as raised:
        _prepare(tmp_path, "name: Acme\nexclude_roles: [associate-product-manager, product-manager]\n", {})
    errors = [str(problem) for problem in raised.value.problems]
    assert any(
        "senior-product-manager.yaml:12:5: roles.senior-product-manager.hiring_signals[0]" in error
        and "give `roles.senior-product-manager.hiring_signals` (the whole list) in acme/company.yaml instead" in error
        for error in errors
    ), errors
