"""Every card of the shipped deck, as Anki renders it, read in a real browser: on a 390 px phone
and a 1000 px desktop, in light and night mode, nothing runs off the side and every text colour
reaches WCAG AA contrast (4.5 : 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .anki_pages import CHROMIUM, DESKTOP, PHONE, RenderedSide, browser, measure, rendered_sides
from .conftest import AnkiCollection, build

AA = 4.5

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: run make (it installs it)")


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def shipped_sides(shipped: Path, tmp_path_factory: pytest.TempPathFactory) -> list[RenderedSide]:
    folder = tmp_path_factory.mktemp("layout")
    collection = AnkiCollection(folder / "collection.anki2")
    collection.import_package(build(shipped, folder / "deck.apkg"))
    collection.close()
    return rendered_sides(folder / "collection.anki2")


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_card_fits_and_reads_well(chromium, shipped_sides: list[RenderedSide], width: int, night: bool) -> None:
    layouts = measure(chromium, shipped_sides, width, night)
    assert len(layouts) == len(shipped_sides)
    overflowing = [f"{s.card_id} ({s.side}): {s.overflow:.0f} px" for s in layouts if s.overflow > 1]
    assert overflowing == [], f"{len(overflowing)} sides overflow: " + "; ".join(overflowing[:20])
    faint = [f"{s.card_id} ({s.side}): {s.contrast:.2f} for {s.colours}" for s in layouts if s.contrast < AA]
    assert faint == [], f"{len(faint)} sides below {AA}:1: " + "; ".join(faint[:20])


def test_the_measurements_catch_overflow_and_faint_text(chromium, shipped_sides: list[RenderedSide]) -> None:
    css = shipped_sides[0].css
    wide = RenderedSide("wide", "back", "<div style='white-space:nowrap'>" + "word " * 200 + "</div>", css)
    faint = RenderedSide("faint", "back", "<p style='color:#bbbbbb'>pale text</p>", css)
    [too_wide, too_faint] = measure(chromium, [wide, faint], PHONE, night=False)
    assert too_wide.overflow > 100
    assert too_faint.contrast < 2


def test_night_code_has_no_stripes_and_the_background_fills_the_window(chromium, shipped_sides: list[RenderedSide]) -> None:
    code = next(s for s in shipped_sides if 'class="highlight"' in s.html)
    page = chromium.new_page(viewport={"width": DESKTOP, "height": 600})
    try:
        from .anki_pages import page_html

        page.set_content(page_html([code], night=True))
        stripes = page.evaluate(
            """() => [...document.querySelectorAll('.highlight code, .highlight pre *')]
                .map(e => getComputedStyle(e).backgroundColor)
                .filter(c => c !== 'rgba(0, 0, 0, 0)').length"""
        )
        box = page.evaluate("() => { const b = document.querySelector('[data-card]').getBoundingClientRect(); return [b.left, b.width]; }")
    finally:
        page.close()
    assert stripes == 0
    assert box == [0, DESKTOP]
