"""Render: a card's Markdown → sanitised HTML, once per card, for every output to share."""

from __future__ import annotations

import html
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache, partial
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexer import Lexer
from pygments.util import ClassNotFound

from .cache import Shards, cache_root, code_key, digest
from .cards import Card, without_comments
from .cloze import replace_deletions
from .diagrams import LANGUAGE as DIAGRAM_LANGUAGE, cached_svg, draw
from .fences import blocks
from .media import MEDIA_DIR, URL_SCHEME, media_names, resolve
from .syllabus import Syllabus

#: GitHub's Markdown (CommonMark with its table extension), so that a card reads the same in the
#: deck as in the repository's file view. Raw HTML is kept here and made safe by nh3; GitHub's
#: other extensions are left out: strikethrough would strike "~5 ms to ~10 ms", autolink would
#: turn text into links.
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
CMARK_EXTENSIONS = ["table"]
#: A code block as cmark writes it: its language (the info string's first word) and its text,
#: escaped, so that neither can hold the block's end.
CODE_BLOCK = re.compile(r'<pre><code(?: class="language-([^"]*)")?>(.*?)</code></pre>\n', re.DOTALL)
#: Fewer cards than this render in this process: starting workers would cost more than it saves.
PARALLEL_MIN_CARDS = 400
#: Pieces per worker: enough to even out the workers' loads, few enough to keep the hand-offs cheap.
CHUNKS_PER_WORKER = 4
#: What a card's HTML depends on besides the builder's own code.
RENDER_LIBRARIES = ("cmarkgfm", "pygments", "nh3")
#: The render cache's file in each folder of cards.
RENDER_SHARD = "html.json"
#: Where a media file of a card lives: in the card folder's media, or among the drawn diagrams;
#: or an image source that names no file.
MEDIA, DIAGRAM, MISSING = "media", "diagram", "missing"
#: The URL schemes nh3 keeps in links and image sources. It drops a source with any other
#: scheme before the attribute filter sees it.
KEPT_SCHEMES = {"http", "https"}
#: A field without it has no image to look into.
IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)
#: What the URL standard removes from a URL before it reads the scheme.
URL_IGNORED = re.compile(r"[\t\n\r]")
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
    context = digest(code_key(RENDER_LIBRARIES), *media_names(media_dir))
    # A card's HTML is made of its Markdown fields and its folder, where its images' relative
    # paths start from; its line and its other fields never reach the HTML.
    folder_of = {path: path.parent.relative_to(cards_dir).as_posix() for path in {card.path for card in cards}}
    folders = [folder_of[card.path] for card in cards]
    keys = [digest(context, folder, card.question, card.prompt, card.answer, card.ref) for folder, card in zip(folders, cards)]
    shards = Shards(shards_dir, RENDER_SHARD)
    found: dict[str, RenderedCard] = {}
    for key, folder, card in zip(keys, folders, cards):
        if key not in found and (entry := shards.get(folder, key)) is not None and (rendered := _from_entry(entry, card, media_dir)):
            found[key] = rendered
    missing = {key: card for key, card in zip(keys, cards) if key not in found}
    found |= zip(missing, render_cards(tuple(missing.values()), media_dir))
    for key, folder in zip(keys, folders):
        shards.keep(folder, key, _entry(found[key], media_dir) if key in missing else shards.get(folder, key))
    shards.save()
    # Cards of the same content share an entry; each keeps its own card.
    return tuple(rendered if (rendered := found[key]).card is card else replace(rendered, card=card) for key, card in zip(keys, cards))


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
    media = tuple(cached_svg(name) if kind == DIAGRAM else _media_file(media_dir, name) for kind, name in pairs if kind != MISSING)
    missing = tuple(name for kind, name in pairs if kind == MISSING)
    return None if None in media else RenderedCard(card, front, back, ref, media, missing)  # type: ignore[arg-type]


def _media_file(media_dir: Path, name: str) -> Path | None:
    """The media file an entry names, if it is still that very file: a link put in its place
    since may lead out of the media folder, which a fresh render would refuse."""
    path = media_dir.resolve() / name
    return path if path.is_file() and path.resolve() == path else None


