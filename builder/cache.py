"""The build cache: work that is expensive to redo, kept on disk under the digest of everything
it depends on, so that a build of unchanged cards redoes almost nothing.

It lives in `.cache/` beside the card folder (git-ignored, safe to delete at any time): the cards
of every card file (`cards/`), the HTML of every card (`render/`), and the files of the last
`build` of each of the KEPT_BUILDS command lines most recently run (`builds/`).
Every key holds the builder's code and the libraries' versions, so other code never finds what
this code kept. An entry counts only if it reads back whole: each file starts with the sha256
of the rest, and one that does not match (garbage, cut short, edited) is a miss, computed and
written anew. It is JSON and plain files: nothing in it is ever executed or unpickled. A cache
that cannot be written (a read-only folder) only makes builds slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import sys
import time
import zlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from . import PROJECT_ROOT, TEMPLATES_DIR
from .diagrams import intact, is_drawing
from .output import UnwritableOutput, write_atomically

CACHE_DIR = ".cache"
BUILD_RECORD = "record.json"
#: What the files of a build depend on besides the builder's code: the libraries that read the
#: sources, render the HTML, write the note types (Jinja2) and the package (genanki, and Chevron
#: with which it decides a note's cards).
BUILD_LIBRARIES = ("pyyaml", "cmarkgfm", "pygments", "nh3", "jinja2", "markupsafe", "genanki", "chevron")
#: Kept builds are one per command line: a new output path, filter or card folder adds one. These
#: many, the most recently used, stay; `make` runs six `build` command lines.
KEPT_BUILDS = 8


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
    """The builder's source, the versions of `distributions` and of the runtime (Python, and the
    SQLite and zlib that write a package): a change to any of them changes every key."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    runtime = (sys.version, sqlite3.sqlite_version, zlib.ZLIB_RUNTIME_VERSION)
    libraries = (f"{name} {version(name)}" for name in distributions)
    return digest(*runtime, *libraries, *(part for path in sources for part in (path.name, path.read_bytes())))


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


class Shards:
    """Entries kept in one cache file per folder of cards, so that editing a card rewrites one
    file, not the whole deck's. Afterwards the files hold exactly the entries this run `keep`s:
    those of cards or files that are gone are dropped."""

    def __init__(self, root: Path, file_name: str) -> None:
        self.root = root
        self.file_name = file_name
        self.stored: dict[str, dict] = {}
        self.kept: dict[str, dict] = {}

    def get(self, folder: str, key: str) -> object | None:
        if folder not in self.stored:
            entries = read_entry(self.root / folder / self.file_name)
            self.stored[folder] = entries if isinstance(entries, dict) else {}
        return self.stored[folder].get(key)

    def keep(self, folder: str, key: str, value: object) -> None:
        self.kept.setdefault(folder, {})[key] = value

    def save(self) -> None:
        """Rewrite the files whose entries changed, and then drop those of folders that are gone."""
        changed = [folder for folder, kept in self.kept.items() if kept != self.stored.get(folder)]
        for folder in changed:
            write_entry(self.root / folder / self.file_name, self.kept[folder])
        if changed:
            for stale in set(self.root.rglob(self.file_name)) - {self.root / folder / self.file_name for folder in self.kept}:
                stale.unlink(missing_ok=True)


# The files of the last `build` of each command line, written again while nothing they came
# from has changed: the sources, the builder and its libraries, the media the package holds, and
# its diagrams' drawings, which another Graphviz would draw anew.


@dataclass(frozen=True)
class BuildFiles:
    """What a build writes: its files by path, and how many notes its package holds."""

    outputs: dict[Path, bytes]
    notes: int


def build_sources(cards_dir: Path) -> dict[str, bytes]:
    """Every file a build reads, by name: the card folder's, the templates, and pyproject.toml
    (the release)."""
    sources = {source_name(cards_dir, path): _content(path) for path in sorted(cards_dir.rglob("*"))}
    sources |= {f"templates:{path.relative_to(TEMPLATES_DIR).as_posix()}": path.read_bytes() for path in _files(TEMPLATES_DIR)}
    sources["pyproject.toml"] = (PROJECT_ROOT / "pyproject.toml").read_bytes()
    return sources


