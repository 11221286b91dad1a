"""PDF card sheets, read back as a printer and a person with scissors would see them."""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import socket
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from builder import card_pages, pdf, pdf_cache, typeset
from builder.cards import Card
from builder.render import render_card
from builder.sheets import CARD_SIZES, LAYOUTS, PAPERS, SheetSpec, back_turn, grid, mirrored_cell, pages

from .conftest import run

MM = 72 / 25.4
PAGE_SIZES = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
LABEL = re.compile(r"([a-z0-9-]+) · ")


def add_cards(cards: Path, count: int, answer: str = "A short answer.") -> list[str]:
    """`count` more cards in the fixture deck, with ids card-01, card-02…"""
    ids = [f"card-{n:02d}" for n in range(1, count + 1)]
    body = "".join(f"## Which fact does test card {card_id} ask for?\n<!-- id: {card_id} -->\n\n{answer}\n\n" for card_id in ids)
    (cards / "apis" / "many.md").write_text(f"---\nsection: apis\ntopic: status-codes\nlevel: junior\n---\n\n{body}")
    return ids


def build_pdf(cards: Path, output: Path, *options: str) -> Path:
    result = run("pdf", "--cards", cards, "-o", output, *options)
    assert result.exit_code == 0, result.output
    return output


def text_runs(page) -> list[tuple[str, tuple[float, float]]]:
    """Runs of text with the position (pt from the top left) of their first letter, whatever
    way the text is turned: letters are chained along their own writing direction."""
    lines: dict[tuple, list[tuple[float, dict]]] = defaultdict(list)
    for char in page.chars:
        a, b, _, _, e, f = char["matrix"]
        dx, dy = a / math.hypot(a, b), b / math.hypot(a, b)
        lines[(round(dx), round(dy), round(f * dx - e * dy, 1))].append((e * dx + f * dy, char))
    runs: list[list[tuple[float, dict]]] = []
    for line in lines.values():
        line.sort(key=lambda item: item[0])
        runs.append([line[0]])
        for previous, item in zip(line, line[1:]):
            # A jump of more than a letter and a space along the line starts another card's text.
            (runs[-1].append(item) if item[0] - previous[0] < max(12, 1.5 * font_size(previous[1])) else runs.append([item]))
    return [("".join(char["text"] for _, char in run), (run[0][1]["x0"], run[0][1]["top"])) for run in runs]


def font_size(char: dict) -> float:
    """pdfplumber gives the font size as `size` for upright letters and as `width` for turned ones."""
    return char["size"] if char["upright"] else char["width"]


def labels(page) -> dict[str, tuple[float, float]]:
    """Card id → position of its label's first letter."""
    return {match.group(1): point for text, point in text_runs(page) if (match := LABEL.match(text))}


def page_text(page) -> str:
    return " ".join(text for text, _ in text_runs(page))


def cell(point: tuple[float, float], spec: SheetSpec, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[int, int]:
    layout = grid(spec)
    x, y = point[0] / MM - offset[0], point[1] / MM - offset[1]
    return int((x - layout.left) // layout.cell.width), int((y - layout.top) // layout.cell.height)


def sheets(path: Path) -> list[dict[str, tuple[float, float]]]:
    with pdfplumber.open(path) as document:
        return [labels(page) for page in document.pages]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "card", "expected"), [("a4", "index", 4), ("letter", "index", 4), ("a4", "business", 10), ("letter", "business", 9), ("a4", "a7", 4)])
def test_as_many_cards_as_fit_inside_the_margin(paper: str, card: str, expected: int) -> None:
    layout = grid(SheetSpec(paper, card))
    assert layout.per_sheet == expected
    width = layout.cols * layout.cell.width
    height = layout.rows * layout.cell.height
    assert layout.left >= 5 and layout.top >= 5
    assert layout.left + width <= PAPERS[paper].width - 5 and layout.top + height <= PAPERS[paper].height - 5


