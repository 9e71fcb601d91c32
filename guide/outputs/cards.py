"""cards/<role>.pdf: one PDF per role card, to print or send on its own."""

from __future__ import annotations

from .job import Job, Unit


def make_cards(job: Job) -> dict[str, bytes]:
    return {f"cards/{role_id}.pdf": data for role_id, data in job.card_pdfs.items()}


UNIT = Unit("cards", make_cards, source=lambda job: job.cards_source)