def source_name(cards_dir: Path, path: Path) -> str:
    """A card folder's file by its path from the folder's parent, as the package's source links
    name it."""
    return f"cards:{path.relative_to(cards_dir.parent).as_posix()}"


def kept_build(cards_dir: Path, command: str, sources: dict[str, bytes]) -> BuildFiles | None:
    """The files the last run of `command` wrote, if it ran on these sources and every file it
    wrote, and every media file it packaged, is still byte for byte what it was."""
    folder = _build_folder(cards_dir, command)
    record = read_entry(folder / BUILD_RECORD)
    if not isinstance(record, dict) or record["inputs"] != _inputs_key(command, sources):
        return None
    if any(_file_digest(Path(path)) != sha for path, sha in record["media"].items()):
        return None
    if not all(intact(Path(path)) for path in record["drawings"]):
        return None  # another Graphviz is installed: validation draws the diagrams anew
    outputs = {}
    for number, (path, sha) in enumerate(record["outputs"]):
        if (data := _file_data(folder / str(number), sha)) is None:
            return None
        outputs[Path(path)] = data
    mark_used(folder)
    return BuildFiles(outputs, record["notes"])


def keep_build(cards_dir: Path, command: str, sources: dict[str, bytes], written: dict[str, bytes], built: BuildFiles, media: tuple[Path, ...]) -> None:
    """Keep the files a build of `sources` wrote, unless the sources changed meanwhile in any
    other way than by the build's own `written` files (the note history)."""
    now = build_sources(cards_dir)
    if now != {**sources, **written}:
        return
    folder = _build_folder(cards_dir, command)
    for number, data in enumerate(built.outputs.values()):
        _write(folder / str(number), data)
    record = {
        "inputs": _inputs_key(command, now),
        "notes": built.notes,
        # Absolute: the next run may name the same files from another folder.
        "media": {str(path.resolve()): _file_digest(path) for path in media},
        # The drawings among them: the build is kept only while validation would use each as
        # drawn, which depends on the Graphviz installed at that run, not at this one (diagrams.py).
        "drawings": [str(path) for path in media if is_drawing(path)],
        "outputs": [[str(path.resolve()), _sha256(data)] for path, data in built.outputs.items()],
    }
    # Written last: a record names only files that are already in place.
    write_entry(folder / BUILD_RECORD, record)
    mark_used(folder)
    drop_least_recently_used(folder.parent, "*", KEPT_BUILDS)


def mark_used(entry: Path) -> None:
    """Make `entry` (a file or folder) the most recently used: its modification time is its last
    use. Set from the clock in nanoseconds: the time the file system gives a write may be a few
    milliseconds old, and two uses may be closer than that."""
    now = time.time_ns()
    try:
        os.utime(entry, ns=(now, now))
    except OSError:
        pass  # A read-only cache: nothing is dropped from it either.


def drop_least_recently_used(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used (or written) of the entries in `folder` that
    match `pattern`. A concurrent build may be deleting them too, or be using one: it marked
    that one used when it chose it, so it is among the last dropped."""
    for stale in sorted(folder.glob(pattern), key=_last_used, reverse=True)[keep:]:
        try:
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        except OSError:
            pass  # gone already, or a read-only cache


def _last_used(entry: Path) -> int:
    try:
        return entry.stat().st_mtime_ns
    except OSError:
        return -1  # gone already


def _content(path: Path) -> bytes:
    """A file's bytes; for anything else (a folder, a link that leads nowhere, a pipe) what it
    is, so that putting one where a card file was is a change too, and the loader reports it."""
    try:
        if stat.S_ISREG(path.stat().st_mode):
            return path.read_bytes()
        return f"mode {stat.S_IFMT(path.lstat().st_mode):o}".encode()
    except OSError as exc:
        return f"unreadable {exc.errno}".encode()


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _build_folder(cards_dir: Path, command: str) -> Path:
    return cache_root(cards_dir) / "builds" / digest(command)[:32]


def _inputs_key(command: str, sources: dict[str, bytes]) -> str:
    return digest(code_key(BUILD_LIBRARIES), command, *(part for name in sorted(sources) for part in (name, sources[name])))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except (OSError, UnwritableOutput):
        pass  # Not kept: the next build computes it again.


def _file_digest(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None


def _file_data(path: Path, sha: str) -> bytes | None:
    """A kept file's bytes, if they are still those it was kept with."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if _sha256(data) == sha else None
