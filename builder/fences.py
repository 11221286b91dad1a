"""Code fences, found once and by the renderer's own rules, for every stage that must know
where code is: the loader (a `## ` line in code is no card), the snippet checker, the quality
rules and the diagram renderer.

The rules are Python-Markdown's fenced_code: a fence is three or more backticks or tildes at the
start of a line, followed only by a language; the block ends at a line that is exactly the same
fence (trailing spaces aside). A longer or shorter fence, or one of the other character, is code.
A fence that is never closed is an error here: the renderer would show it as text and it would
swallow the cards after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

OPENING = re.compile(r"(?P<fence>~{3,}|`{3,})[ ]*(?P<info>.*)")
#: What may follow an opening fence: a language, or {attributes}, as fenced_code accepts them.
INFO = re.compile(r"\{[^\n]*\}|\.?(?P<language>[\w#.+-]*)[ ]*(?:hl_lines=(?P<quote>[\"']).*?(?P=quote)[ ]*)?")


@dataclass(frozen=True)
class Fence:
    """A fenced block in a list of lines: indexes of its opening and closing lines."""

    opening: int
    #: None when the block is never closed.
    closing: int | None
    marker: str
    info: str

    @property
    def language(self) -> str:
        match = INFO.fullmatch(self.info)
        return (match.group("language") or "").lower() if match else ""

    @property
    def info_is_valid(self) -> bool:
        """False when the renderer would not see this line as a fence at all."""
        return INFO.fullmatch(self.info) is not None


def scan(lines: Sequence[str]) -> tuple[Fence, ...]:
    """Every fence in `lines`, in order, the last one possibly unclosed. Linear in the lines."""
    fences: list[Fence] = []
    opened: tuple[int, str, str] | None = None
    for index, line in enumerate(lines):
        if opened is None:
            if match := OPENING.match(line):
                opened = (index, match.group("fence"), match.group("info").rstrip(" "))
        elif line.rstrip(" ") == opened[1]:
            fences.append(Fence(opened[0], index, opened[1], opened[2]))
            opened = None
    if opened is not None:
        fences.append(Fence(opened[0], None, opened[1], opened[2]))
    return tuple(fences)


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
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return tuple(
        Block(
            language=f.language,
            code="".join(line + "\n" for line in lines[f.opening + 1 : f.closing]),
            start=offsets[f.opening],
            end=offsets[f.closing] + len(lines[f.closing]),
            line=f.opening,
        )
        for f in scan(lines)
        if f.closing is not None
    )


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