def test_backs_turn_so_that_a_cut_card_turns_over_like_a_book_page() -> None:
    assert [back_turn(0, "duplex-long"), back_turn(90, "duplex-long")] == [0, 270]
    assert [back_turn(0, "duplex-short"), back_turn(90, "duplex-short")] == [180, 90]
    layout = grid(SheetSpec("a4", "business"))
    assert mirrored_cell(0, 1, layout, "duplex-long") == (1, 1)
    assert mirrored_cell(0, 1, layout, "duplex-short") == (0, 3)


# The PDF, read back ----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", list(PAPERS))
def test_page_boxes_are_exactly_the_paper(minimal: Path, tmp_path: Path, paper: str) -> None:
    output = build_pdf(minimal, tmp_path / "cards.pdf", "--paper", paper)
    boxes = {tuple(round(float(v), 2) for v in page.mediabox) for page in PdfReader(output).pages}
    assert boxes == {(0.0, 0.0, *PAGE_SIZES[paper])}


@pytest.mark.parametrize("layout", ["duplex-long", "duplex-short"])
@pytest.mark.parametrize("card", ["index", "business"])
def test_each_back_sits_behind_its_front(minimal: Path, tmp_path: Path, layout: str, card: str) -> None:
    ids = add_cards(minimal, 13)  # 13 is no multiple of 4 or 10: the last sheet is partly filled
    spec = SheetSpec("a4", card, layout)
    found = sheets(build_pdf(minimal, tmp_path / "cards.pdf", "--layout", layout, "--card-size", card))
    assert len(found) == 2 * math.ceil((len(ids) + 6) / grid(spec).per_sheet)
    for front, back in zip(found[::2], found[1::2]):
        assert set(front) == set(back)
        for card_id, point in front.items():
            assert cell(back[card_id], spec) == mirrored_cell(*cell(point, spec), grid(spec), layout), card_id
    on_fronts = [card_id for front in found[::2] for card_id in front]
    assert sorted(on_fronts) == sorted(set(on_fronts)) and set(ids) <= set(on_fronts)


def test_every_card_appears_once_in_the_same_order_whatever_the_chunking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cards = tuple(card_pages.PrintCard(f"card-{n:02d}", f"card-{n:02d} · Section · junior", f"Question {n}?", f"Answer {n}.") for n in range(11))
    spec = SheetSpec("a4", "index")
    whole = pdf.write_sheets(cards, spec, tmp_path, tmp_path / "whole", tmp_path / "whole.pdf", skip_overflow=False)
    monkeypatch.setattr(card_pages, "CARDS_PER_CHUNK", 3)
    chunked = pdf.write_sheets(cards, spec, tmp_path, tmp_path / "chunked", tmp_path / "chunked.pdf", skip_overflow=False, jobs=2)
    assert (whole.pages, chunked.pages) == (6, 6)
    order = [[card_id for card_id, _ in sorted(page.items(), key=lambda item: item[0])] for page in sheets(tmp_path / "whole.pdf")]
    assert order == [[card_id for card_id, _ in sorted(page.items(), key=lambda item: item[0])] for page in sheets(tmp_path / "chunked.pdf")]
    assert sorted(card_id for page in order[::2] for card_id in page) == [card.id for card in cards]


def test_fold_layout_puts_each_back_beside_its_front(minimal: Path, tmp_path: Path) -> None:
    spec = SheetSpec("a4", "business", "fold")
    found = sheets(build_pdf(minimal, tmp_path / "fold.pdf", "--layout", "fold", "--card-size", "business"))
    assert len(found) == 2  # 6 cards, 5 per folded sheet; every page holds fronts and backs
    with pdfplumber.open(tmp_path / "fold.pdf") as document:
        for page in document.pages:
            fronts = [c for c in page.chars if c["x0"] < PAPERS["a4"].width / 2 * MM]
            backs = [c for c in page.chars if c["x0"] > PAPERS["a4"].width / 2 * MM]
            assert fronts and backs
    layout = grid(spec)
    for page in pages(6, spec):
        for slot in page.slots:
            front = next(s for s in page.slots if s.index == slot.index and s.side == "front")
            assert slot.side == "front" or (slot.x + slot.cell.width / 2 - PAPERS["a4"].width / 2) == pytest.approx(PAPERS["a4"].width / 2 - front.x - front.cell.width / 2)
    assert layout.left + layout.cols * layout.cell.width == pytest.approx(PAPERS["a4"].width / 2)


