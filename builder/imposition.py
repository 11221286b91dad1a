"""Impose: laid-out card sides → print sheets, each side drawn in its slot over the sheet's frame.

A sheet's page draws a frame (its cut marks and fold line, laid out by WeasyPrint once per sheet
geometry) and then each card side, from the page card_pages.py laid it out on, as a form
XObject: the side's own content, moved to its cell and turned. Nothing is parsed or laid out
again, so a whole-deck PDF takes a few seconds, and the side's links move with it. Everything
is written in a fixed order with fixed dates, so the same pages give the same bytes.
"""

from __future__ import annotations

import io
from importlib.metadata import version
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NameObject, StreamObject

from .card_pages import CardPage
from .sheets import SheetSpec, Size, Slot, grid, pages

#: PDF points per millimetre.
MM = 72 / 25.4
#: Fixed, so that the same sources and options give the same bytes.
PDF_DATE = "D:20260101000000Z"


def impose(cards: tuple[CardPage, ...], spec: SheetSpec, frames: Path, title: str) -> bytes:
    """The sheets for `cards` in order. `frames` holds the frame pages of a full sheet, then
    those of a last, partly filled one (when the cards do not fill every sheet)."""
    writer = PdfWriter()
    readers: dict[Path, PdfReader] = {}
    frame_pages = PdfReader(frames).pages
    frame_forms = [_form(writer, page, tuple(float(v) for v in page.mediabox)) for page in frame_pages]
    per_sheet, sheet_pages = grid(spec).per_sheet, 1 if spec.layout == "fold" else 2
    paper, card = spec.paper_size, spec.card_size.size
    for number, page in enumerate(pages(len(cards), spec)):
        partly_filled = len(cards) - number // sheet_pages * per_sheet < per_sheet
        sheet = writer.add_blank_page(paper.width * MM, paper.height * MM)
        resources = {"/Frame": frame_forms[(sheet_pages if partly_filled else 0) + number % sheet_pages]}
        drawing = ["/Frame Do"]
        for slot in page.slots:
            laid_out = cards[slot.index]
            if laid_out.path not in readers:
                readers[laid_out.path] = PdfReader(laid_out.path)
            side = readers[laid_out.path].pages[laid_out.front + (slot.side == "back")]
            name = f"/{slot.side[0]}{slot.index}"
            box = _card_box(side, card)
            resources[name] = _form(writer, side, box)
            placement = _placement(slot, box, paper)
            drawing.append(f"q {' '.join(_number(v) for v in placement.ctm)} cm {name} Do Q")
            for link in side.get("/Annots", ()):
                writer.add_annotation(sheet, _moved(link.get_object().clone(writer), placement))
        sheet[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject(k): v for k, v in resources.items()})}
        )
        content = StreamObject()
        content.set_data("\n".join(drawing).encode("ascii"))
        sheet.replace_contents(content.flate_encode())
    return _written(writer, title)


def copied(pdf: bytes, title: str) -> bytes:
    """The pages of `pdf`, with the fixed document information of every output."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    return _written(writer, title)


def _form(writer: PdfWriter, page: PageObject, box: tuple[float, float, float, float]) -> IndirectObject:
    """The part of the page inside `box` (left, bottom, right, top in pt) as a form XObject in
    `writer`, in the page's own coordinates."""
    form = page.raw_get("/Contents").clone(writer)
    form.get_object().update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(_number(v)) for v in box),
            NameObject("/Resources"): page.raw_get("/Resources").clone(writer),
        }
    )
    return form


def _card_box(page: PageObject, card: Size) -> tuple[float, float, float, float]:
    """Where the card is on the page its side was laid out on: at the top (card_pages.side_page)."""
    top = float(page.mediabox.top)
    return 0.0, top - card.height * MM, card.width * MM, top


def _placement(slot: Slot, box: tuple[float, float, float, float], paper: Size) -> Transformation:
    """The card's box centred on the slot's cell and turned clockwise by the slot's turn."""
    left, bottom, right, top = box
    centre_x = (slot.x + slot.cell.width / 2) * MM
    centre_y = (paper.height - slot.y - slot.cell.height / 2) * MM
    return Transformation().translate(-(left + right) / 2, -(bottom + top) / 2).rotate(-slot.turn).translate(centre_x, centre_y)


def _moved(annotation: DictionaryObject, placement: Transformation) -> DictionaryObject:
    """A link's rectangle where the placed side puts it (turns are quarter turns: still a rectangle)."""
    left, bottom, right, top = (float(v) for v in annotation["/Rect"])
    corners = [placement.apply_on((x, y)) for x in (left, right) for y in (bottom, top)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    annotation[NameObject("/Rect")] = ArrayObject(FloatObject(_number(v)) for v in (min(xs), min(ys), max(xs), max(ys)))
    return annotation


def _number(value: float) -> str:
    """Rounded to 1/10,000 pt, so that a quarter turn's cosine is 0, not 6e-17."""
    return repr(round(value, 4) + 0.0)


def _written(writer: PdfWriter, title: str) -> bytes:
    writer.add_metadata(
        {
            "/Title": title,
            "/Creator": "backend-cards",
            "/Producer": f"WeasyPrint {version('weasyprint')}, pypdf",
            "/CreationDate": PDF_DATE,
            "/ModDate": PDF_DATE,
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

