"""PNG previews (`--png`) of the guide's cover and of every card, for intranet pages and chat messages."""

from __future__ import annotations

import io

from .job import Job, Unit

PREVIEW_WIDTH = 800  # pixels: sharp on an intranet page, small enough to send around


def preview_png(pdf: bytes, page: int = 0, width: int = PREVIEW_WIDTH) -> bytes:
    """The first page (or `page`) of a PDF as PNG bytes, `width` pixels wide."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        rendered = document[page]
        image = rendered.render(scale=width / rendered.get_width()).to_pil().convert("RGB")
    finally:
        document.close()
    stream = io.BytesIO()
    image.save(stream, format="PNG", optimize=True)
    return stream.getvalue()


def make_previews(job: Job) -> dict[str, bytes]:
    files = {"career-guide.png": preview_png(job.guide_pdf)}
    files.update({f"cards/{role_id}.png": preview_png(data) for role_id, data in job.card_pdfs.items()})
    return files


UNIT = Unit(
    "previews",
    make_previews,
    wanted=lambda job: job.finish.png,
    source=lambda job: job.guide_source.html + job.cards_source,
)
