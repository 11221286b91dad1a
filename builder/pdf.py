"""Emit: rendered cards → print-ready PDF card sheets.

Each card side is laid out once per card size, fitted and cached (card_pages.py); the sheets of
a PDF, for any paper, layout, back offset and selection, are then composed from those pages over
a frame of cut marks (imposition.py). So a build lays out only the cards no earlier build has,
and printing the same cards on Letter after A4, or the senior cards after the whole deck, lays
out nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click

from . import imposition, pdf_cache
from .card_pages import MIN_TEXT_PT, PrintCard, floor_pt, lay_out
from .diagrams import cached_svg
from .errors import BuilderError
from .output import write_atomically
from .render import RenderedCard, card_label, cloze_back, cloze_front
from .sheets import SheetSpec, grid, pages
from .syllabus import Syllabus
from .templating import environment

#: A diagram's picture in a card's HTML, as render.py writes it.
DIAGRAM_IMG = re.compile(r'<img\b[^>]*\bsrc="(diagram-[0-9a-f]{16}\.svg)"[^>]*>')
#: Length of the cut marks that continue a card's edges outward from its corners.
MARK_MM = 3.0


@dataclass(frozen=True)
class SheetsWritten:
    cards: int
    pages: int
    skipped: tuple[str, ...]


def print_card(rendered: RenderedCard, syllabus: Syllabus, media_dir: Path) -> PrintCard:
    """A cloze card shows its blanks on the front and the filled text, then the extra, on the back."""
    card = rendered.card
    front, back = (_media_paths(_inline_diagrams(html), rendered.media, media_dir) for html in (rendered.front_html, rendered.back_html))
    if card.is_cloze:
        front, back = cloze_front(front), cloze_back(front) + back
    if rendered.ref_html:
        back += f'<p class="ref">{rendered.ref_html}</p>'
    return PrintCard(card.id, card_label(card, syllabus), front, back, f"{card.section} {card.level}", rendered.media)


def _media_paths(html: str, media: tuple[Path, ...], media_dir: Path) -> str:
    """Anki names an image by its file name alone; the sheet finds it by its path in the media
    folder, which may have subfolders (render.py refuses two files of one name)."""
    root = media_dir.resolve()
    for path in media:
        if root in path.parents and path.parent != root:
            html = html.replace(f'src="{path.name}"', f'src="{path.relative_to(root).as_posix()}"')
    return html


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
    cards: tuple[PrintCard, ...], spec: SheetSpec, media_dir: Path, cache_dir: Path, output: Path, skip_overflow: bool, jobs: int | None = None
) -> SheetsWritten:
    """Lay out (or find in `cache_dir`), check and write the sheets; fails naming every card
    that does not fit."""
    laid_out = lay_out(cards, spec.card, media_dir, cache_dir, jobs)
    if laid_out.overflowing and not skip_overflow:
        raise BuilderError(
            f"{len(laid_out.overflowing)} card(s) do not fit on a {spec.card_size.title} even at the smallest print size "
            f"({floor_pt(spec.card_size):g} pt, code {MIN_TEXT_PT:g} pt): "
            f"{', '.join(laid_out.overflowing)} — shorten them, choose a larger --card-size, or pass --skip-overflow"
        )
    kept = tuple(page for page in laid_out.pages if page.id not in laid_out.overflowing)
    if not kept:
        raise BuilderError(f"no card fits on a {spec.card_size.title} — choose a larger --card-size")
    title = f"Backend interview cards ({spec.card_size.title})"
    write_atomically(output, imposition.impose(kept, spec, _frames(spec, len(kept), cache_dir), title))
    return SheetsWritten(len(kept), len(pages(len(kept), spec)), laid_out.overflowing)


def write_calibration(spec: SheetSpec, output: Path) -> None:
    """A front and a back page whose scales show how far the printer shifts duplex backs."""
    from . import typeset

    if spec.layout == "fold":
        raise click.UsageError("the calibration sheet is for duplex printing — pass --layout duplex-long or duplex-short", click.get_current_context(silent=True))
    paper = spec.paper_size
    html = environment().get_template("print/calibration.html").render(
        spec=spec, paper=paper, pages=pages(grid(spec).per_sheet, spec), centre=(paper.width / 2, paper.height / 2)
    )
    # The sheet loads nothing at all: no media folder.
    sheet = typeset.pdf(typeset.lay_out(html, _sheet_css(spec)))
    write_atomically(output, imposition.copied(sheet, "Duplex calibration sheet"))


def _frames(spec: SheetSpec, count: int, cache_dir: Path) -> Path:
    """The cut marks and fold lines of a full sheet, then of the last one if `count` cards
    leave it partly filled: what imposition.impose draws the cards over."""
    layout = grid(spec)
    html = environment().get_template("print/sheet.html").render(pages=pages(layout.per_sheet + count % layout.per_sheet, spec), grid=layout)
    css = _sheet_css(spec)

    def lay_out_frames() -> bytes:
        from . import typeset

        return typeset.pdf(typeset.lay_out(html, css))

    slot = "-".join(map(str, ("frames", spec.paper, spec.card, spec.layout, *spec.back_offset, count % layout.per_sheet)))
    return pdf_cache.stored(cache_dir, slot, pdf_cache.digest(html, css), lay_out_frames)


def _sheet_css(spec: SheetSpec) -> str:
    return environment().get_template("print/sheet.css.j2").render(page=spec.paper_size, mark=MARK_MM)
