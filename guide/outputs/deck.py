"""role-cards.pdf: every card in one file, a card per page or several per sheet with cut marks."""

from __future__ import annotations

from .job import Job, Unit


def make_deck(job: Job) -> dict[str, bytes]:
    cards, finish = job.cards, job.finish
    if finish.cards_per_sheet == 1:
        pages = [page for index in range(len(cards.fronts)) for page in job.sides(index)]
        return {"role-cards.pdf": job.pdf(cards.deck.copy(pages))}
    from ..impose import impose

    # Imposition places finished card pages on sheets; the variant applies to the sheets, not the cards.
    fronts = job.pdf(cards.deck.copy(cards.fronts), variant=None)
    backs = job.pdf(cards.deck.copy(job.backs), variant=None) if job.backs else None
    sheets = impose(fronts, backs, finish.cards_per_sheet, job.target.paper, job.content.guide.title, job.target.locale)
    return {"role-cards.pdf": sheets}


UNIT = Unit("deck", make_deck)
