"""Emit: rendered cards → print-ready PDF card sheets, laid out by WeasyPrint and checked for overflow.

Overflow is measured on the real sheets, after layout: WeasyPrint's layout boxes (the
undocumented but long-stable `Page._page_box` tree) give every card side's content box and every
box inside it, so a side overflows when any inner box ends below or right of its content box.
This measures exactly what is printed, in one layout pass, and catches wide code and tables as
well as tall text, which a "did it make a second page" probe would miss. A test renders a
deliberately long card, so a WeasyPrint release that changed those boxes would fail loudly.

A side that overflows is laid out again at the next smaller of its card size's `font_steps`;
the last one keeps the smallest text of a card (code, references: SMALLEST_EM of the side's
size) at MIN_TEXT_PT. A card that still does not fit fails the build, or is left out with
--skip-overflow. Nothing is clipped: sides never hide overflow.

WeasyPrint keeps every laid-out page in memory, so the cards are laid out in chunks of
SHEETS_PER_CHUNK sheets, in worker processes, and the chunks' PDFs are joined in order.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import click
from pygments.formatters import HtmlFormatter
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML, URLFetcher, __version__ as weasyprint_version
from weasyprint.urls import URLFetcherResponse

from .diagrams import cached_svg
from .errors import BuilderError
from .output import write_atomically
from .render import RenderedCard, card_label, cloze_back, cloze_front
from .sheets import SheetSpec, Side, Size, grid, pages
from .syllabus import Syllabus
from .templating import environment

#: A side that overflows is set again at the next size, as a share of the card size's font.
FONT_STEPS = (1.0, 0.9, 0.8)
#: No printed text is smaller than this; the smallest text of a card is SMALLEST_EM of its size.
MIN_TEXT_PT = 6.5
SMALLEST_EM = 0.9  # keep in step with templates/print/sheet.css.j2
SIDES: tuple[Side, ...] = ("front", "back")
#: Inner margin of every side: absorbs inaccurate cutting and duplex misregistration.
PADDING_MM = 4.0
MARK_MM = 3.0
#: Room for a label of up to two lines and its gap above a side's body (6.5 pt text, sheet.css.j2).
LABEL_MM = 7.5
#: About 3 s of layout per chunk: small enough for bounded memory, large enough that the
#: fonts each chunk embeds do not add up.
SHEETS_PER_CHUNK = 12
#: Fixed, so that the same sources and options give the same bytes.
PDF_DATE = "D:20260101000000Z"
#: A diagram's picture in a card's HTML, as render.py writes it.
DIAGRAM_IMG = re.compile(r'<img\b[^>]*\bsrc="(diagram-[0-9a-f]{16}\.svg)"[^>]*>')
#: Layout units (CSS px) that count as overflow; well below a printed hairline.
TOLERANCE_PX = 0.01


@dataclass(frozen=True)
class PrintCard:
    """What one printed card shows: the label on both sides, and each side's HTML."""

    id: str
    label: str
    front: str
    back: str


@dataclass(frozen=True)
class Chunk:
    """One worker's job: some whole sheets of cards, with each side's starting font step."""

    cards: tuple[PrintCard, ...]
    steps: tuple[tuple[int, int], ...]
    spec: SheetSpec
    media_dir: Path


@dataclass(frozen=True)
class ChunkResult:
    pdf: bytes
    #: Each card's font steps (front, back) after fitting.
    steps: tuple[tuple[str, tuple[int, int]], ...]
    #: Cards with a side that does not fit even at the floor.
    overflowing: tuple[str, ...]


@dataclass(frozen=True)
class SheetsWritten:
    cards: int
    pages: int
    skipped: tuple[str, ...]


def print_card(rendered: RenderedCard, syllabus: Syllabus) -> PrintCard:
    """A cloze card shows its blanks on the front and the filled text, then the extra, on the back."""
    card = rendered.card
    front, back = _inline_diagrams(rendered.front_html), _inline_diagrams(rendered.back_html)
    if card.is_cloze:
        front, back = cloze_front(front), cloze_back(front) + back
    if rendered.ref_html:
        back += f'<p class="ref">{rendered.ref_html}</p>'
    return PrintCard(card.id, card_label(card, syllabus), front, back)


