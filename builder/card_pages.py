"""Lay out card sides for print: each side on a page of its own, the size of the card, once.

How a side is set depends on the card and the card size only: not on the paper, the layout,
the back offset or the other cards chosen. So each side is laid out once per card size, and the
sheets of every PDF are composed from these pages (imposition.py).

A side that overflows (typeset.py measures it) is laid out again, alone, at the next smaller of
its card size's `font_steps`; the last one keeps the smallest text of a card (code, references:
SMALLEST_EM of the side's size) at MIN_TEXT_PT. A card that still does not fit is reported, and
its pages are kept for a build that leaves it out. Nothing is clipped: sides never hide overflow.

Cards are laid out in chunks of at most CARDS_PER_CHUNK cards of one group (one section and
level, so that every --level, --up-to and --section selection is made of whole chunks). Each
chunk's PDF, two pages per card (front, back), goes into the cache (pdf_cache.py) under the
digest of the HTML and CSS WeasyPrint gets, the media files the cards show, and the code of this
module and of typeset.py, in the slot of its card size, group and place in the group. Chunks
bound the memory WeasyPrint needs (it keeps every page of a document), and the chunks missing
from the cache are laid out in parallel worker processes.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import click
from pygments.formatters import HtmlFormatter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from . import pdf_cache
from .errors import BuilderError
from .sheets import CARD_SIZES, CardSize, Side, Size
from .templating import environment

#: A side that overflows is set again at the next size, as a share of the card size's font.
FONT_STEPS = (1.0, 0.9, 0.8)
#: No printed text is smaller than this; the smallest text of a card is SMALLEST_EM of its size.
MIN_TEXT_PT = 6.5
SMALLEST_EM = 0.9  # keep in step with templates/print/card.css.j2
SIDES: tuple[Side, ...] = ("front", "back")
#: Inner margin of every side: absorbs inaccurate cutting and duplex misregistration.
PADDING_MM = 4.0
#: Room for a label of up to two lines and its gap above a side's body (6.5 pt text, card.css.j2).
LABEL_MM = 7.5
#: About a second of layout per chunk: small enough for bounded memory and for an edit to lay
#: out little again, large enough that the fonts each chunk embeds do not add up.
CARDS_PER_CHUNK = 64
#: A side's page is this many card heights tall: room below the card to lay out and measure overflow.
PAGE_HEIGHT_IN_CARDS = 3
#: What a chunk's layout depends on besides its HTML and CSS.
CODE = (Path(__file__), Path(__file__).with_name("typeset.py"))
#: The document information entry in which a chunk's PDF lists its cards that do not fit.
OVERFLOWING = "Overflowing"


@dataclass(frozen=True)
class PrintCard:
    """What one printed card shows: the label on both sides, and each side's HTML."""

    id: str
    label: str
    front: str
    back: str
    #: Cards that every selection takes or leaves together (a section and level): laid out together.
    group: str = ""
    #: The media files the card shows: a change to one lays the card out again.
    media: tuple[Path, ...] = ()


@dataclass(frozen=True)
class SidePage:
    """One side to lay out, at one font size."""

    card: PrintCard
    kind: Side
    font_pt: float

    @property
    def html(self) -> str:
        return self.card.front if self.kind == "front" else self.card.back


@dataclass(frozen=True)
class Chunk:
    """One worker's job: some cards of one group, for one card size (a key of CARD_SIZES)."""

    cards: tuple[PrintCard, ...]
    card: str
    media_dir: Path
    #: What the chunk is for, its card size, group and place in the group: a chunk of edited
    #: cards is a new layout of the same slot.
    slot: str


@dataclass(frozen=True)
class CardPage:
    """Where a laid-out card is: its front is page `front` of the PDF at `path`, its back the next."""

    id: str
    path: Path
    front: int


@dataclass(frozen=True)
class LaidOut:
    """Every card's pages, in the order of the cards, and the cards that do not fit even at the floor."""

    pages: tuple[CardPage, ...]
    overflowing: tuple[str, ...]


def lay_out(cards: tuple[PrintCard, ...], card: str, media_dir: Path, cache_dir: Path, jobs: int | None = None) -> LaidOut:
    """The cards' pages on a card size, from the cache, laying out only the chunks it lacks."""
    chunks = {pdf_cache.entry(cache_dir, chunk.slot, _key(chunk)): chunk for chunk in _chunks(cards, card, media_dir)}
    _lay_out_missing([(path, chunk) for path, chunk in chunks.items() if not pdf_cache.chosen(path)], jobs)
    found = {c.id: CardPage(c.id, path, 2 * n) for path, chunk in chunks.items() for n, c in enumerate(chunk.cards)}
    overflowing = {card_id for path in chunks for card_id in _overflowing(path)}
    return LaidOut(tuple(found[c.id] for c in cards), tuple(c.id for c in cards if c.id in overflowing))


def lay_out_chunk(chunk: Chunk) -> bytes:
    """The chunk's PDF: front and back of each card, each side at the largest step it fits."""
    from . import typeset  # WeasyPrint takes a second to import; only a layout needs it.

    css = card_css(chunk.card)
    todo = [(number, kind) for number in range(len(chunk.cards)) for kind in SIDES]
    pages = {}
    documents = []  # kept alive: the PDF draws their pages
    for font_pt in font_sizes(CARD_SIZES[chunk.card]):
        sides = [SidePage(chunk.cards[number], kind, font_pt) for number, kind in todo]
        document = typeset.lay_out(sides_html(sides), css, chunk.media_dir)
        if len(document.pages) != len(sides):
            raise BuilderError(f"WeasyPrint made {len(document.pages)} pages of {len(sides)} card sides — report this with its version")
        documents.append(document)
        pages.update(zip(todo, document.pages))
        spilled = typeset.overflowing(document)
        todo = [side for number, side in enumerate(todo) if number in spilled]
        if not todo:
            break
    in_order = [pages[(number, kind)] for number in range(len(chunk.cards)) for kind in SIDES]
    return _for_imposition(typeset.pdf(documents[0], in_order), dict.fromkeys(chunk.cards[number].id for number, _ in todo))


