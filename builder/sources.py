"""Reading the sources: every file the builder reads comes through here, so that whatever sits
where a card file, the syllabus or the history should be (a folder, a pipe, a dangling link,
bytes that are not UTF-8, a YAML bomb) is one clear error at its file and line, never a
traceback or a hang.

The limits are the README's: generous for real cards, small enough that no input runs the
builder out of time or memory.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Problem, problem

#: A card file or the syllabus may be this large; the note history grows with the deck (about
#: 300 bytes a note), so it may be larger.
MAX_FILE_BYTES = 1_000_000
MAX_HISTORY_BYTES = 64_000_000
#: Lists and mappings in YAML may nest this deep (front matter needs 2, the syllabus 4).
MAX_YAML_DEPTH = 10
BOM = "\ufeff"
#: libyaml's parser where PyYAML has it (ten times faster), the same grammar either way.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceError(Exception):
    """A file that cannot be read as a source; carries the problem to report."""

    def __init__(self, found: Problem) -> None:
        super().__init__(str(found))
        self.problem = found


@dataclass(frozen=True)
class SourceText:
    """A source file's text with line endings made "\\n", so that lines are counted as an
    editor counts them (str.splitlines would also split at form feeds and U+2028)."""

    text: str
    #: "\r\n" if the file used it, and the byte-order mark it began with, if any, so that a
    #: tool that rewrites the file can keep both.
    newline: str = "\n"
    bom: str = ""

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def read_source(path: Path, limit: int = MAX_FILE_BYTES) -> SourceText:
    """The text of `path`, or a SourceError that says what is wrong with it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        hint = "remove the dangling link or restore its target" if path.is_symlink() else "check the path"
        raise SourceError(problem(path, 1, "file not found", hint)) from None
    except OSError as exc:
        raise SourceError(problem(path, 1, f"cannot be read: {exc.strerror or exc}", "check the path and its links")) from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(problem(path, 1, f"is a {_kind(info.st_mode)}, not a file", "replace it with a text file, or remove it"))
    if info.st_size > limit:
        raise SourceError(problem(path, 1, f"is {info.st_size:,} bytes, more than the limit of {limit:,}", "split it into several files"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(problem(path, 1, f"cannot be read: {exc.strerror or exc}", "check the file's permissions")) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(problem(path, line, f"is not UTF-8 (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")) from None
    newline = "\r\n" if "\r\n" in text else "\n"
    bom = BOM if text.startswith(BOM) else ""
    return SourceText(text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n"), newline, bom)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def load_yaml(text: str, path: Path, first_line: int = 1, what: str = "YAML") -> yaml.Node | None:
    """YAML → its node tree (the lines of every entry are known), refusing what no source of
    ours needs and what makes a small file expand or nest without bound: aliases, and nesting
    deeper than MAX_YAML_DEPTH. `first_line` is the file line of the text's first line; `what`
    names the text in a syntax error."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            where = first_line + event.start_mark.line
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise SourceError(problem(path, where, "YAML anchors and aliases (&name, *name) are not allowed", "write the value out in full"))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise SourceError(problem(path, where, f"YAML nests deeper than {MAX_YAML_DEPTH} levels", "flatten the lists and mappings"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        # The construct that is left open (a bracket, a quote) is where the mistake is.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise SourceError(problem(path, line, f"broken {what}: {reason}", "fix the YAML syntax (quote values containing ': ')")) from None


def plain(node: yaml.Node | None, path: Path, first_line: int = 1) -> object:
    """A node tree as the plain data safe_load would give (load_yaml checked it is small)."""
    try:
        return None if node is None else yaml.SafeLoader("").construct_document(node)
    except yaml.YAMLError as exc:
        # A tag that safe loading refuses, such as !!python/object.
        mark = getattr(exc, "problem_mark", None) or node.start_mark
        line = first_line + mark.line
        raise SourceError(problem(path, line, f"broken YAML: {getattr(exc, 'problem', None) or exc}", "write plain values: no !!tags")) from None
