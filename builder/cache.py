"""The build cache: work that is expensive to redo, kept on disk under the digest of everything
it depends on, so that a build of unchanged cards redoes almost nothing.

It lives in `.cache/` beside the card folder (git-ignored, safe to delete at any time): the HTML
of every card (`render/`). Every key holds the builder's code and the libraries' versions, so
other code never finds what this code kept. An entry counts only if it reads back whole: each
file starts with the sha256 of the rest, and one that does not match (garbage, cut short,
edited) is a miss, computed and written anew. It is JSON: nothing in it is ever executed or
unpickled. A cache that cannot be written (a read-only folder) only makes builds slower.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .output import write_atomically

CACHE_DIR = ".cache"


def cache_root(cards_dir: Path) -> Path:
    return cards_dir.resolve().parent / CACHE_DIR


def digest(*parts: str | bytes) -> str:
    """One digest of many parts; each is length-prefixed, so no two lists of parts share one."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hashed.update(b"%d:" % len(data))
        hashed.update(data)
    return hashed.hexdigest()


@cache
def code_key(distributions: tuple[str, ...]) -> str:
    """The builder's source, and the versions of `distributions` and of Python: a change to any
    of them changes every key."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    libraries = (f"{name} {version(name)}" for name in distributions)
    return digest(sys.version, *libraries, *(part for path in sources for part in (path.name, path.read_bytes())))


def read_entry(path: Path) -> object | None:
    """The JSON value a cache file holds, or None if it cannot be read or does not match the
    sha256 on its first line."""
    try:
        check, _, data = path.read_bytes().partition(b"\n")
    except OSError:
        return None
    return json.loads(data) if check == _sha256(data).encode("ascii") else None


def write_entry(path: Path, value: object) -> None:
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    _write(path, _sha256(data).encode("ascii") + b"\n" + data)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except OSError:
        pass  # Not kept: the next build computes it again.
