"""Sheet geometry: paper and card sizes → which card side goes where on which page, in mm.

Pure arithmetic, no HTML: the PDF emitter turns these positions into CSS. Cells abut (one cut
serves two cards) and the grid sits centred inside a printer margin, so a duplex back lands
behind its front whichever edge the printer flips on. A card whose outline fits more often
turned by 90° is laid out turned; its text still reads along the card's long side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import click

Side = Literal["front", "back"]

#: Printers cannot print up to the paper's edge; nothing is placed in this band.
MARGIN_MM = 5.0
LAYOUTS = ("duplex-long", "duplex-short", "fold")


@dataclass(frozen=True)
class Size:
    width: float
    height: float

    def turned(self) -> Size:
        return Size(self.height, self.width)


@dataclass(frozen=True)
class CardSize:
    title: str
    size: Size
    #: The body text size before any overflow step-down.
    font_pt: float


PAPERS = {"a4": Size(210.0, 297.0), "letter": Size(215.9, 279.4)}
CARD_SIZES = {
    "index": CardSize("3×5 in index card", Size(127.0, 76.2), 10.0),
    "a7": CardSize("A7 card", Size(105.0, 74.0), 9.0),
    "business": CardSize("85×55 mm business card", Size(85.0, 55.0), 8.0),
}


@dataclass(frozen=True)
class SheetSpec:
    """What the user chose: paper, card size, layout and the duplex back offset (mm)."""

    paper: str = "a4"
    card: str = "index"
    layout: str = "duplex-long"
    back_offset: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.layout == "fold" and self.back_offset != (0.0, 0.0):
            raise click.UsageError("--back-offset applies to duplex layouts only — the fold layout prints on one side", click.get_current_context(silent=True))

    @property
    def paper_size(self) -> Size:
        return PAPERS[self.paper]

    @property
    def card_size(self) -> CardSize:
        return CARD_SIZES[self.card]


@dataclass(frozen=True)
class Grid:
    """The front cells of one sheet; `left`/`top` is the grid's top-left corner on the page."""

    cols: int
    rows: int
    cell: Size
    turned: bool
    left: float
    top: float

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    def origin(self, col: int, row: int) -> tuple[float, float]:
        return self.left + col * self.cell.width, self.top + row * self.cell.height


@dataclass(frozen=True)
class Slot:
    """One card side on a page: `index` counts cards from the first of the document, `x`/`y`
    is the top-left of its cell, `turn` the clockwise rotation of the card's text (degrees)."""

    index: int
    side: Side
    col: int
    row: int
    x: float
    y: float
    cell: Size
    turn: int


@dataclass(frozen=True)
class Page:
    """A printed page: duplex layouts alternate front and back pages; fold pages hold both."""

    kind: Literal["front", "back", "fold"]
    slots: tuple[Slot, ...]


def grid(spec: SheetSpec) -> Grid:
    """As many cells as fit inside the margin, the card turned if that fits more."""
    paper = spec.paper_size
    # The fold layout fills the left half; the fold line itself needs no margin.
    area = Size(paper.width / 2 - MARGIN_MM, paper.height - 2 * MARGIN_MM) if spec.layout == "fold" else Size(
        paper.width - 2 * MARGIN_MM, paper.height - 2 * MARGIN_MM
    )
    card = spec.card_size.size
    options = [(_fit(area, cell), cell, cell != card) for cell in (card, card.turned())]
    (cols, rows), cell, turned = max(options, key=lambda option: option[0][0] * option[0][1])
    top = (paper.height - rows * cell.height) / 2
    left = paper.width / 2 - cols * cell.width if spec.layout == "fold" else (paper.width - cols * cell.width) / 2
    return Grid(cols, rows, cell, turned, left, top)


def pages(count: int, spec: SheetSpec) -> tuple[Page, ...]:
    """The pages for `count` cards, filled row by row; the last sheet may be partly empty."""
    layout = grid(spec)
    cells = [(col, row) for row in range(layout.rows) for col in range(layout.cols)]
    result: list[Page] = []
    for first in range(0, count, layout.per_sheet):
        on_sheet = list(zip(range(first, min(count, first + layout.per_sheet)), cells))
        fronts = tuple(_front(layout, index, col, row) for index, (col, row) in on_sheet)
        backs = tuple(_back(layout, spec, front) for front in fronts)
        result.extend([Page("fold", fronts + backs)] if spec.layout == "fold" else [Page("front", fronts), Page("back", backs)])
    return tuple(result)


def mirrored_cell(col: int, row: int, layout: Grid, flip: str) -> tuple[int, int]:
    """Where a back goes so that it lands behind its front once the sheet is turned over."""
    if flip == "duplex-short":
        return col, layout.rows - 1 - row
    return layout.cols - 1 - col, row


def back_turn(front_turn: int, flip: str) -> int:
    """The back reads upright when the cut card is turned over sideways, like a book page.

    Turning the sheet over mirrors directions across the flip edge; a short-edge flip also
    turns them upside down, so the back text is turned to compensate."""
    return ((180 if flip == "duplex-short" else 0) - front_turn) % 360


def _fit(area: Size, cell: Size) -> tuple[int, int]:
    return int(area.width // cell.width), int(area.height // cell.height)


def _front(layout: Grid, index: int, col: int, row: int) -> Slot:
    x, y = layout.origin(col, row)
    return Slot(index, "front", col, row, x, y, layout.cell, 90 if layout.turned else 0)


def _back(layout: Grid, spec: SheetSpec, front: Slot) -> Slot:
    turn = back_turn(front.turn, spec.layout)
    if spec.layout == "fold":
        # Folding along the page's centre line puts the right half behind the left half.
        x = spec.paper_size.width - front.x - layout.cell.width
        return Slot(front.index, "back", layout.cols * 2 - 1 - front.col, front.row, x, front.y, layout.cell, turn)
    col, row = mirrored_cell(front.col, front.row, layout, spec.layout)
    x, y = layout.origin(col, row)
    dx, dy = spec.back_offset
    return Slot(front.index, "back", col, row, x + dx, y + dy, layout.cell, turn)


def fold_advice(spec: SheetSpec) -> str:
    """How many cards a fold sheet holds, and the card size that holds twice as many, if any."""
    count = grid(spec).per_sheet
    advice = f"fold layout: {count} cards per sheet ({spec.card_size.title}, front and back side by side)"
    business = grid(replace(spec, card="business")).per_sheet
    if spec.card != "business" and business >= 2 * count:
        advice += f"; --card-size business fits {business}"
    return advice