def test_back_offset_moves_back_pages_only_by_exactly_the_offset(minimal: Path, tmp_path: Path) -> None:
    plain = sheets(build_pdf(minimal, tmp_path / "plain.pdf"))
    shifted = sheets(build_pdf(minimal, tmp_path / "shifted.pdf", "--back-offset", "2,-1.5"))
    for number, (before, after) in enumerate(zip(plain, shifted)):
        dx, dy = (2 * MM, -1.5 * MM) if number % 2 else (0.0, 0.0)
        assert before.keys() == after.keys()
        for card_id, (x, y) in before.items():
            assert after[card_id] == (pytest.approx(x + dx, abs=0.01), pytest.approx(y + dy, abs=0.01))


def test_cloze_card_shows_the_blank_in_front_and_the_text_behind(minimal: Path, tmp_path: Path) -> None:
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf", "--level", "senior")) as document:
        front, back = (page_text(page) for page in document.pages)
    assert "[…]" in front and "snapshot" not in front
    assert "snapshot isolation" in back


def test_same_sources_and_options_give_identical_bytes(minimal: Path, tmp_path: Path) -> None:
    add_cards(minimal, 30)
    first = build_pdf(minimal, tmp_path / "a.pdf", "--card-size", "business")
    second = build_pdf(minimal, tmp_path / "b.pdf", "--card-size", "business")
    assert sha256(first) == sha256(second)


def test_a_link_moves_with_its_card_side(minimal: Path, tmp_path: Path) -> None:
    add_cards(minimal, 1, answer="Read [the RFC](https://www.rfc-editor.org/rfc/rfc9110) first.")
    spec = SheetSpec()
    output = build_pdf(minimal, tmp_path / "cards.pdf", "--section", "apis")
    back = PdfReader(output).pages[1]
    [link] = [annotation.get_object() for annotation in back["/Annots"]]
    assert link["/A"]["/URI"] == "https://www.rfc-editor.org/rfc/rfc9110"
    left, bottom, right, top = (float(v) for v in link["/Rect"])
    with pdfplumber.open(output) as document:
        height = document.pages[1].height
        label = labels(document.pages[1])["card-01"]
        words = [c for c in document.pages[1].chars if left <= c["x0"] and c["x1"] <= right and bottom <= height - c["bottom"] and height - c["top"] <= top]
    assert "".join(c["text"] for c in words).replace(" ", "") == "theRFC"
    assert cell((left, height - top), spec) == cell(label, spec)


# The cache of laid-out cards --------------------------------------------------------------------


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """For each build, the ids of the cards it had to lay out (the cache had not)."""
    builds: list[set[str]] = []
    original = card_pages._lay_out_missing

    def recording(missing, jobs):
        builds.append({card.id for _, chunk in missing for card in chunk.cards})
        return original(missing, jobs)

    monkeypatch.setattr(card_pages, "_lay_out_missing", recording)
    return builds


def test_a_warm_build_gives_the_bytes_of_a_cold_one(minimal: Path, tmp_path: Path, laid_out: list[set[str]]) -> None:
    ids = add_cards(minimal, 9)
    cold = build_pdf(minimal, tmp_path / "cold.pdf")
    warm = build_pdf(minimal, tmp_path / "warm.pdf")
    shutil.rmtree(minimal.parent / ".cache")
    again = build_pdf(minimal, tmp_path / "again.pdf")
    assert [len(cards) for cards in laid_out] == [len(ids) + 6, 0, len(ids) + 6]  # the fixture deck has 6 cards
    assert sha256(cold) == sha256(warm) == sha256(again)


