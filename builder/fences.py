"""Code fences, found once and by the renderer's own rules, for every stage that must know
where code is: the loader (a `## ` line in code is no card), the snippet checker, the quality
rules and the diagram renderer.

The rules are CommonMark's, which the renderer (cmark) follows, for fences that start a line of
the text: three or more backticks or tildes, indented by at most three spaces; the block ends at
a line of the same character, at least as long, indented by at most three spaces and followed
only by spaces. Inside the block, as much indentation as the opening fence had is taken off each
line. Two rules are the deck's own: what follows the opening fence may only be a language (the
snippet checker and the highlighter read nothing else, so more would be silently lost), and a
fence that is never closed is an error: it would swallow the cards after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

OPENING = re.compile(r"(?P<indent> {0,3})(?P<fence>~{3,}|`{3,})(?P<info>.*)")
CLOSING = re.compile(r" {0,3}(?P<fence>~{3,}|`{3,})[ \t]*")
#: What may follow an opening fence: a language, such as python, c++ or objective-c.
LANGUAGE = re.compile(r"[\w#+.-]*")


@dataclass(frozen=True)
class Fence:
    """A fenced block in a list of lines: indexes of its opening and closing lines."""

    opening: int
    #: None when the block is never closed.
    closing: int | None
    marker: str
    #: What follows the opening fence, spaces around it taken off.
    info: str
    #: Spaces before the opening fence: as many are taken off each line of the code.
    indent: int = 0

    @property
    def language(self) -> str:
        return self.info.lower() if self.info_is_valid else ""

    @property
    def info_is_valid(self) -> bool:
        return LANGUAGE.fullmatch(self.info) is not None

    def closed_by(self, line: str) -> bool:
        match = CLOSING.fullmatch(line)
        return match is not None and match.group("fence")[0] == self.marker[0] and len(match.group("fence")) >= len(self.marker)


def scan(lines: Sequence[str]) -> tuple[Fence, ...]:
    """Every fence in `lines`, in order, the last one possibly unclosed. Linear in the lines."""
    fences: list[Fence] = []
    opened: Fence | None = None
    for index, line in enumerate(lines):
        if opened is None:
            opened = _opening(index, line)
        elif opened.closed_by(line):
            fences.append(replace(opened, closing=index))
            opened = None
    if opened is not None:
        fences.append(opened)
    return tuple(fences)


def _opening(index: int, line: str) -> Fence | None:
    match = OPENING.fullmatch(line)
    if match is None or (match.group("fence")[0] == "`" and "`" in match.group("info")):
        return None  # CommonMark: a backtick fence's info cannot hold a backtick; this is inline code.
    return Fence(index, None, match.group("fence"), match.group("info").strip(" \t"), len(match.group("indent")))


def code_lines(fences: Sequence[Fence]) -> set[int]:
    """Indexes of the lines inside closed fences, the fences included."""
    return {index for f in fences if f.closing is not None for index in range(f.opening, f.closing + 1)}


@dataclass(frozen=True)
class Block:
    """A closed fenced block of a text, located by character offsets and by line."""

    language: str
    #: The lines between the fences, each ending in "\n".
    code: str
    #: Offsets of the opening fence's first character and just past the closing fence.
    start: int
    end: int
    #: Index of the opening fence's line in the text.
    line: int


def blocks(text: str) -> tuple[Block, ...]:
    """The closed fenced blocks of `text` (its lines split at "\\n" only)."""
    if "```" not in text and "~~~" not in text:
        return ()  # Most fields hold no code: finding that out takes no split and no scan.
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return tuple(
        Block(
            language=f.language,
            code="".join(_dedented(line, f.indent) + "\n" for line in lines[f.opening + 1 : f.closing]),
            start=offsets[f.opening],
            end=offsets[f.closing] + len(lines[f.closing]),
            line=f.opening,
        )
        for f in scan(lines)
        if f.closing is not None
    )


def _dedented(line: str, indent: int) -> str:
    """`line` without `indent` columns of leading whitespace, as CommonMark takes them off: a
    tab reaches the next multiple of four columns, and what it reaches past `indent` stays as
    spaces."""
    column = position = 0
    while column < indent and position < len(line) and line[position] in " \t":
        column = column + 4 - column % 4 if line[position] == "\t" else column + 1
        position += 1
    return " " * max(column - indent, 0) + line[position:]


def replace_blocks(text: str, replacement: Callable[[Block], str | None]) -> str:
    """`text` with each block for which `replacement` gives a string replaced by that string."""
    parts: list[str] = []
    position = 0
    for block in blocks(text):
        new = replacement(block)
        if new is not None:
            parts += [text[position : block.start], new]
            position = block.end
    return "".join(parts) + text[position:]
