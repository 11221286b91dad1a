"""Typeset: HTML and CSS → pages laid out by WeasyPrint, which loads nothing but media files.

The one module that imports WeasyPrint, which takes a second or two: a build that finds all its
pages in the cache (pdf_cache.py) never imports it.

Overflow is measured on the laid-out pages: WeasyPrint's layout boxes (the undocumented but
long-stable `Page._page_box` tree) give every card side's content box and every box inside it,
so a side overflows when any inner box ends below or right of its content box. This measures
exactly what is printed, in one layout pass, and catches wide code and tables as well as tall
text, which a "did it make a second page" probe would miss. A test lays out a deliberately long
card, so a WeasyPrint release that changed those boxes would fail loudly.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML, Document, URLFetcher
from weasyprint.urls import URLFetcherResponse

#: Layout units (CSS px) that count as overflow; well below a printed hairline.
TOLERANCE_PX = 0.01


class MediaFetcher(URLFetcher):
    """WeasyPrint's only way to load anything: files inside the media folder, nothing else.

    Card HTML is untrusted. Refusing here (a second wall behind render.py's sanitiser) keeps
    out the network, every other local file, and with them `<a rel="attachment">` and
    `<link rel="attachment">`, which WeasyPrint would embed into the PDF."""

    def __init__(self, media_dir: Path | None) -> None:
        super().__init__()
        self.root = media_dir.resolve() if media_dir else None

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self.media_file(url)
        if path is None:
            raise ValueError(f"refused to load {url}: only files in the media folder may be used")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def media_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if self.root is None or parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        return path if self.root in path.parents and path.is_file() else None


def lay_out(html: str, css: str, media_dir: Path | None = None) -> Document:
    """Relative image paths in card HTML are bare media file names; without a media folder,
    nothing at all may be loaded."""
    base_url = media_dir.resolve().as_uri() + "/" if media_dir else None
    return HTML(string=html, base_url=base_url, url_fetcher=MediaFetcher(media_dir)).render(stylesheets=[_stylesheet(css)])


def overflowing(document: Document) -> set[int]:
    """The `data-side` number of every side with a box ending outside the side's content box."""
    found: set[int] = set()
    for page in document.pages:
        for side in _side_boxes(page._page_box):
            bottom = side.content_box_y() + side.height + TOLERANCE_PX
            right = side.content_box_x() + side.width + TOLERANCE_PX
            if any(
                box.border_box_y() + box.border_height() > bottom or box.border_box_x() + box.border_width() > right
                for box in _descendants(side)
            ):
                found.add(int(side.element.get("data-side")))
    return found


def pdf(document: Document, pages: list | None = None) -> bytes:
    """The PDF of `pages`: the document's own by default; pages of other documents may join them."""
    return document.copy(pages if pages is not None else document.pages).write_pdf()


@cache
def _stylesheet(css: str) -> CSS:
    return CSS(string=css)


def _side_boxes(box) -> Iterator:
    """The principal box of every card side (its anonymous inner boxes share the element)."""
    element = getattr(box, "element", None)
    if element is not None and element.get("data-side"):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _side_boxes(child)


def _descendants(box) -> Iterator:
    for child in getattr(box, "children", ()):
        yield child
        yield from _descendants(child)