def test_other_papers_layouts_and_levels_reuse_the_laid_out_cards(minimal: Path, tmp_path: Path, laid_out: list[set[str]]) -> None:
    build_pdf(minimal, tmp_path / "a4.pdf")
    build_pdf(minimal, tmp_path / "letter.pdf", "--paper", "letter", "--layout", "duplex-short", "--back-offset", "1,1")
    build_pdf(minimal, tmp_path / "fold.pdf", "--layout", "fold", "--up-to", "mid")
    build_pdf(minimal, tmp_path / "business.pdf", "--card-size", "business")
    assert [len(cards) for cards in laid_out] == [6, 0, 0, 6]


def test_an_edited_card_or_picture_lays_out_that_card_again(minimal: Path, tmp_path: Path, laid_out: list[set[str]]) -> None:
    build_pdf(minimal, tmp_path / "before.pdf")
    status = minimal / "apis" / "status.md"
    status.write_text(status.read_text().replace("re-authenticating will not help", "authenticating again will not help"))
    picture = minimal / "media" / "tree.png"
    picture.write_bytes(picture.read_bytes() + b"\0")
    edited = build_pdf(minimal, tmp_path / "edited.pdf")
    # Each card of the fixture deck is alone in its section and level, so alone in its chunk.
    assert laid_out[1] == {"status-403", "bplus-leaves"}
    with pdfplumber.open(edited) as document:
        assert "authenticating again" in " ".join(page_text(page) for page in document.pages)



def test_the_layouts_of_edited_cards_do_not_pile_up(minimal: Path, tmp_path: Path, laid_out: list[set[str]]) -> None:
    status = minimal / "apis" / "status.md"
    text = status.read_text()

    def build_edited(edit: int) -> None:
        status.write_text(text.replace("re-authenticating will not help", f"re-authenticating will not help ({edit})"))
        build_pdf(minimal, tmp_path / "cards.pdf")

    def layouts() -> list[Path]:
        return sorted((minimal.parent / ".cache" / "card-pages").rglob("*.pdf"))

    build_edited(0)
    first = layouts()
    for edit in range(1, 4):
        build_edited(edit)
    # Each edit lays out the edited card's chunk again; the one before stays, for a step back.
    assert laid_out[1:] == [{"status-403"}] * 3
    assert len(layouts()) == len(first) + pdf_cache.LAYOUTS_PER_SLOT - 1
    build_edited(2)
    assert laid_out[-1] == set()


# Overflow --------------------------------------------------------------------------------------

LONG = " ".join(["Every word of this answer takes room on a small card."] * 40)


def test_card_too_long_even_at_the_floor_fails_the_build_with_its_id(minimal: Path, tmp_path: Path) -> None:
    add_cards(minimal, 1, answer=LONG)
    result = run("pdf", "--cards", minimal, "-o", tmp_path / "cards.pdf")
    assert result.exit_code == 1
    assert "1 card(s) do not fit on a 3×5 in index card even at the smallest print size (7.2 pt, code 6.5 pt): card-01 — " in result.output
    assert not (tmp_path / "cards.pdf").exists()


def test_skip_overflow_lists_and_leaves_out_the_long_card(minimal: Path, tmp_path: Path) -> None:
    add_cards(minimal, 1, answer=LONG)
    result = run("pdf", "--cards", minimal, "-o", tmp_path / "cards.pdf", "--skip-overflow")
    assert result.exit_code == 0, result.output
    assert "skipped 'card-01'" in result.output
    found = sheets(tmp_path / "cards.pdf")
    assert "card-01" not in {card_id for page in found for card_id in page}
    assert len({card_id for page in found for card_id in page}) == 6


def test_a_side_that_overflows_is_set_smaller_instead_of_clipped(minimal: Path, tmp_path: Path) -> None:
    answer = " ".join(["A longer answer that needs a smaller size."] * 14)
    add_cards(minimal, 1, answer=answer)
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf", "--section", "apis")) as document:
        back = document.pages[1]
        text = re.sub(r"\s+", "", page_text(back))
    assert re.sub(r"\s+", "", answer) in text  # all of it, not clipped
    sizes = {round(math.hypot(*c["matrix"][:2]) * 10) / 10 for c in back.chars}
    assert max(sizes) < 10  # the long answer's side stepped down; the others stay at 10 pt or below


