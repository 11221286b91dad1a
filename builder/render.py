"""Render: a card's Markdown → sanitised HTML, once per card, for every output to share."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path

import markdown
import nh3
from pygments.formatters import HtmlFormatter

from .cache import cache_root, code_key, digest, read_entry, write_entry
from .cards import Card, without_comments
from .cloze import replace_deletions
from .diagrams import LANGUAGE as DIAGRAM_LANGUAGE, cached_svg, draw
from .fences import Block, replace_blocks
from .media import MEDIA_DIR, resolve
from .syllabus import Syllabus

MARKDOWN_EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
#: Fewer cards than this render in this process: starting workers would cost more than it saves.
PARALLEL_MIN_CARDS = 400
#: Pieces per worker: enough to even out the workers' loads, few enough to keep the hand-offs cheap.
CHUNKS_PER_WORKER = 4
#: What a card's HTML depends on besides the builder's own code.
RENDER_LIBRARIES = ("markdown", "pygments", "nh3")
#: The render cache's file in each folder of cards.
RENDER_SHARD = "html.json"
#: Where a media file of a card lives: in the card folder's media, or among the drawn diagrams;
#: or an image source that names no file.
MEDIA, DIAGRAM, MISSING = "media", "diagram", "missing"
#: Opens what a front shows under its question; a list of questions (the study site's) cuts it off.
PROMPT_OPEN = '<div class="prompt">'

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "kbd", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "class"},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "code": {"class"},
}


@dataclass(frozen=True)
class RenderedCard:
    """A card with HTML fields. `front_html` of a cloze card keeps Anki's {{cN::…}} markup."""

    card: Card
    front_html: str
    back_html: str
    ref_html: str
    media: tuple[Path, ...]
    #: Image sources that name no file in the media folder, as written: found here, where the
    #: HTML parser sees every image however it was written, and reported by media.py.
    missing_media: tuple[str, ...] = ()


def rendered_cards(cards: tuple[Card, ...], cards_dir: Path) -> tuple[RenderedCard, ...]:
    """Every card's HTML, rendered only where the render cache holds no entry for it.

    The cache keeps a file per folder of cards, an entry per card content in it: editing a card
    rewrites one file. Afterwards it holds exactly the entries of these cards."""
    media_dir = cards_dir / MEDIA_DIR
    shards_dir = cache_root(cards_dir) / "render" / cards_dir.resolve().name
    # Whether an image renders depends on which media files exist (they are only checked for).
    context = digest(code_key(RENDER_LIBRARIES), *_media_names(media_dir))
    # A card's HTML is made of its Markdown fields and its folder, where its images' relative
    # paths start from; its line and its other fields never reach the HTML.
    folder_of = {path: path.parent.relative_to(cards_dir).as_posix() for path in {card.path for card in cards}}
    folders = [folder_of[card.path] for card in cards]
    keys = [digest(context, folder, card.question, card.prompt, card.answer, card.ref) for folder, card in zip(folders, cards)]
    stored = {folder: read_entry(shards_dir / folder / RENDER_SHARD) or {} for folder in set(folders)}
    found: dict[str, RenderedCard] = {}
    for key, folder, card in zip(keys, folders, cards):
        if key not in found and key in stored[folder] and (rendered := _from_entry(stored[folder][key], card, media_dir)):
            found[key] = rendered
    missing = {key: card for key, card in zip(keys, cards) if key not in found}
    found |= zip(missing, render_cards(tuple(missing.values()), media_dir))
    entries: dict[str, dict[str, list[str]]] = {folder: {} for folder in stored}
    for key, folder in zip(keys, folders):
        entries[folder][key] = _entry(found[key], media_dir) if key in missing else stored[folder][key]
    _keep_entries(shards_dir, stored, entries)
    # Cards of the same content share an entry; each keeps its own card.
    return tuple(rendered if (rendered := found[key]).card is card else replace(rendered, card=card) for key, card in zip(keys, cards))


