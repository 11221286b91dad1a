"""The pictures in the README and docs/printing.md, made from the shipped deck so they stay true.

A card with code as a phone shows it (390 px, light and night), rendered by the real Anki
backend in headless Chromium, and the first sheet of the printed cards, front and back.
Usage: python scripts/pictures.py   (or: make pictures)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.anki_pages import PHONE, browser, rendered_sides, screenshot  # noqa: E402
from tests.conftest import AnkiCollection, build, run  # noqa: E402

DOCS = ROOT / "docs"
#: A card whose question needs its code on the front, and a cloze.
PHONE_CARDS = ("core-node-nexttick-promise-timeout-order", "db-postgres-xmin-xmax")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # A copy, so that the builds leave the checkout's note history alone.
        cards = Path(shutil.copytree(ROOT / "cards", work / "cards"))
        collection = AnkiCollection(work / "collection.anki2")
        collection.import_package(build(cards, work / "deck.apkg"))
        collection.close()
        backs = {side.card_id: side for side in rendered_sides(work / "collection.anki2") if side.side == "back"}
        chosen = [backs[card_id] for card_id in PHONE_CARDS]
        with browser() as chromium:
            for night, name in ((False, "phone-light.png"), (True, "phone-night.png")):
                screenshot(chromium, chosen, PHONE, night, DOCS / name)
        sheets = work / "sheets.pdf"
        result = run("pdf", "--cards", cards, "--section", "core", "-o", sheets)
        if result.exit_code:
            raise SystemExit(result.output)
        document = pypdfium2.PdfDocument(str(sheets))
        for index, name in ((0, "sheet-front.png"), (1, "sheet-back.png")):
            document[index].render(scale=1.0).to_pil().save(DOCS / name, optimize=True)
    for name in ("phone-light.png", "phone-night.png", "sheet-front.png", "sheet-back.png"):
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