def test_every_card_of_the_shipped_deck_fits_at_the_default_settings(shipped: Path, tmp_path: Path) -> None:
    # The fit depends on the card size only: A4 and Letter cells are the same index card.
    result = run("pdf", "--cards", shipped, "-o", tmp_path / "deck.pdf")
    assert result.exit_code == 0, result.output
    # Diagram labels scale with their picture: they too must stay at the minimum print size.
    with pdfplumber.open(tmp_path / "deck.pdf") as document:
        smallest = min(font_size(char) for page in document.pages for char in page.chars)
    assert smallest >= card_pages.MIN_TEXT_PT - 0.01


# Untrusted HTML --------------------------------------------------------------------------------

HOSTILE = (
    '<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
    '<a rel="attachment" href="file:///etc/passwd">passwd</a>'
    '<link rel="attachment" href="file:///etc/passwd"><a rel="attachment" href="https://example.com/a.txt">remote</a>'
)


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL WeasyPrint asks the fetcher for, allowed or not."""
    asked: list[str] = []
    original = typeset.MediaFetcher.fetch

    def recording(self, url: str, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(typeset.MediaFetcher, "fetch", recording)
    return asked


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Addresses anything tried to connect to; none should be."""
    tried: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: tried.append(address))
    return tried


def assert_nothing_embedded(output: Path) -> None:
    data = output.read_bytes()
    assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data
    assert b"root:x:0:0" not in data


def test_hostile_html_is_refused_by_the_fetcher(minimal: Path, tmp_path: Path, fetched: list[str], no_network: list[object]) -> None:
    # HTML that skipped the sanitiser: the fetcher is the second wall.
    card = card_pages.PrintCard("hostile", "hostile · Section · junior", f"<p>Question {HOSTILE}</p>", f"<p>Answer {HOSTILE}</p>")
    pdf.write_sheets((card,), SheetSpec(), minimal / "media", tmp_path / "cache", tmp_path / "hostile.pdf", skip_overflow=False, jobs=1)
    assert_nothing_embedded(tmp_path / "hostile.pdf")
    assert {"file:///etc/passwd", "http://example.com/x.png"} <= set(fetched)  # asked, and refused
    assert no_network == []


def test_hostile_markdown_never_reaches_the_fetcher(minimal: Path, tmp_path: Path, fetched: list[str], no_network: list[object]) -> None:
    # Built straight from a Card: validation would reject the missing images before rendering.
    markdown = f"Answer\n\n{HOSTILE}\n\n![x](file:///etc/passwd) ![y](http://example.com/y.png)"
    card = Card("hostile", "basic", "Question?", markdown, "apis", "status-codes", "junior", (), "", minimal / "apis" / "x.md", 1)
    rendered = render_card(card, minimal / "media")
    printed = card_pages.PrintCard(card.id, "hostile · APIs · junior", rendered.front_html, rendered.back_html)
    pdf.write_sheets((printed,), SheetSpec(), minimal / "media", tmp_path / "cache", tmp_path / "hostile.pdf", skip_overflow=False, jobs=1)
    assert_nothing_embedded(tmp_path / "hostile.pdf")
    assert fetched == [] and no_network == []


def test_media_images_are_the_only_files_loaded(minimal: Path, tmp_path: Path, fetched: list[str]) -> None:
    output = build_pdf(minimal, tmp_path / "cards.pdf", "--level", "staff")
    assert fetched == [(minimal / "media" / "tree.png").resolve().as_uri()]
    assert b"/Subtype /Image" in output.read_bytes()


def test_an_image_in_a_media_subfolder_is_printed(minimal: Path, tmp_path: Path, fetched: list[str]) -> None:
    (minimal / "media" / "trees").mkdir()
    (minimal / "media" / "tree.png").rename(minimal / "media" / "trees" / "tree.png")
    indexes = minimal / "databases" / "indexes.md"
    indexes.write_text(indexes.read_text().replace("../media/tree.png", "../media/trees/tree.png"))
    output = build_pdf(minimal, tmp_path / "cards.pdf", "--level", "staff")
    assert fetched == [(minimal / "media" / "trees" / "tree.png").resolve().as_uri()]
    assert b"/Subtype /Image" in output.read_bytes()


