"""Cards as a learner sees them: rendered by the real Anki backend, laid out in headless Chromium.

Anki renders each card (templates, cloze filters, the note type's CSS); Chromium lays out many
cards per page, each in a box that carries Anki's own body classes (`card`, `nightMode`,
`night_mode`), at a phone's and a desktop's width. The measurements (horizontal overflow, the
contrast of every text colour against the background it sits on) are taken in the browser.
The screenshot script uses the same pages, so the README's pictures show what the tests check.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Debian's Chromium; the project never downloads a browser of its own.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE, DESKTOP = 390, 1000
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@dataclass(frozen=True)
class RenderedSide:
    """One side of one Anki card: the HTML Anki produced, without its stylesheet."""

    card_id: str
    side: str
    html: str
    css: str
    #: The collection's media folder, where the side's images and diagrams are.
    media_dir: str = ""


@dataclass(frozen=True)
class SideLayout:
    card_id: str
    side: str
    #: How far content reaches past the card's right edge, or is hidden in a scrolled box (px).
    overflow: float
    #: The lowest contrast ratio of any text on this side, with the colours that give it.
    contrast: float
    colours: str


def rendered_sides(collection_path: Path) -> list[RenderedSide]:
    """Every card of a collection, front and back, through Anki's own card rendering."""
    from anki.collection import Collection

    col = Collection(str(collection_path))
    try:
        media = col.media.dir()
        sides = []
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            label = card.note()["Label"]
            for side, text in (("front", card.question()), ("back", card.answer())):
                css = "\n".join(STYLE.findall(text))
                sides.append(RenderedSide(_id_in(label) or str(card_id), side, STYLE.sub("", text), css, media))
        return sides
    finally:
        col.close()


def _id_in(label: str) -> str:
    match = re.search(r'class="card-id">([^<]+)<', label)
    return html.unescape(match.group(1)) if match else ""


def page_html(sides: list[RenderedSide], night: bool) -> str:
    """One page holding many cards, each in a box with Anki's body classes."""
    body_classes = "card card1 nightMode night_mode" if night else "card card1"
    boxes = "\n".join(
        f'<div class="{body_classes}" data-card="{html.escape(s.card_id)}" data-side="{s.side}">{s.html}</div>'
        for s in sides
    )
    css = sides[0].css if sides else ""
    root = ' class="night_mode"' if night else ""
    gap = "#000" if night else "#d8d8dc"
    return (
        f"<!doctype html><html{root}><head><meta charset='utf-8'><style>{css}</style>"
        f"<style>body{{margin:0;background:{gap}}} [data-card]{{margin:0 0 6px 0}}</style></head><body>{boxes}</body></html>"
    )


MEASURE = """
() => {
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundOf = (el, box) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1 || e === box) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const results = [];
  for (const box of document.querySelectorAll('[data-card]')) {
    const right = box.getBoundingClientRect().right;
    let overflow = Math.max(0, box.scrollWidth - box.clientWidth);
    let lowest = 21, colours = '';
    for (const el of box.querySelectorAll('*')) {
      const rect = el.getBoundingClientRect();
      if (rect.width > 0) overflow = Math.max(overflow, rect.right - right);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        overflow = Math.max(overflow, el.scrollWidth - el.clientWidth);
    }
    for (const el of [box, ...box.querySelectorAll('*')]) {
      const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      const style = getComputedStyle(el);
      if (!text || style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
      const bg = backgroundOf(el, box);
      const fg = over(rgba(style.color), bg);
      const [a, b] = [luminance(fg), luminance(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < lowest) { lowest = ratio; colours = style.color + ' on ' + `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`; }
    }
    results.push([box.dataset.card, box.dataset.side, overflow, lowest, colours]);
  }
  return results;
}
"""


def show(page, sides: list[RenderedSide], night: bool) -> None:
    """Open the sides as a page in their media folder, so that their images load as in Anki."""
    folder = sides[0].media_dir if sides else ""
    if not folder:
        page.set_content(page_html(sides, night), wait_until="load")
        return
    path = Path(folder) / "_layout-test.html"
    path.write_text(page_html(sides, night), encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load")


@contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def measure(chromium, sides: list[RenderedSide], width: int, night: bool, per_page: int = 400) -> list[SideLayout]:
    """Lay the sides out at `width` px, many to a page, and measure each."""
    page = chromium.new_page(viewport={"width": width, "height": 844})
    try:
        layouts = []
        for start in range(0, len(sides), per_page):
            show(page, sides[start : start + per_page], night)
            layouts += [SideLayout(*row) for row in page.evaluate(MEASURE)]
        return layouts
    finally:
        page.close()


def screenshot(chromium, sides: list[RenderedSide], width: int, night: bool, path: Path) -> None:
    """A picture of the given sides, one under the other, as a phone or desktop shows them."""
    page = chromium.new_page(viewport={"width": width, "height": 400}, device_scale_factor=2)
    try:
        show(page, sides, night)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.close()