def _inline_diagrams(html: str) -> str:
    """A diagram goes into the sheet as its SVG itself: vector lines, and nothing to fetch."""

    def svg(match: re.Match) -> str:
        path = cached_svg(match.group(1))
        return f'<div class="diagram">{path.read_text(encoding="utf-8")}</div>' if path else match.group(0)

    return DIAGRAM_IMG.sub(svg, html)


def output_suffix(spec: SheetSpec) -> str:
    """'-a4.pdf', with the card size and layout named when they are not the defaults."""
    default = SheetSpec()
    parts = [spec.paper]
    parts += [spec.card] if spec.card != default.card else []
    parts += [spec.layout] if spec.layout != default.layout else []
    return f"-{'-'.join(parts)}.pdf"


def write_sheets(
    cards: tuple[PrintCard, ...],
    spec: SheetSpec,
    media_dir: Path,
    output: Path,
    skip_overflow: bool,
    sheets_per_chunk: int = SHEETS_PER_CHUNK,
    jobs: int | None = None,
) -> SheetsWritten:
    """Lay out, check and write the sheets; fails naming every card that does not fit."""
    results = _render(cards, {}, spec, media_dir, sheets_per_chunk, jobs)
    overflowing = tuple(card_id for result in results for card_id in result.overflowing)
    if overflowing and not skip_overflow:
        raise BuilderError(
            f"{len(overflowing)} card(s) do not fit on a {spec.card_size.title} even at the smallest print size "
            f"({_floor_pt(spec):g} pt, code {MIN_TEXT_PT:g} pt): "
            f"{', '.join(overflowing)} — shorten them, choose a larger --card-size, or pass --skip-overflow"
        )
    if overflowing:
        # Lay out again without them, so that no sheet keeps a hole; the fitted sizes carry over.
        kept = tuple(card for card in cards if card.id not in overflowing)
        if not kept:
            raise BuilderError(f"no card fits on a {spec.card_size.title} — choose a larger --card-size")
        fitted = dict(pair for result in results for pair in result.steps)
        results = _render(kept, fitted, spec, media_dir, sheets_per_chunk, jobs)
        cards = kept
    document = join_pdf([result.pdf for result in results], f"Backend interview cards ({spec.card_size.title})")
    write_atomically(output, document)
    return SheetsWritten(len(cards), len(pages(len(cards), spec)), overflowing)


def write_calibration(spec: SheetSpec, output: Path) -> None:
    """A front and a back page whose scales show how far the printer shifts duplex backs."""
    if spec.layout == "fold":
        raise BuilderError("the calibration sheet is for duplex printing — pass --layout duplex-long or duplex-short")
    paper = spec.paper_size
    html = environment().get_template("print/calibration.html").render(
        spec=spec, paper=paper, pages=pages(grid(spec).per_sheet, spec), centre=(paper.width / 2, paper.height / 2)
    )
    # The sheet loads nothing at all: no media folder.
    document = HTML(string=html, url_fetcher=MediaFetcher(None)).render(stylesheets=[_stylesheet(spec)])
    write_atomically(output, join_pdf([document.write_pdf()], "Duplex calibration sheet"))