# Command line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--back-offset", "2"], "expected X,Y in millimetres such as 1.5,-0.5, but received '2'"),
        (["--back-offset", "30,0"], "expected at most 10 mm each way"),
        (["--layout", "fold", "--back-offset", "1,1"], "--back-offset applies to duplex layouts only"),
        (["--section", "frontend"], "unknown section 'frontend'"),
    ],
)
def test_bad_options_give_one_line_and_write_nothing(minimal: Path, tmp_path: Path, options: list[str], message: str) -> None:
    result = run("pdf", "--cards", minimal, "-o", tmp_path / "cards.pdf", *options)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "cards.pdf").exists()


def test_default_output_names_the_level_and_paper(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("pdf", "--cards", minimal, "--up-to", "mid", "--paper", "letter")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "backend-interview-up-to-mid-letter.pdf").is_file()


def test_calibration_sheet_scales_include_the_current_offset(tmp_path: Path) -> None:
    result = run("calibrate", "-o", tmp_path / "cal.pdf", "--layout", "duplex-short", "--back-offset", "1.5,-1")
    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "cal.pdf") as document:
        front = page_text(document.pages[0])
        back = {word["text"] for word in document.pages[1].extract_words(x_tolerance=1)}
        assert [page.width for page in document.pages] == [pytest.approx(595.28, abs=0.01)] * 2
    assert "short edge" in front
    assert {"1.5", "-1", "-0.5", "3.5"} <= back
    assert run("calibrate", "-o", tmp_path / "fold.pdf", "--layout", "fold").exit_code == 2


def test_every_option_value_is_offered(minimal: Path) -> None:
    help_text = run("pdf", "--help").output
    for value in [*PAPERS, *CARD_SIZES, *LAYOUTS]:
        assert value in help_text


@pytest.mark.parametrize("card_size", ["index", "business"])
def test_no_printed_text_is_smaller_than_the_minimum(minimal: Path, tmp_path: Path, card_size: str) -> None:
    # Cards long enough to need the smallest size, with code, a reference and a label on each.
    add_cards(minimal, 4, answer=" ".join(["Each word takes room."] * 14) + "\n\n```python\nprint('x')\n```")
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf", "--card-size", card_size, "--skip-overflow")) as document:
        sizes = [font_size(char) for page in document.pages for char in page.chars]
    assert min(sizes) >= card_pages.MIN_TEXT_PT - 0.01


def test_a_short_question_stands_large_on_its_front(minimal: Path, tmp_path: Path) -> None:
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf", "--level", "junior")) as document:
        front = document.pages[0]
        assert max(font_size(char) for char in front.chars) >= 13.99


def test_cut_marks_are_at_least_half_a_point_thick(minimal: Path, tmp_path: Path) -> None:
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf")) as document:
        marks = [rect for rect in document.pages[0].rects if max(rect["width"], rect["height"]) > 2 * MM]
    assert marks
    assert min(min(rect["width"], rect["height"]) for rect in marks) >= 0.49


def test_cut_marks_frame_the_cards_of_each_sheet_and_no_empty_cell(minimal: Path, tmp_path: Path) -> None:
    # The fixture deck's 6 cards fill one sheet of 4 and half of another; a card has two marks at each corner.
    with pdfplumber.open(build_pdf(minimal, tmp_path / "cards.pdf")) as document:
        marks = [[r for r in page.rects if abs(max(r["width"], r["height"]) - pdf.MARK_MM * MM) < 0.1] for page in document.pages]
    assert [len(page) for page in marks] == [4 * 8, 0, 2 * 8, 0]


def test_the_fold_layout_says_what_a_sheet_holds_and_what_holds_more(minimal: Path, tmp_path: Path) -> None:
    result = run("pdf", "--cards", minimal, "--layout", "fold", "-o", tmp_path / "fold.pdf")
    assert result.exit_code == 0, result.output
    assert "fold layout: 2 cards per sheet (3×5 in index card, front and back side by side); --card-size business fits 5" in result.output
