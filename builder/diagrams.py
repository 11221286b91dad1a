"""Diagrams: a ```dot block in a card is drawn by Graphviz at build time, once per content.

The picture then works everywhere without review-time JavaScript: Anki gets an SVG media file
(`diagram-<hash>.svg`, flat and unique by content), the PDF sheets the same SVG inline. A
diagram's text sits in the card file, reviewed like any answer; GitHub shows it as a code block.
Graphviz reads files when a graph names images, shapes or fonts, so such attributes are refused,
and links and images are stripped from the SVG it writes.

The drawn files are a cache like `.cache/` beside the cards: each SVG ends with a comment holding
the sha256 of the Graphviz that drew it, its options and the picture. One that does not match
(cut short, edited, or drawn by another Graphviz) is drawn again, never used. The comment goes
into the package with the picture: its bytes then depend on the Graphviz installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from . import PROJECT_ROOT
from .errors import BuilderError, Problem, problem

LANGUAGE = "dot"
#: Rendered SVGs by content hash; safe to delete, never committed.
CACHE_DIR = PROJECT_ROOT / ".cache" / "diagrams"
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
    if _intact(target):
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
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    picture = (STRIP.sub("", done.stdout).strip() + "\n").encode("utf-8")
    partial.write_bytes(picture + _check_line(picture))
    partial.replace(target)
    return target


def _intact(path: Path) -> bool:
    """Whether `path` holds a picture with the check line that this Graphviz gives it."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    picture, _, check = data[:-1].rpartition(b"\n")
    return data.endswith(b"\n") and check + b"\n" == _check_line(picture + b"\n")


def _check_line(picture: bytes) -> bytes:
    checked = hashlib.sha256(b"\0".join((_graphviz_version().encode("utf-8"), *(o.encode("utf-8") for o in DOT_OPTIONS), picture)))
    return f"<!-- {checked.hexdigest()} -->\n".encode("ascii")


def _dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise BuilderError("drawing diagrams needs Graphviz's 'dot' — install the Debian package graphviz (make does)")
    return dot


@cache
def _graphviz_version() -> str:
    """What `dot -V` prints, e.g. "dot - graphviz version 2.43.0 (0)": one run per process."""
    return subprocess.run([_dot(), "-V"], capture_output=True, text=True, timeout=TIME_LIMIT).stderr.strip()


def diagram_problems(diagrams: list[tuple[Path, int, str, str]]) -> list[Problem]:
    """Draw every (file, line, card id, source); one problem per diagram Graphviz rejects."""
    problems = []
    for path, line, card_id, source in diagrams:
        try:
            draw(source)
        except DiagramError as exc:
            problems.append(problem(path, line, f"diagram of '{card_id}' cannot be drawn: {exc}", "fix the dot source; the Graphviz manual describes the language"))
    return problems