def sides_html(sides: list[SidePage]) -> str:
    return environment().get_template("print/card-sides.html").render(sides=sides)


def card_css(card: str) -> str:
    size = CARD_SIZES[card].size
    return environment().get_template("print/card.css.j2").render(
        page=side_page(size),
        card=size,
        padding=PADDING_MM,
        body=front_body(CARD_SIZES[card]),
        highlight=HtmlFormatter(style="bw").get_style_defs(".highlight"),
    )


def side_page(card: Size) -> Size:
    """The page a side is laid out on: the card at its top, and room below into which an
    overflow runs on (a page that ended at the card would cut it off unmeasured)."""
    return Size(card.width, card.height * PAGE_HEIGHT_IN_CARDS)


def front_body(card: CardSize) -> Size:
    """The box a front's question is centred in: the card inside its padding, below the label."""
    return Size(card.size.width - 2 * PADDING_MM, card.size.height - 2 * PADDING_MM - LABEL_MM)


def font_steps(card: CardSize) -> tuple[float, ...]:
    """The shares of the card size's font a side may be set at, largest first: FONT_STEPS down
    to the floor where the smallest text is MIN_TEXT_PT."""
    floor = MIN_TEXT_PT / (card.font_pt * SMALLEST_EM)
    return (*(step for step in FONT_STEPS if step > floor), floor) if floor < 1 else (1.0,)


def font_sizes(card: CardSize) -> tuple[float, ...]:
    return tuple(round(card.font_pt * step, 3) for step in font_steps(card))


def floor_pt(card: CardSize) -> float:
    return round(card.font_pt * font_steps(card)[-1], 1)


def _chunks(cards: tuple[PrintCard, ...], card: str, media_dir: Path) -> list[Chunk]:
    """Pieces of at most CARDS_PER_CHUNK cards of one group, each group's in the order of the cards."""
    groups: dict[str, list[PrintCard]] = {}
    for printed in cards:
        groups.setdefault(printed.group, []).append(printed)
    return [
        Chunk(tuple(members[i : i + CARDS_PER_CHUNK]), card, media_dir, "-".join((card, *group.split(), str(i // CARDS_PER_CHUNK))))
        for group, members in groups.items()
        for i in range(0, len(members), CARDS_PER_CHUNK)
    ]


def _key(chunk: Chunk) -> str:
    sizes = font_sizes(CARD_SIZES[chunk.card])
    html = sides_html([SidePage(c, kind, sizes[0]) for c in chunk.cards for kind in SIDES])
    media = (path.read_bytes() for c in chunk.cards for path in c.media)
    return pdf_cache.digest(*(path.read_bytes() for path in CODE), card_css(chunk.card), html, repr(sizes), *media)


def _lay_out_missing(missing: list[tuple[Path, Chunk]], jobs: int | None) -> None:
    """Lay out and store the chunks, in parallel; the largest first, so that workers end together."""
    if not missing:
        return
    missing.sort(key=lambda item: -len(item[1].cards))
    workers = min(jobs or os.cpu_count() or 1, len(missing))
    with click.progressbar(length=sum(len(chunk.cards) for _, chunk in missing), label="Laying out cards", file=sys.stderr) as progress:
        if workers == 1:
            for path, chunk in missing:
                progress.update(_store(path, chunk))
            return
        # Workers start from a small process that has only imported the layout code, not from
        # this one with the whole deck in memory.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, f"{__package__}.typeset"])
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for future in as_completed([pool.submit(_store, path, chunk) for path, chunk in missing]):
                progress.update(future.result())


def _store(path: Path, chunk: Chunk) -> int:
    pdf_cache.store(path, lay_out_chunk(chunk))
    return len(chunk.cards)


def _for_imposition(pdf: bytes, overflowing: Iterable[str]) -> bytes:
    """The chunk's PDF as imposition reads it fastest: plain objects (pypdf reads WeasyPrint's
    compressed object streams ten times slower), one resource dictionary shared by all pages
    (WeasyPrint names each resource once per document, so the pages' dictionaries agree), and
    the cards that do not fit in its document information."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    shared = DictionaryObject()
    for page in writer.pages:
        for category, entries in page["/Resources"].items():
            merged = shared.setdefault(NameObject(category), DictionaryObject())
            for name, value in entries.get_object().items():
                if merged.setdefault(name, value) != value:
                    raise BuilderError(f"WeasyPrint named two resources {category}{name} — report this with your WeasyPrint version")
    resources = writer._add_object(DictionaryObject({k: v for k, v in shared.items() if v}))  # pypdf has no public name for it
    for page in writer.pages:
        page[NameObject("/Resources")] = resources
    writer.add_metadata({f"/{OVERFLOWING}": " ".join(overflowing)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _overflowing(path: Path) -> list[str]:
    return str((PdfReader(path).metadata or {}).get(f"/{OVERFLOWING}", "")).split()
