"""Images: a card refers to files in the card folder's `media/` by a path relative to itself.

Relative paths keep card files rendering on GitHub; the build then ships each image under its
bare file name, which is how Anki stores media.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

MEDIA_DIR = "media"
IMAGE_REFS = (
    re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)"),
    re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE),
)


def image_refs(markdown: str) -> list[tuple[str, int]]:
    """Every image source named in Markdown or inline HTML, with its offset in the text."""
    return [(m.group(1), m.start()) for pattern in IMAGE_REFS for m in pattern.finditer(markdown)]


def resolve(card_path: Path, src: str, media_dir: Path) -> Path | None:
    """The media file `src` names, or None if it is remote, outside `media_dir` or absent."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
        return None
    try:
        target = (card_path.parent / unquote(src)).resolve()
        if media_dir.resolve() not in target.parents or not target.is_file():
            return None
    except (OSError, ValueError):  # a NUL byte, a name too long: no file of ours
        return None
    return target
