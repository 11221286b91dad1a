"""The study site as a learner meets it: built by the real command, opened from file:// in
headless Chromium at a phone's width. Every page a test opens must log no error and load
nothing from outside the site's folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.cache import CACHE_DIR
from builder.cards import load_cards

from .anki_pages import CHROMIUM, MEASURE, PHONE, browser
from .conftest import FIXTURES, run

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: run make (it installs it)")

#: A card that would run off a phone's screen if code, tables and long words did not wrap;
#: its diagram is a media file the site has to ship.
WIDE_CARD = """---
section: apis
topic: status-codes
level: senior
---

## Which header carries a very long token such as `Bearer_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`?
<!-- id: wide-card -->

```python
response.headers["Authorization"] = "Bearer " + "x" * 200  # a line far wider than any phone: it has to wrap, not scroll
```

| status | meaning | what a client does next, in more words than a phone's width holds |
|---|---|---|
| 401 | unauthenticated | authenticate, then retry the request with credentials |

```dot
digraph { client -> gateway -> service }
```
"""


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(shutil.copytree(FIXTURES / "minimal", tmp_path_factory.mktemp("site") / "cards"))
    (folder / "apis" / "wide.md").write_text(WIDE_CARD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(cards: Path) -> Path:
    return build_site(cards, cards.parent / "site")


@pytest.fixture(scope="module")
def levels(cards: Path) -> dict[str, tuple[str, str]]:
    """Card id → (section, level), read from the card files."""
    return {card.id: (card.section, card.level) for card in load_cards(cards).cards}


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


@pytest.fixture
def page(chromium, site: Path) -> Iterator:
    """A phone-sized tab that records every request and every error, checked when the test ends."""
    tab = chromium.new_page(viewport={"width": PHONE, "height": 844})
    errors: list[str] = []
    requests: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("request", lambda request: requests.append(request.url))
    yield tab
    tab.close()
    assert errors == []
    assert requests, "no request recorded: the recorder is broken"
    assert [url for url in requests if not url.startswith(site.as_uri() + "/")] == []


def build_site(cards: Path, output: Path, *options: str) -> Path:
    result = run("site", "--cards", cards, "-o", output, *options)
    assert result.exit_code == 0, result.output
    return output


def url(site: Path, page: str, query: str = "") -> str:
    return (site / page).as_uri() + query


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(".card", "cards => cards.filter(c => c.getClientRects().length).map(c => c.id)")


def answer_shown(page, card_id: str) -> bool:
    return page.locator(f"#{card_id} .answer").is_visible()


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_level_filter_shows_exactly_the_cards_of_that_level(page, site: Path, levels: dict) -> None:
    ranks = ["junior", "mid", "senior", "staff", "principal"]
    page.goto(url(site, "databases.html"))
    for choice in ["junior", "mid", "senior", "staff", "principal", "up-to-mid", "up-to-senior", ""]:
        wanted = ranks[: ranks.index(choice[6:]) + 1] if choice.startswith("up-to-") else [choice] if choice else ranks
        expected = [card_id for card_id, (section, level) in levels.items() if section == "databases" and level in wanted]
        page.select_option("#level", choice)
        assert sorted(visible_cards(page)) == sorted(expected), choice
        # The filter is in the address: opening it again shows the same cards.
        page.goto(page.url)
        assert sorted(visible_cards(page)) == sorted(expected), page.url
    page.goto(url(site, "databases.html", "?level=up-to-mid"))
    assert sorted(visible_cards(page)) == ["composite-index-prefix", "nonrepeatable-read"]


def test_search_finds_a_card_by_a_word_of_its_question(page, site: Path) -> None:
    page.goto(url(site, "databases.html"))
    page.fill("#q", "ANOMALY")
    assert visible_cards(page) == ["nonrepeatable-read"]
    assert "q=ANOMALY" in page.url
    page.fill("#q", "no such words")
    assert visible_cards(page) == []
    assert page.text_content("#count") == "No card matches."
    # The index searches every section, and its results open the card.
    page.goto(url(site, "index.html"))
    page.fill("#search", "anomaly")
    found = page.eval_on_selector_all("#results a", "links => links.filter(a => a.getClientRects().length).map(a => a.getAttribute('href'))")
    assert found == ["databases.html#nonrepeatable-read"]
    page.click("#results a >> visible=true")
    page.wait_for_url("**/databases.html#nonrepeatable-read")
    assert answer_shown(page, "nonrepeatable-read")


def test_flashcards_reveal_by_keyboard_and_by_click(page, site: Path, levels: dict) -> None:
    in_section = [card_id for card_id, (section, _) in levels.items() if section == "databases"]
    page.goto(url(site, "databases.html", "?mode=cards"))
    first = visible_cards(page)
    assert len(first) == 1 and not answer_shown(page, first[0])
    page.keyboard.press("Space")
    assert answer_shown(page, first[0])
    page.keyboard.press("ArrowRight")
    [second] = visible_cards(page)
    assert second != first[0] and not answer_shown(page, second)
    page.keyboard.press("Enter")
    assert answer_shown(page, second)
    page.click("#next")
    [third] = visible_cards(page)
    page.keyboard.press("Space")  # turns the card over, rather than pressing Next again
    assert visible_cards(page) == [third] and answer_shown(page, third)
    page.keyboard.press("ArrowRight")
    [fourth] = visible_cards(page)
    page.click(f"#{fourth} .question")
    assert answer_shown(page, fourth)
    page.click("#previous")
    page.keyboard.press("ArrowLeft")
    assert visible_cards(page) == [second] and not answer_shown(page, second)
    # A shuffled round still shows every card once.
    page.click("#shuffle")
    seen = []
    for _ in in_section:
        seen += visible_cards(page)
        page.keyboard.press("ArrowRight")
    assert sorted(seen) == sorted(in_section)
    # In the list, the button shows and hides an answer.
    page.click("#mode")
    assert "mode=cards" not in page.url
    page.click(f"#{second} .reveal")
    assert answer_shown(page, second)
    page.click(f"#{second} .reveal")
    assert not answer_shown(page, second)


@pytest.mark.parametrize("query", ["", "?level=junior", "?mode=cards"])
def test_a_card_link_opens_that_card_revealed(page, site: Path, query: str) -> None:
    page.set_viewport_size({"width": PHONE, "height": 400})
    page.goto(url(site, "databases.html", f"{query}#pg-repeatable-read"))  # a senior cloze, last on its page
    assert "pg-repeatable-read" in visible_cards(page)
    assert answer_shown(page, "pg-repeatable-read")
    assert page.locator("#pg-repeatable-read").evaluate("card => card.getBoundingClientRect().top") < 100
    assert "snapshot isolation" in page.text_content("#pg-repeatable-read .answer")


def test_cards_show_their_images_from_the_sites_own_media_folder(page, site: Path) -> None:
    sources = []
    for name in ("databases.html", "apis.html"):
        page.goto(url(site, name))
        sources += page.eval_on_selector_all("img", "images => images.map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert {src for src, _ in sources} == {f"media/{path.name}" for path in (site / "media").iterdir()}
    assert len(sources) == 2 and all(width > 0 for _, width in sources)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_card_overflows_a_phone_and_every_text_reads_well(page, site: Path, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    for name in ("databases.html", "apis.html"):
        page.goto(url(site, name))
        for button in page.locator(".reveal").all():
            button.click()
        layouts = page.evaluate(MEASURE)
        assert len(layouts) == len(visible_cards(page)) > 0
        assert [(card_id, overflow) for card_id, _, overflow, _, _ in layouts if overflow > 1] == [], name
        assert [(card_id, colours) for card_id, _, _, contrast, colours in layouts if contrast < 4.5] == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_two_builds_give_identical_bytes(cards: Path, site: Path, tmp_path: Path) -> None:
    again = build_site(cards, tmp_path / "again")
    assert files(again) == files(site)
    assert {"index.html", "databases.html", "apis.html", "site.css", "site.js"} <= set(files(site))


def test_a_failed_build_leaves_the_old_site(cards: Path, tmp_path: Path) -> None:
    broken = Path(shutil.copytree(cards, tmp_path / "cards"))
    output = build_site(broken, tmp_path / "site", "--up-to", "mid")
    before = files(output)
    status = broken / "apis" / "status.md"
    status.write_text(status.read_text().replace("level: principal", "level: wizard"))
    result = run("site", "--cards", broken, "-o", output)
    assert result.exit_code == 1
    assert files(output) == before
    # Nothing but the deck, the old site, and the build cache the first build left beside the deck.
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_DIR, "cards", "site"]


def test_it_never_replaces_a_folder_that_is_not_a_site(cards: Path, tmp_path: Path) -> None:
    (tmp_path / "deck.apkg").write_bytes(b"a deck")
    result = run("site", "--cards", cards, "-o", tmp_path)
    assert result.exit_code == 1
    assert "is not a study site" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]


def test_site_command_explains_itself_with_an_example() -> None:
    result = run("site", "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "--up-to" in result.output


def test_the_shipped_deck_builds_a_site_that_fits_a_phone(chromium, shipped: Path, tmp_path: Path) -> None:
    site = build_site(shipped, tmp_path / "site")
    written = files(site)
    pages = {name: len(data) for name, data in written.items() if name.endswith(".html")}
    sizes = f"{len(pages)} pages, {sum(map(len, written.values())) / 1e6:.1f} MB in all, largest page {max(pages.values()) / 1e3:.0f} kB"
    tab = chromium.new_page(viewport={"width": PHONE, "height": 844})
    measured, overflowing = 0, []
    for name in sorted(pages.keys() - {"index.html"}):
        tab.goto(url(site, name))
        tab.evaluate("document.querySelectorAll('.card').forEach(card => card.classList.add('revealed'))")
        layouts = tab.evaluate(MEASURE)
        measured += len(layouts)
        overflowing += [f"{card_id}: {overflow:.0f} px" for card_id, _, overflow, _, _ in layouts if overflow > 1]
    tab.close()
    assert measured == len(load_cards(shipped).cards), sizes
    assert overflowing == [], f"{sizes}; overflowing at {PHONE} px: {'; '.join(overflowing[:20])}"
    # A page of a few hundred kB opens in about a second on a phone's connection.
    assert max(pages.values()) < 1_500_000, sizes
