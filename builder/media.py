"""Images: a card refers to files in the card folder's `media/` by a path relative to itself.

Relative paths keep card files rendering on GitHub; the build then ships each image under its
bare file name, which is how Anki stores media. `resolve` is the one way from an image's source
to its file, for validation, the Anki package and the PDF alike; the renderer calls it for every
<img> the Markdown became whose source nh3 lets through, and reports the others (a scheme nh3
drops, such as file: or data:) as missing too, so that no way of writing an image escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .errors import Problem, problem

if TYPE_CHECKING:
    from .render import RenderedCard

MEDIA_DIR = "media"


def media_problems(rendered: Sequence[RenderedCard], media_dir: Path) -> list[Problem]:
    """An error for each image that names no media file, and for each media file whose name
    another one has: Anki keeps media by file name alone, so one would replace the other."""
    found: list[Problem] = []
    first_with_name: dict[str, Path] = {}
    for card in rendered:
        for src in card.missing_media:
            found.append(problem(card.card.path, _line_of(card, src), f"image '{src}' not found in {media_dir}", "put the file in the media folder and refer to it by a relative path"))
        for path in card.media:
            other = first_with_name.setdefault(path.name, path)
            if other != path:
                shown = [p.relative_to(media_dir.resolve().parent).as_posix() for p in (path, other)]
                found.append(problem(card.card.path, _line_of(card, path.name), f"image '{shown[0]}' has the file name of '{shown[1]}'", "Anki keeps media by file name alone: rename one of them"))
    return found


def _line_of(rendered: RenderedCard, text: str) -> int:
    """The line of the card file that names `text`, or the card's heading line."""
    card = rendered.card
    for field, body in (("prompt_start", card.prompt), ("answer_start", card.answer), ("ref", card.ref)):
        if (offset := body.find(text)) != -1:
            return card.line_of(field) + body.count("\n", 0, offset)
    return card.line


#: An absolute URL's scheme (RFC 3986 §3.1): a source with one names no file of the deck.
URL_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def media_names(media_dir: Path) -> tuple[str, ...]:
    """Every file in the media folder: whether an image renders depends on which ones exist."""
    return tuple(sorted(p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*"))) if media_dir.is_dir() else ()


def media_files(media_dir: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Every media file's name, and what tells the file behind it apart (its inode, its type and
    its last change): what rendered HTML kept in memory depends on, which must see a file
    replaced, even by a link out of the folder, and not only one added or removed."""
    found = []
    for name in media_names(media_dir):
        try:
            facts = (media_dir / name).lstat()
        except OSError:  # gone meanwhile
            continue
        found.append((name, facts.st_ino, facts.st_mode, facts.st_ctime_ns))
    return tuple(found)


def resolve(card_path: Path, src: str, media_dir: Path) -> Path | None:
    """The media file `src` names, or None if it is remote, outside `media_dir` or absent."""
    if URL_SCHEME.match(src):
        return None
    try:
        target = (card_path.parent / unquote(src)).resolve()
        if media_dir.resolve() not in target.parents or not target.is_file():
            return None
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a link loop (RuntimeError before Python 3.13): no file of ours
        return None
    return target
