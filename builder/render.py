"""Render: a card's Markdown → sanitised HTML, once per card, for every output to share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import markdown
import nh3

from .cards import Card, without_comments
from .cloze import replace_deletions
from .diagrams import LANGUAGE as DIAGRAM_LANGUAGE, cached_svg, draw
from .media import resolve
from .fences import Block, replace_blocks
from .syllabus import Syllabus

MARKDOWN_EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
MARKDOWN_CONFIG = {"codehilite": {"css_class": "highlight", "guess_lang": False}}
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


def render_cards(cards: tuple[Card, ...], media_dir: Path) -> tuple[RenderedCard, ...]:
    return tuple(render_card(card, media_dir) for card in cards)


def render_card(card: Card, media_dir: Path) -> RenderedCard:
    media: list[Path] = []
    to_html = partial(markdown_to_html, card_path=card.path, media_dir=media_dir, media=media)
    return RenderedCard(
        card=card,
        front_html=_unwrap_paragraph(to_html(card.question)) + _prompt_html(card, to_html),
        back_html=to_html(without_comments(card.answer)),
        ref_html=_unwrap_paragraph(to_html(card.ref)),
        media=tuple(sorted(set(media))),
    )


def markdown_to_html(text: str, card_path: Path, media_dir: Path, media: list[Path]) -> str:
    """Markdown → HTML that is safe to show: no script, no event handler, no file outside media."""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and (diagram := cached_svg(value)):
            media.append(diagram)
            return value
        if tag == "img" and attribute == "src":
            target = resolve(card_path, value, media_dir)
            if target is None:
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
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)


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
