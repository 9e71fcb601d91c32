"""Complete editions in German, French and Spanish; translations that notice when the English changed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html import unescape
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROOT, make_company
from pypdf import PdfReader

from guide.catalogs import coverage_report, export_catalog, import_catalog
from guide.cli import main
from guide.errors import UserError
from guide.load import load_content
from guide.locale import shipped_locales
from guide.pipeline import prepare_company
from guide.render_html import long_date, render_backs, render_cards, render_guide, render_packets
from guide.roster import Hire
from guide.typeset import typeset

LOCALES = ("de", "fr", "es")
# Words English prose cannot do without and none of the three languages uses.
ENGLISH = {"the", "and", "of", "with", "to", "for", "is", "are", "your", "this", "that", "from"}
CITED = "What is the Product Manager Career Path?"


def _words(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """The words of `text` as a reader reads them (words broken at a line end joined), names left out."""
    text = " ".join(text.split()).replace("\u2010 ", "").replace("\u00ad", "")
    for name in (CITED, *sorted(names, key=len, reverse=True)):
        text = text.replace(name, " ")
    return re.findall(r"[^\W\d_]+", text.lower())


def english_share(text: str, content) -> float:
    """The share of English function words, job titles left out: they are names, whatever language they are in."""
    titles = {role.title for role in content.roles} | {role.label for role in content.roles}
    titles |= {step.title for step in content.guide.off_ramps.exits}
    words = _words(text, tuple(titles))
    return sum(word in ENGLISH for word in words) / max(len(words), 1)


def _plain(html: str) -> str:
    html = re.sub(r"<(style|svg|title)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_shipped_language_is_complete():
    assert set(LOCALES) <= set(shipped_locales())
    for coverage in coverage_report(CONTENT):
        assert (coverage.stale, coverage.missing) == ([], []), coverage.summary()
        assert coverage.total > 300


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """A company per language that sets nothing but its locale, prepared (merged, translated, validated)."""
    root = tmp_path_factory.mktemp("editions")
    shared = load_content(CONTENT)
    return {
        locale: prepare_company(shared, make_company(root, f"only-{locale}", f"name: Acme\nlocale: {locale}\n"))
        for locale in LOCALES
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_locale_alone_gives_a_guide_cards_and_packet_with_no_english(editions, locale):
    prepared = editions[locale]
    assert prepared.warnings == ()
    assert prepared.content.untranslated == {CITED}  # only the cited article's title stays English
    hire = Hire(name="Ada Lovelace", role_id="product-manager", start_date=dt.date(2027, 1, 18), row=2)
    documents = {
        "guide": render_guide(prepared.content, prepared.target),
        "cards": render_cards(prepared.content, prepared.target),
        "backs": render_backs(prepared.content, prepared.target),
        "packet": render_packets(prepared.content, prepared.target, [hire]),
    }
    for name, document in documents.items():
        text = _plain(document.html)
        assert english_share(text, prepared.content) < 0.005, (name, [w for w in _words(text) if w in ENGLISH][:20])
        assert f'<html lang="{locale}">' in document.html
    guide = documents["guide"].html
    assert f'<cite><span lang="en">{CITED}</span></cite>' in guide  # marked English for hyphenation and readers
    assert long_date(dt.date(2026, 11, 26), locale) in guide
    assert long_date(dt.date(2027, 1, 18), locale) in documents["packet"].html


def test_dates_quotes_and_spacing_follow_the_language():
    date = dt.date(2026, 11, 26)
    assert [long_date(date, locale) for locale in ("en", "de", "fr", "es")] == [
        "November 26, 2026",
        "26. November 2026",
        "26 novembre 2026",
        "26 de noviembre de 2026",
    ]
    assert typeset('Say "yes" -- don\'t', "en") == "Say \u201cyes\u201d\u2009\u2013\u2009don\u2019t"
    assert typeset('Die Liste "Bereit"', "de", "\u201e \u201c \u201a \u2018") == "Die Liste \u201eBereit\u201c"
    assert typeset('La liste "Prêt" : oui; non! https://a.fr 10:30', "fr", "« » “ ”") == (
        "La liste «\u202fPrêt\u202f»\u00a0: oui\u202f; non\u202f! https://a.fr 10:30"
    )
    assert typeset('La lista "Lista"', "es", "« » “ ”") == "La lista «Lista»"


def test_the_german_edition_as_printed(built_all):
    """The German example's PDF: German text, German hyphenation, the language declared."""
    out, _, _ = built_all
    content = prepare_company(load_content(CONTENT), ROOT / "companies" / "bergwerk").content
    reader = PdfReader(out / "bergwerk" / "career-guide.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert english_share(text, content) < 0.005
    assert "26. November 2026" in text and "„" in text
    assert reader.trailer["/Root"]["/Lang"] == "de"
    cards = " ".join(page.extract_text() for page in PdfReader(out / "bergwerk" / "role-cards.pdf").pages)
    assert english_share(cards, content) < 0.005


def _project(tmp_path: Path) -> Path:
    """A project with a copy of the content, its translations included, to change."""
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


def test_editing_one_english_string_marks_exactly_its_translations_stale(tmp_path):
    content = _project(tmp_path)
    role = content / "roles" / "product-manager.yaml"
    role.write_text(role.read_text().replace("Own a product or product area", "Own a product or a product area"))
    for coverage in coverage_report(content):
        assert [source.context for source in coverage.stale] == ["roles.product-manager.responsibilities[0]"]
        assert coverage.missing == []
    shared = load_content(content)
    prepared = prepare_company(shared, make_company(tmp_path, "acme", "name: Acme\nlocale: de\n"))
    (warning,) = prepared.warnings
    total = coverage_report(content)[0].total
    assert f"de: {total - 1} of {total} translated, 1 stale" in warning.message
    assert "roles.product-manager.responsibilities[0]" in warning.message
    english = "Own a product or a product area and be its main point of contact for every team"
    assert prepared.content.untranslated == {english, CITED}
    html = render_guide(prepared.content, prepared.target).html
    assert f'<li><span lang="en">{english}</span></li>' in html


def test_export_then_import_changes_nothing(tmp_path):
    content = _project(tmp_path)
    before = {path: path.read_bytes() for path in (content / "translations").glob("*.po")}
    for locale in LOCALES:
        exported = tmp_path / f"{locale}.po"
        exported.write_text(export_catalog(locale, content))
        entries = polib.pofile(str(exported))
        assert len(entries) > 300 and not entries.untranslated_entries() and not entries.fuzzy_entries()
        first = entries[0]
        assert (first.msgctxt, first.occurrences[0][0].endswith("guide.yaml")) == ("guide.title", True)
        result = import_catalog(exported, content)
        assert (result.changed, result.warnings) == ({}, [])
    assert {path: path.read_bytes() for path in (content / "translations").glob("*.po")} == before


def test_an_edited_translation_is_stored_and_a_stale_one_is_exported_as_fuzzy(tmp_path):
    content = _project(tmp_path)
    exported = tmp_path / "fr.po"
    exported.write_text(export_catalog("fr", content))
    po = polib.pofile(str(exported))
    entry = next(e for e in po if e.msgctxt == "roles.product-manager.title")
    entry.msgstr = "Chef·fe de produit"
    po.save(str(exported))
    result = import_catalog(exported, content)
    assert result.changed == {content / "translations" / "fr.po": ["roles.product-manager.title"]}
    assert 'msgstr "Chef·fe de produit"' in (content / "translations" / "fr.po").read_text()
    # The English changes: the export gives the old translation as fuzzy, with the English it was made from.
    role = content / "roles" / "product-manager.yaml"
    role.write_text(role.read_text().replace("title: Product Manager", "title: Product Lead"))
    stale = next(e for e in polib.pofile(export_catalog("fr", content)) if e.msgctxt == "roles.product-manager.title")
    assert (stale.msgid, stale.msgstr, stale.fuzzy, stale.previous_msgid) == (
        "Product Lead",
        "Chef·fe de produit",
        True,
        "Product Manager",
    )


BROKEN = {
    "syntax": ('msgctxt "guide.title"\nmsgid "x"\nmsgstr "y"\nbogus line\n', 7, "not a readable PO file"),
    "unknown place": ('msgctxt "guide.titel"\nmsgid "x"\nmsgstr "y"\n', 4, "did you mean `guide.title`"),
    "twice": (
        'msgctxt "guide.title"\nmsgid "The Product Manager Career Path"\nmsgstr "a"\n\n'
        'msgctxt "guide.title"\nmsgid "The Product Manager Career Path"\nmsgstr "b"\n',
        8,
        "translated twice (first on line 4)",
    ),
    "reference": (
        'msgctxt "guide.ladder.text"\nmsgid "x"\nmsgstr "{Count} Rollen bis {role:top}"\n',
        4,
        "`{role:top}` in the translation of `guide.ladder.text` is not in the English",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_is_rejected_with_its_line_and_nothing_is_written(tmp_path, case):
    content = _project(tmp_path)
    before = (content / "translations" / "de.po").read_bytes()
    body, line, message = BROKEN[case]
    path = tmp_path / "broken.po"
    path.write_text('msgid ""\nmsgstr "Language: de\\n"\n\n' + body)
    result = CliRunner().invoke(main, ["translate", "import", str(path), "--content", str(content)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"broken.po:{line}: " in result.output and message in result.output, result.output
    assert (content / "translations" / "de.po").read_bytes() == before


def test_a_company_brings_its_own_language_and_translates_its_own_text(tmp_path):
    """Dutch from the company's folder, its own section translated, a label overridden; the rest English, marked."""
    folder = make_company(
        tmp_path,
        "dutch",
        "name: Acme\nlocale: nl\nwritten_in: en\n"
        "sections:\n  - title: Welcome to Acme\n    paragraphs: [Glad you are here.]\n",
    )
    export = tmp_path / "nl.po"
    runner = CliRunner()
    result = runner.invoke(main, ["translate", "export", "--locale", "nl", "--company", str(folder), "-o", str(export)])
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(export))
    wanted = {
        "label.contents": "Inhoud",
        "label.numbers": "nul een twee drie vier vijf zes zeven acht negen tien",
        "company.sections[0].title": "Welkom bij Acme",
        "company.sections[0].paragraphs[0]": "Fijn dat je er bent.",
        "roles.product-manager.title": "Productmanager",
        "guide.introduction[0]": "Er is geen vaste ladder in productmanagement.",
    }
    for entry in po:
        entry.msgstr = wanted.get(entry.msgctxt, "")
    po.save(str(export))
    result = runner.invoke(main, ["translate", "import", str(export), "--company", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "translations" / "nl.po").is_file()
    assert not (ROOT / "guide" / "locales" / "nl.po").exists()  # nothing in the installed package
    prepared = prepare_company(load_content(CONTENT), folder)
    assert "nl: 6 of" in prepared.warnings[0].message
    html = render_guide(prepared.content, prepared.target).html
    assert '<html lang="nl">' in html and ">Inhoud<" in html and "Welkom bij Acme" in html
    assert "Productmanager" in html and "Er is geen vaste ladder in productmanagement." in html
    assert "Six roles from" in html  # English text not translated yet counts in English
    assert '<span lang="en">The Product Manager Career Path</span>' in html  # untranslated: marked English
    assert '<h2><span lang="en">Responsibilities</span></h2>' in html  # a label too
    result = runner.invoke(main, ["validate", "--company", str(folder), "--strict"])
    assert result.exit_code == 1 and "nl: 6 of" in result.output


def test_an_unknown_language_is_refused_with_the_way_to_add_it(tmp_path):
    folder = make_company(tmp_path, "acme", "name: Acme\nlocale: nl\n")
    with pytest.raises(UserError) as error:
        prepare_company(load_content(CONTENT), folder)
    assert "unknown locale `nl`" in str(error.value) and "translations/nl.po" in str(error.value)


def test_validate_reports_each_language():
    result = CliRunner().invoke(main, ["validate", "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    for locale in LOCALES:
        assert re.search(rf"translations: {locale}: (\d+) of \1 translated, 0 stale", result.output)
