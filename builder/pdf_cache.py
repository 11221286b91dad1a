"""A content-addressed store of laid-out PDFs: the digest of everything a layout depends on → its PDF.

Layout is the slow part of a PDF build, and what it depends on is known exactly: the HTML and
CSS given to WeasyPrint, the files they show, the code that drives it and the versions of the
libraries that lay out and write the PDF. A layout is stored under the digest of those and used
by every later build that needs it. An entry is written once, atomically, and never changed, so
concurrent builds are safe; the folder can be deleted at any time. Pango, which shapes the text,
is in the digest by its version; the system's font files are not: after upgrading them, delete
the folder to see their effect.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .output import write_atomically

#: Their versions are part of every key (read from the installed packages: no import needed).
LIBRARIES = ("weasyprint", "pydyf", "fonttools")


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


def entry(cache_dir: Path, key: str) -> Path:
    """Where the PDF for `key` is stored; it exists once some build has laid it out."""
    return cache_dir / f"{key}.pdf"


def stored(cache_dir: Path, key: str, lay_out: Callable[[], bytes]) -> Path:
    """The stored PDF for `key`, laid out now if no build has yet."""
    path = entry(cache_dir, key)
    if not path.is_file():
        write_atomically(path, lay_out())
    return path
