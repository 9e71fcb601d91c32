"""Join finished PDFs into one tagged PDF: some documents' pages in front of a base document.

Onboarding packets are a person's own pages followed by their company's
guide. Laying the guide out again for every person would cost a second each;
joining at the PDF level costs hundredths. The join keeps what the base
document has (outline, named destinations, links, /Lang, /MarkInfo and its
metadata) and makes one structure tree of all parts, so a screen reader
reads the packet as one document: each front part's top-level structure
elements go under the base's document element, in page order, and their
pages, annotations and parent-tree entries are renumbered after the base's.

pikepdf (QPDF) copies objects between files and writes only what the
catalogue reaches, so whatever of a front part's own catalogue is not taken
over (its structure root, its named destinations) is left behind.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, NumberTree, Pdf


@dataclass(frozen=True)
class Bookmark:
    """An outline entry for the first page of a front part."""

    title: str
    part: int  # index into the front parts


def join_pdfs(front: list[bytes], base: bytes, *, title: str, bookmarks: list[Bookmark] = ()) -> bytes:
    """`front`'s pages, then `base`'s, as one PDF titled `title`; the front pages are numbered i, ii, ...

    The base's own pages keep the numbers printed on them (1, 2, ...).
    """
    with Pdf.open(io.BytesIO(base)) as out:
        parts = [Pdf.open(io.BytesIO(data)) for data in front]
        try:
            firsts = _prepend(out, parts)
            with out.open_outline() as outline:
                for index, bookmark in enumerate(bookmarks):
                    outline.root.insert(index, pikepdf.OutlineItem(bookmark.title, firsts[bookmark.part]))
            count = sum(len(part.pages) for part in parts)
            labels = [0, Dictionary(S=Name.r)] if count else []
            out.Root.PageLabels = Dictionary(Nums=Array([*labels, count, Dictionary(S=Name.D, St=1)]))
            out.docinfo[Name.Title] = title
            stream = io.BytesIO()
            out.save(stream, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return stream.getvalue()
        finally:
            for part in parts:
                part.close()


def _prepend(out: Pdf, parts: list[Pdf]) -> list[int]:
    """Put every page of `parts` in front of `out`'s, with their tags; returns each part's first page index."""
    root = out.Root.StructTreeRoot
    document = _document_element(root)
    parent_tree = NumberTree(root.ParentTree)
    next_key = max((int(key) for key, _ in parent_tree.items()), default=-1) + 1
    elements: list[pikepdf.Object] = []
    firsts: list[int] = []
    position = 0
    for part in parts:
        firsts.append(position)
        source_root = part.Root.StructTreeRoot
        source_tree = NumberTree(source_root.ParentTree)
        # Pages first: QPDF then maps each structure element's /Pg to the copied page, not a second copy.
        start = position
        for page in part.pages:
            out.pages.insert(position, page)
            position += 1
        for page, copy in zip(part.pages, out.pages[start:position], strict=True):
            copied = copy.obj
            if Name.StructParents in page.obj:
                entry = source_tree[int(page.obj.StructParents)]
                copied.StructParents = next_key
                parent_tree[next_key] = Array([_copy(out, item) for item in entry])
                next_key += 1
            for source, annotation in zip(page.obj.get(Name.Annots, []), copied.get(Name.Annots, []), strict=True):
                if Name.StructParent in source:
                    annotation.StructParent = next_key
                    parent_tree[next_key] = _copy(out, source_tree[int(source.StructParent)])
                    next_key += 1
        for element in _children(_document_element(source_root)):
            copied = _copy(out, element)
            copied.P = document
            elements.append(copied)
    document.K = Array([*elements, *_children(document)])
    return firsts


def _document_element(root: pikepdf.Object) -> pikepdf.Object:
    """The single element under a structure root (WeasyPrint's /Document), whether or not it sits in an array."""
    kids = root.K
    return kids[0] if isinstance(kids, Array) else kids


def _children(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get(Name.K)
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _copy(out: Pdf, item: pikepdf.Object) -> pikepdf.Object:
    """A foreign object in `out`: indirect objects through QPDF's copier (one copy each), direct ones as they are."""
    return out.copy_foreign(item) if item.is_indirect else item