def render_cards(cards: tuple[Card, ...], media_dir: Path, workers: int | None = None) -> tuple[RenderedCard, ...]:
    """Every card in order. A card renders on its own, so the work splits over worker processes
    (`workers`, by default every core once there are enough cards) without changing a byte."""
    workers = _default_workers(len(cards)) if workers is None else workers
    if workers <= 1:
        return tuple(render_card(card, media_dir) for card in cards)
    size = -(-len(cards) // (workers * CHUNKS_PER_WORKER))
    starts = range(0, len(cards), size)
    # Forked workers inherit the cards (and the lexers and cleaner built so far): only their
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


def markdown_to_html(text: str, card_path: Path, media_dir: Path, media: list[Path], missing: list[str]) -> str:
    """Markdown → HTML that is safe to show: no script, no event handler, no file outside media.
    Images are resolved here, where every way of writing one has become an <img>: each one that
    names no media file is added to `missing`."""
    # The diagrams validation drew: the field's ```dot blocks that start a line (fences.py).
    diagrams = frozenset(block.code for block in blocks(text) if block.language == DIAGRAM_LANGUAGE)
    rendering = _Field(card_path, media_dir, media, missing, diagrams)
    html = cmarkgfm.markdown_to_html_with_extensions(text, options=CMARK_OPTIONS, extensions=CMARK_EXTENSIONS)
    # cmark ends every block with a line break; a field is joined to others and unwrapped whole.
    html = CODE_BLOCK.sub(rendering.code_block_html, html).removesuffix("\n")
    cleaned = _sanitiser().clean(html, rendering)
    # An image whose source nh3 drops unseen (file:, data:) names no media file either.
    missing.extend(_dropped_sources(html, cleaned))
    return cleaned


def _dropped_sources(html: str, cleaned: str) -> list[str]:
    """The sources with a scheme that nh3 took out of the images of `html` unseen. They are
    looked for only where its output `cleaned` holds an image without a source: html.parser
    finds images where nh3's HTML5 parser finds text (in a <textarea>, a <title>, a <noscript>)
    or nothing (in a <template>), which the build shipped as nh3 wrote them."""
    if None not in _image_sources(cleaned):
        return []
    return [src for src in _image_sources(html) if src and _dropped_scheme(src)]


class _ImageSources(HTMLParser):
    """The source of each <img>, character references decoded; None for one without."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            # Of two sources the first counts, as in any HTML5 parser; nh3 drops the second.
            self.sources.append(next((value for name, value in attrs if name == "src"), None))


def _image_sources(html: str) -> list[str | None]:
    if not IMG_TAG.search(html):
        return []
    parser = _ImageSources()
    parser.feed(html)
    parser.close()
    return parser.sources


def _dropped_scheme(src: str) -> bool:
    """Whether nh3 drops `src` for its scheme, read as the URL standard reads it."""
    scheme = URL_SCHEME.match(URL_IGNORED.sub("", src).strip())
    return scheme is not None and scheme.group(1).lower() not in KEPT_SCHEMES


@dataclass(frozen=True)
class _Field:
    """One field being rendered: where its images are looked up, and what is found."""

    card_path: Path
    media_dir: Path
    #: Filled in: the media files the field shows, and the sources that name none.
    media: list[Path]
    missing: list[str]
    #: The sources of its diagrams, and the picture of each as drawn, by name.
    diagrams: frozenset[str]
    drawn: dict[str, Path] = field(default_factory=dict)

    def code_block_html(self, block: re.Match[str]) -> str:
        """A ```dot block that validation drew becomes its picture, in a paragraph of its own as
        text around it is; anything else is code, highlighted by Pygments (a language it does
        not know, as plain text). So the output depends on the text alone, never on what a
        cache happens to hold."""
        language, code = html.unescape(block.group(1) or "").lower(), html.unescape(block.group(2))
        if language == DIAGRAM_LANGUAGE and code in self.diagrams:
            picture = draw(code)
            self.drawn[picture.name] = picture
            return f'<p><img class="diagram" src="{picture.name}" alt="Diagram"></p>\n'
        return highlight(code.strip("\n"), _lexer(language), _formatter())

    def keep_attribute(self, tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and value in self.drawn:
            self.media.append(self.drawn[value])
            return value
        if tag == "img" and attribute == "src":
            target = resolve(self.card_path, value, self.media_dir)
            if target is None:
                self.missing.append(value)
                return None
            self.media.append(target)
            return target.name
        if tag == "a" and attribute == "href":
            # Only links out to the web: a relative link would point into the reader's own files.
            return value if value.startswith(("https://", "http://")) else None
        return value


class _Sanitiser:
    """One nh3 cleaner for every field (building one costs more than cleaning a field); its
    attribute filter asks the field being cleaned."""

    def __init__(self) -> None:
        self._field: _Field | None = None
        self._error: Exception | None = None
        self._cleaner = nh3.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=KEPT_SCHEMES,
            link_rel="noopener noreferrer",
            attribute_filter=self._keep_attribute,
        )

    def clean(self, html: str, field: _Field) -> str:
        self._field, self._error = field, None
        try:
            cleaned = self._cleaner.clean(html)
        finally:
            self._field = None
        if self._error is not None:
            raise self._error
        return cleaned

    def _keep_attribute(self, tag: str, attribute: str, value: str) -> str | None:
        try:
            return self._field.keep_attribute(tag, attribute, value)  # type: ignore[union-attr]
        except Exception as error:
            # nh3 would print it and drop the attribute: the deck would be wrong, silently.
            self._error = self._error or error
            return None


@cache
def _sanitiser() -> _Sanitiser:
    return _Sanitiser()


@cache
def _lexer(language: str) -> Lexer:
    """One lexer per language: finding one by name imports and builds it, and it keeps no state."""
    try:
        return get_lexer_by_name(language or "text")
    except ClassNotFound:
        return get_lexer_by_name("text")


@cache
def _formatter() -> HtmlFormatter:
    """One formatter: building one (its style table) costs more than highlighting a block."""
    return HtmlFormatter(cssclass="highlight", wrapcode=True)


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
