"""Diagrams: a ```dot block in a card is drawn by Graphviz at build time, once per content.

The picture then works everywhere without review-time JavaScript: Anki gets an SVG media file
(`diagram-<hash>.svg`, flat and unique by content), the PDF sheets the same SVG inline. A
diagram's text sits in the card file, reviewed like any answer; GitHub shows it as a code block.
Graphviz reads files when a graph names images, shapes or fonts, so such attributes are refused,
and links and images are stripped from the SVG it writes.

The drawings are a cache, in the checkout's `.cache/diagrams` for every card folder. Beside each
SVG, a check file names what drew it (`dot -V` and the options) and holds the picture's sha256.
A drawing that does not match its check (cut short, edited) is drawn again, and so is one drawn
by a Graphviz other than the one installed. Without Graphviz, drawings that match are used as
drawn. The check stays out of the picture, so the package's bytes depend on the drawing alone.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from . import PROJECT_ROOT
from .errors import BuilderError, Problem, problem
from .output import write_atomically

LANGUAGE = "dot"
#: Rendered SVGs by content hash; safe to delete, never committed.
CACHE_DIR = PROJECT_ROOT / ".cache" / "diagrams"
CACHE_HINT = "make the checkout's .cache/diagrams a writable folder, or delete it"
NAME = re.compile(r"^diagram-[0-9a-f]{16}\.svg$")
#: Attributes with which a graph would make Graphviz read a file or link out.
UNSAFE = re.compile(r"\b(image|imagepath|shapefile|fontpath|fontnames|href|URL|labelhref|tailURL|headURL|edgeURL|src)\s*=", re.IGNORECASE)
#: Transparent, so the picture sits on the card's own background; the deck's font.
#: A DOT string: what it says is a label, never an attribute.
QUOTED = re.compile(r'"(?:\\.|[^"\\])*"')
DOT_OPTIONS = ("-Tsvg", "-Gbgcolor=transparent", "-Gfontname=DejaVu Sans", "-Nfontname=DejaVu Sans", "-Efontname=DejaVu Sans")
STRIP = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->|</?a\b[^>]*>|<image\b[^>]*/>", re.DOTALL)
TIME_LIMIT = 20.0


class DiagramError(Exception):
    """A diagram that Graphviz cannot draw, with its message."""


def file_name(source: str) -> str:
    return f"diagram-{hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]}.svg"


def cached_svg(name: str) -> Path | None:
    """The rendered file for a diagram name a card refers to, if it was drawn."""
    path = CACHE_DIR / name
    return path if NAME.match(name) and path.is_file() else None


def draw(source: str) -> Path:
    """The SVG for `source`, drawn now or taken from the cache."""
    target = CACHE_DIR / file_name(source)
    if intact(target):
        return target
    unsafe = UNSAFE.search(QUOTED.sub('""', source))
    if unsafe:
        raise DiagramError(f"attribute '{unsafe.group(1)}' is not allowed: a diagram may not load files or link out")
    try:
        done = subprocess.run([_dot(), *DOT_OPTIONS], input=source, capture_output=True, text=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        raise DiagramError(f"Graphviz did not finish within {TIME_LIMIT:g} s") from None
    if done.returncode != 0 or "<svg" not in done.stdout:
        message = " ".join(line.strip() for line in done.stderr.strip().splitlines()) or f"dot exited with {done.returncode}"
        raise DiagramError(message)
    picture = (STRIP.sub("", done.stdout).strip() + "\n").encode("utf-8")
    # The picture first: a check file never vouches for a picture that is not yet in place. Both
    # are needed for the build (the package holds the picture), so a refused write stops it.
    write_atomically(target, picture, CACHE_HINT)
    write_atomically(_check_file(target), f"{_installed_drawer()}\n{_sha256(picture)}\n".encode("utf-8"), CACHE_HINT)
    return target


def is_drawing(path: Path) -> bool:
    return path.parent == CACHE_DIR and NAME.match(path.name) is not None


def _installed_drawer() -> str | None:
    """What would draw a diagram now: the installed Graphviz (as `dot -V` names it) and the
    options; None without Graphviz."""
    dot = shutil.which("dot")
    return None if dot is None else f"{_graphviz_version(dot)} {' '.join(DOT_OPTIONS)}"


def intact(path: Path) -> bool:
    """Whether `path` holds the picture its check file vouches for, drawn by the Graphviz
    installed (by any, if none is)."""
    try:
        drawer, checksum = _check_file(path).read_text(encoding="utf-8").splitlines()
        picture = path.read_bytes()
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    installed = _installed_drawer()
    return checksum == _sha256(picture) and installed in (None, drawer)


def _check_file(drawing: Path) -> Path:
    return drawing.with_name(f"{drawing.name}.check")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise BuilderError("drawing diagrams needs Graphviz's 'dot' — install the Debian package graphviz (make does)")
    return dot


@cache
def _graphviz_version(dot: str) -> str:
    """What `dot -V` prints, e.g. "dot - graphviz version 2.43.0 (0)": one run per process. On
    one line, as the check file holds it, though Graphviz may print a warning on a line of its own."""
    try:
        done = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=TIME_LIMIT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuilderError(f"'{dot} -V' failed ({exc}) — reinstall the Debian package graphviz") from None
    return " ".join(done.stderr.split())


def diagram_problems(diagrams: list[tuple[Path, int, str, str]]) -> list[Problem]:
    """Draw every (file, line, card id, source); one problem per diagram Graphviz rejects."""
    problems = []
    for path, line, card_id, source in diagrams:
        try:
            draw(source)
        except DiagramError as exc:
            problems.append(problem(path, line, f"diagram of '{card_id}' cannot be drawn: {exc}", "fix the dot source; the Graphviz manual describes the language"))
    return problems
