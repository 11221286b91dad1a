"""Emit: rendered cards → a static study site, one page per section and an index.

The site is a folder of plain files that works from file:// and from any static host: its CSS
and one small script ship inside it, and it loads nothing from anywhere else. Every card shows
the HTML Anki gets. The folder is written whole: built beside the target, then swapped in, so a
failed build leaves the old site, and the same cards always give the same bytes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from .errors import BuilderError
from .highlight import style_defs
from .levels import LEVELS
from .media import MEDIA_DIR
from .output import OUTPUT_HINT, remove_stale, temporary_prefix
from .render import PROMPT_OPEN, RenderedCard, cloze_back, cloze_front
from .syllabus import Section, Syllabus
from .templating import environment, read_template

INDEX_PAGE = "index.html"
STYLESHEET = "site.css"
SCRIPT = "site.js"
#: An image in a card's HTML names its media file by its bare name, as render.py writes it.
IMAGE_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')


@dataclass(frozen=True)
class SiteCard:
    """What one card on a section page shows; a cloze card's question shows its blanks."""

    id: str
    level: str
    question: Markup
    answer: Markup
    reference: Markup
    #: The question as plain text, for the index's list of every question.
    question_text: str


@dataclass(frozen=True)
class SitePage:
    """A section's page: its cards in the deck's order, which is the order the files teach in."""

    section: Section
    file_name: str
    cards: tuple[SiteCard, ...]

    @property
    def level_counts(self) -> tuple[tuple[str, int], ...]:
        """(level, cards) for every level this section has cards of, in level order."""
        counts = Counter(card.level for card in self.cards)
        return tuple((level, counts[level]) for level in LEVELS if counts[level])


@dataclass(frozen=True)
class SiteWritten:
    """What a build wrote, for the command's one-line report: a page is an HTML file."""

    pages: int
    cards: int
    total_bytes: int
    largest_page_bytes: int


def write_site(cards: tuple[RenderedCard, ...], syllabus: Syllabus, target: Path) -> SiteWritten:
    """Write the whole site into `target`, replacing the site there only once it is complete."""
    media = {path.name: path for card in cards for path in card.media}
    pages = site_pages(cards, syllabus)
    # Gather everything first, then write.
    files = {STYLESHEET: _stylesheet().encode("utf-8"), SCRIPT: read_template(f"site/{SCRIPT}").encode("utf-8")}
    files |= {page.file_name: _render("site/section.html", page=page) for page in pages}
    files[INDEX_PAGE] = _render("site/index.html", pages=pages)
    files |= {f"{MEDIA_DIR}/{name}": path.read_bytes() for name, path in sorted(media.items())}
    _replace_folder(target, files)
    html_sizes = [len(data) for name, data in files.items() if name.endswith(".html")]
    return SiteWritten(len(html_sizes), len(cards), sum(map(len, files.values())), max(html_sizes))


def site_pages(cards: tuple[RenderedCard, ...], syllabus: Syllabus) -> tuple[SitePage, ...]:
    """One page per section that has cards, in the syllabus's study order."""
    return tuple(
        SitePage(section, f"{section.id}.html", tuple(site_card(r) for r in cards if r.card.section == section.id))
        for section in syllabus.sections
        if any(r.card.section == section.id for r in cards)
    )


def site_card(rendered: RenderedCard) -> SiteCard:
    """As printed cards do it: a cloze card's blanks on the question, the filled text on the answer."""
    card = rendered.card
    front, back = _media_paths(rendered.front_html), _media_paths(rendered.back_html)
    if card.is_cloze:
        front, back = cloze_front(front), cloze_back(front) + back
    # Markup: the fields are already sanitised HTML (render.py).
    text = Markup(front.partition(PROMPT_OPEN)[0]).striptags()
    return SiteCard(card.id, card.level, Markup(front), Markup(back), Markup(rendered.ref_html), text)


def _media_paths(html: str) -> str:
    """Images sit in the site's media folder rather than beside the page."""
    return IMAGE_SRC.sub(lambda m: f"{m.group(1)}{MEDIA_DIR}/{m.group(2)}{m.group(3)}", html)


def _render(template: str, **context) -> bytes:
    return environment().get_template(template).render(levels=LEVELS, **context).encode("utf-8")


def _stylesheet() -> str:
    """The site's CSS, with code highlighting for light and for dark mode."""
    return environment().get_template("site/site.css.j2").render(
        light_highlight=style_defs("friendly", [".highlight"]),
        dark_highlight=style_defs("monokai", [".highlight"]),
    )


def _replace_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a fresh sibling folder, then swap it in for `target`."""
    if target.exists() and not _is_site(target):
        raise BuilderError(f"'{target}' exists and is not a study site — choose another --output, or remove it first")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        fresh = Path(tempfile.mkdtemp(dir=target.parent, prefix=temporary_prefix(target), suffix=".tmp"))
    except OSError as exc:
        raise BuilderError(f"cannot write '{target}': {exc.strerror or exc} — {OUTPUT_HINT}") from None
    try:
        for name, data in files.items():
            path = fresh / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        fresh.chmod(0o755)  # mkdtemp's folder is private; a static host must read it
        if target.exists():
            # Two renames: the old site stays whole until the new one is complete beside it.
            old = fresh.with_name(fresh.name.removesuffix(".tmp") + ".old.tmp")
            target.rename(old)
            fresh.rename(target)
            shutil.rmtree(old)
        else:
            fresh.rename(target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def _is_site(folder: Path) -> bool:
    """Only a folder this command wrote (or an empty one) may be replaced: -o dist must not wipe the decks."""
    return folder.is_dir() and (not any(folder.iterdir()) or {INDEX_PAGE, SCRIPT} <= {p.name for p in folder.iterdir()})