def join_pdf(parts: list[bytes], title: str) -> bytes:
    """Concatenate the chunks' pages in order, with fixed metadata and no random file id."""
    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    writer.add_metadata(
        {
            "/Title": title,
            "/Creator": "backend-cards",
            "/Producer": f"WeasyPrint {weasyprint_version}, pypdf",
            "/CreationDate": PDF_DATE,
            "/ModDate": PDF_DATE,
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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


def render_chunk(chunk: Chunk) -> ChunkResult:
    """Lay out a chunk, stepping overflowing sides down until they fit or reach the floor."""
    steps = [list(step) for step in chunk.steps]
    while True:
        document = _layout(chunk, steps)
        overflowing = overflowing_sides(document)
        last = len(font_steps(chunk.spec)) - 1
        to_shrink = [(index, side) for index, side in overflowing if steps[index][SIDES.index(side)] < last]
        if not to_shrink:
            break
        for index, side in to_shrink:
            steps[index][SIDES.index(side)] += 1
    return ChunkResult(
        pdf=document.write_pdf(),
        steps=tuple((card.id, (front, back)) for card, (front, back) in zip(chunk.cards, steps)),
        overflowing=tuple(chunk.cards[index].id for index in sorted({index for index, _ in overflowing})),
    )


def overflowing_sides(document) -> set[tuple[int, Side]]:
    """(card index, side) of every side with a box ending outside the side's content box."""
    found: set[tuple[int, Side]] = set()
    for page in document.pages:
        for side in _side_boxes(page._page_box):
            bottom = side.content_box_y() + side.height + TOLERANCE_PX
            right = side.content_box_x() + side.width + TOLERANCE_PX
            if any(
                box.border_box_y() + box.border_height() > bottom or box.border_box_x() + box.border_width() > right
                for box in _descendants(side)
            ):
                found.add((int(side.element.get("data-card")), side.element.get("data-side")))
    return found


def _render(
    cards: tuple[PrintCard, ...],
    steps: dict[str, tuple[int, int]],
    spec: SheetSpec,
    media_dir: Path,
    sheets_per_chunk: int,
    jobs: int | None,
) -> list[ChunkResult]:
    """Chunks of whole sheets, laid out in parallel; results come back in card order."""
    size = grid(spec).per_sheet * sheets_per_chunk
    chunks = [
        Chunk(part, tuple(steps.get(card.id, (0, 0)) for card in part), spec, media_dir)
        for part in (cards[i : i + size] for i in range(0, len(cards), size))
    ]
    workers = min(jobs or os.cpu_count() or 1, len(chunks))
    with click.progressbar(length=len(cards), label="Laying out card sheets", file=sys.stderr) as progress:
        if workers == 1:
            results = []
            for chunk in chunks:
                results.append(render_chunk(chunk))
                progress.update(len(chunk.cards))
            return results
        with ProcessPoolExecutor(workers) as pool:
            futures = {pool.submit(render_chunk, chunk): chunk for chunk in chunks}
            for future in as_completed(futures):
                progress.update(len(futures[future].cards))
            return [future.result() for future in futures]


def _layout(chunk: Chunk, steps: list[list[int]]):
    spec = chunk.spec
    base, sizes = spec.card_size.font_pt, font_steps(spec)
    html = environment().get_template("print/sheet.html").render(
        title="Backend interview cards",
        cards=chunk.cards,
        pages=pages(len(chunk.cards), spec),
        grid=grid(spec),
        font_sizes=[{side: round(base * sizes[step], 3) for side, step in zip(SIDES, pair)} for pair in steps],
    )
    # Relative image paths in card HTML are bare media file names.
    base_url = chunk.media_dir.resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=MediaFetcher(chunk.media_dir)).render(stylesheets=[_stylesheet(spec)])


@cache
def _stylesheet(spec: SheetSpec) -> CSS:
    css = environment().get_template("print/sheet.css.j2").render(
        paper=spec.paper_size,
        padding=PADDING_MM,
        mark=MARK_MM,
        body=_front_body(spec),
        highlight=HtmlFormatter(style="bw").get_style_defs(".highlight"),
    )
    return CSS(string=css)


def _front_body(spec: SheetSpec) -> Size:
    """The box a front's question is centred in: the card inside its padding, below the label."""
    card = spec.card_size.size
    return Size(card.width - 2 * PADDING_MM, card.height - 2 * PADDING_MM - LABEL_MM)


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


def font_steps(spec: SheetSpec) -> tuple[float, ...]:
    """The shares of the card size's font a side may be set at, largest first: FONT_STEPS down
    to the floor where the smallest text is MIN_TEXT_PT."""
    floor = MIN_TEXT_PT / (spec.card_size.font_pt * SMALLEST_EM)
    return (*(step for step in FONT_STEPS if step > floor), floor) if floor < 1 else (1.0,)


def _floor_pt(spec: SheetSpec) -> float:
    return round(spec.card_size.font_pt * font_steps(spec)[-1], 1)