def _media_names(media_dir: Path) -> list[str]:
    return sorted(p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*")) if media_dir.is_dir() else []


def _entry(rendered: RenderedCard, media_dir: Path) -> list[str]:
    """A rendered card as a flat list of strings: its three HTML fields, then each media file as
    where it lives and its name there, so that a moved checkout still finds them."""
    media = [[DIAGRAM, p.name] if cached_svg(p.name) == p else [MEDIA, p.relative_to(media_dir.resolve()).as_posix()] for p in rendered.media]
    media += [[MISSING, src] for src in rendered.missing_media]
    return [rendered.front_html, rendered.back_html, rendered.ref_html, *(part for pair in media for part in pair)]


def _from_entry(entry: list[str], card: Card, media_dir: Path) -> RenderedCard | None:
    """The rendered card an entry holds, or None if a media file it names is gone."""
    front, back, ref, *named = entry
    pairs = list(zip(named[::2], named[1::2]))
    media = tuple(cached_svg(name) if kind == DIAGRAM else _media_file(media_dir / name) for kind, name in pairs if kind != MISSING)
    missing = tuple(name for kind, name in pairs if kind == MISSING)
    return None if None in media else RenderedCard(card, front, back, ref, media, missing)  # type: ignore[arg-type]


def _media_file(path: Path) -> Path | None:
    return path.resolve() if path.is_file() else None


def _keep_entries(shards_dir: Path, stored: dict[str, dict], entries: dict[str, dict[str, list[str]]]) -> None:
    """Rewrite the cache files whose entries changed, and then drop those of folders that are gone."""
    changed = [folder for folder, kept in entries.items() if kept != stored[folder]]
    for folder in changed:
        write_entry(shards_dir / folder / RENDER_SHARD, entries[folder])
    if changed:
        for stale in set(shards_dir.rglob(RENDER_SHARD)) - {shards_dir / folder / RENDER_SHARD for folder in entries}:
            stale.unlink(missing_ok=True)


def render_cards(cards: tuple[Card, ...], media_dir: Path, workers: int | None = None) -> tuple[RenderedCard, ...]:
    """Every card in order. A card renders on its own, so the work splits over worker processes
    (`workers`, by default every core once there are enough cards) without changing a byte."""
    workers = _default_workers(len(cards)) if workers is None else workers
    if workers <= 1:
        return tuple(render_card(card, media_dir) for card in cards)
    size = -(-len(cards) // (workers * CHUNKS_PER_WORKER))
    starts = range(0, len(cards), size)
    # Forked workers inherit the cards (with the converter and the drawn diagrams): only their
    # HTML travels back, which costs a fraction of sending the cards both ways.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=fork, initializer=_receive, initargs=(cards, media_dir)) as pool:
        html = (fields for chunk in pool.map(_render_slice, starts, [size] * len(starts)) for fields in chunk)
        return tuple(RenderedCard(card, *fields) for card, fields in zip(cards, html))


def _default_workers(card_count: int) -> int:
    if card_count < PARALLEL_MIN_CARDS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: In a worker process: the cards it renders slices of, and their media folder.
_work: tuple[tuple[Card, ...], Path] = ((), Path())


def _receive(cards: tuple[Card, ...], media_dir: Path) -> None:
    global _work
    _work = (cards, media_dir)


def _render_slice(start: int, size: int) -> list[tuple[str, str, str, tuple[Path, ...], tuple[str, ...]]]:
    cards, media_dir = _work
    return [_fields(render_card(card, media_dir)) for card in cards[start : start + size]]


def _fields(rendered: RenderedCard) -> tuple[str, str, str, tuple[Path, ...], tuple[str, ...]]:
    return rendered.front_html, rendered.back_html, rendered.ref_html, rendered.media, rendered.missing_media


def render_card(card: Card, media_dir: Path) -> RenderedCard:
    media: list[Path] = []
    missing: list[str] = []
    to_html = partial(markdown_to_html, card_path=card.path, media_dir=media_dir, media=media, missing=missing)
    return RenderedCard(
        card=card,
        front_html=_unwrap_paragraph(to_html(card.question)) + _prompt_html(card, to_html),
        back_html=to_html(without_comments(card.answer)),
        ref_html=_unwrap_paragraph(to_html(card.ref)),
        media=tuple(sorted(set(media))),
        missing_media=tuple(dict.fromkeys(missing)),
    )


def markdown_to_html(text: str, card_path: Path, media_dir: Path, media: list[Path], missing: list[str] | None = None) -> str:
    """Markdown → HTML that is safe to show: no script, no event handler, no file outside media.
    Images are resolved here, where every way of writing one has become an <img>: each one that
    names no media file is added to `missing`."""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and (diagram := cached_svg(value)):
            media.append(diagram)
            return value
        if tag == "img" and attribute == "src":
            target = resolve(card_path, value, media_dir)
            if target is None:
                if missing is not None:
                    missing.append(value)
                return None
            media.append(target)
            return target.name
        if tag == "a" and attribute == "href":
            # Only links out to the web: a relative link would point into the reader's own files.
            return value if value.startswith(("https://", "http://")) else None
        return value

    html = _markdown().reset().convert(_with_diagrams(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        attribute_filter=keep_attribute,
    )


@cache
def _markdown() -> markdown.Markdown:
    """One converter, reset between fields: building one costs more than converting a card."""
    config = {"codehilite": {"css_class": "highlight", "guess_lang": False, "pygments_formatter": _formatter}}
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=config)


@cache
def _formatter(**options) -> HtmlFormatter:
    """One Pygments formatter per set of options: codehilite would build one per code block, and
    building one (its style table) costs more than highlighting the block."""
    return HtmlFormatter(**options)


def _with_diagrams(text: str) -> str:
    """Each ```dot block becomes the picture Graphviz drew of it (validation drew them all)."""

    def picture(block: Block) -> str | None:
        if block.language != DIAGRAM_LANGUAGE:
            return None
        return f'<img class="diagram" src="{draw(block.code).name}" alt="Diagram">\n'

    return replace_blocks(text, picture)


def card_label(card: Card, syllabus: Syllabus) -> str:
    """The small line on every side of a card, in Anki and in print: id · section · level."""
    return f"{card.id} · {syllabus.section(card.section).title} · {card.level}"


def cloze_front(html: str) -> str:
    """The question side of every deletion at once, as printed cards show it."""
    return replace_deletions(html, lambda d: f'<span class="cloze">[{d.hint or "…"}]</span>')


def cloze_back(html: str) -> str:
    return replace_deletions(html, lambda d: f'<span class="cloze">{d.text}</span>')


def _prompt_html(card: Card, to_html) -> str:
    """What the front shows under the question, set apart from the question's heading style."""
    return f'{PROMPT_OPEN}{to_html(without_comments(card.prompt))}</div>' if card.prompt else ""


def _unwrap_paragraph(html: str) -> str:
    """A one-paragraph heading or reference reads better without its <p> wrapper."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
