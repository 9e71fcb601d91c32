"""role-cards.pdf: every card in one file, a card per page or several per sheet with cut marks."""

from __future__ import annotations

from .job import Job, Unit


def make_deck(job: Job) -> dict[str, bytes]:
    cards, finish = job.cards, job.finish
    if finish.cards_per_sheet == 1:
        pages = [page for index in range(len(cards.fronts)) for page in job.sides(index)]
        return {"role-cards.pdf": job.pdf(cards.deck.copy(pages), card=True)}
    from ..errors import Problem, UserError
    from ..impose import impose, impose_real
    from ..paper import SHEETS
    from ..render_html import BLEED_MM, card_paper
    from ..render_pdf import pdf_bytes

    sheet, per_sheet = finish.sheet or job.target.paper, finish.cards_per_sheet
    size = card_paper(job.target, finish)
    title, lang = job.content.guide.title, job.target.locale
    if size is None:
        if per_sheet not in (2, 4):
            raise UserError(Problem(f"{per_sheet} cards per sheet is for cards of a real size (--card-size a6, 4x6)"))
        # Imposition places finished card pages on sheets; the variant applies to the sheets, not the cards.
        fronts = job.pdf(cards.deck.copy(cards.fronts), variant=None)
        backs = job.pdf(cards.deck.copy(job.backs), variant=None) if job.backs else None
        return {"role-cards.pdf": impose(fronts, backs, per_sheet, sheet, title, lang)}
    # Cards of a real size keep their bleed (its boxes set), to run into the gutters.
    fronts = pdf_bytes(cards.deck.copy(cards.fronts), bleed_mm=BLEED_MM)
    backs = pdf_bytes(cards.deck.copy(job.backs), bleed_mm=BLEED_MM) if job.backs else None
    try:
        return {"role-cards.pdf": impose_real(fronts, backs, per_sheet, sheet, title, lang)}
    except ValueError as error:
        fit, sheet_name = error.args[0], SHEETS[sheet].name
        article = "an" if sheet_name[0] in "AEIOU" else "a"
        raise UserError(
            Problem(
                f"{per_sheet} {size.name} cards do not fit on {article} {sheet_name} sheet at full size with bleed and "
                f"cut marks; {fit} do. Use --cards-per-sheet {max(n for n in (1, 2, 4, 8) if n <= max(fit, 1))}"
                + (" or --sheet a3" if sheet != "a3" else "")
            )
        ) from None


UNIT = Unit("deck", make_deck, source=lambda job: job.cards_source)
