"""A store of laid-out PDFs: for each slot (what a layout is for), the digest of everything the
layout depends on → its PDF.

Layout is the slow part of a PDF build, and what it depends on is known exactly: the HTML and
CSS given to WeasyPrint, the files they show, the code that drives it and the versions of the
libraries that lay out and write the PDF. A layout is stored under the digest of those and used
by every later build that needs it. An entry is written once, atomically, and never changed;
the folder can be deleted at any time. Pango, which shapes the text, is in the digest by its
version; the system's font files are not: after upgrading them, delete the folder to see their
effect.

Editing a card makes a new layout of its slot (the cards around it, on one card size), and the
old one would be kept forever: a slot keeps its LAYOUTS_PER_SLOT most recently used layouts.
Concurrent builds stay safe: a build marks the layouts it chose as used, so one that started
before an edit still finds its layout after another build stored the edited one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .cache import drop_least_recently_used, mark_used
from .output import write_atomically

#: Their versions are part of every key (read from the installed packages: no import needed).
LIBRARIES = ("weasyprint", "pydyf", "fonttools")
#: The current layout and the one before it: also what a switch back to the previous sources
#: (another branch, an undone edit) finds.
LAYOUTS_PER_SLOT = 2


def digest(*parts: str | bytes) -> str:
    """The key of a layout made from `parts` by the installed LIBRARIES and system Pango."""
    hasher = hashlib.sha256()
    libraries = (*(f"{name} {version(name)}" for name in LIBRARIES), f"pango {_pango_version()}")
    for part in (*libraries, *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        # Length-prefixed, so that no two different lists of parts hash alike.
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


@cache
def _pango_version() -> int:
    """The version of the Pango that WeasyPrint loads, asked of the library itself: importing
    WeasyPrint to ask would cost a build that finds every layout here a second."""
    try:
        return ctypes.CDLL("libpango-1.0.so.0").pango_version()
    except OSError:  # not Linux: the name differs
        name = ctypes.util.find_library("pango-1.0")
        return ctypes.CDLL(name).pango_version() if name else 0


def entry(cache_dir: Path, slot: str, key: str) -> Path:
    """Where the PDF for `key` is stored; it exists once some build has laid it out."""
    return cache_dir / slot / f"{key}.pdf"


def chosen(path: Path) -> bool:
    """Whether the entry at `path` is stored; if so it is marked used, to be kept."""
    if not path.is_file():
        return False
    mark_used(path)
    return True


def store(path: Path, data: bytes) -> None:
    """Store a layout at its entry, then drop its slot's least recently used beyond LAYOUTS_PER_SLOT."""
    write_atomically(path, data)
    mark_used(path)
    drop_least_recently_used(path.parent, "*.pdf", LAYOUTS_PER_SLOT)


def stored(cache_dir: Path, slot: str, key: str, lay_out: Callable[[], bytes]) -> Path:
    """The stored PDF for `key`, laid out now if no build has yet."""
    path = entry(cache_dir, slot, key)
    if not chosen(path):
        store(path, lay_out())
    return path
