"""Limits that keep every card quick to check, render and print, stated in the README.

The PDF typesetter (WeasyPrint) recurses once per level of nested lists and quotes, and gives
up a few hundred levels down. The shipped deck's cards stay far below every limit: its longest
question has 239 characters, its longest card 1,100, and none nests a list.
"""

from __future__ import annotations

import re

from .fences import code_lines, scan

MAX_QUESTION_CHARS = 500
MAX_CARD_CHARS = 4_000
MAX_CARDS = 100_000
#: Characters of indentation, quote marks and list markers that may start a line: ten levels.
MAX_NESTING_PREFIX = 40
NESTING_PREFIX = re.compile(r"(?:[ \t]|>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")


def markdown_limit(text: str) -> tuple[int, str, str] | None:
    """(line index in `text`, what is wrong, hint) for the first limit `text` exceeds, or None."""
    lines = text.split("\n")
    deep = [index for index, line in enumerate(lines) if NESTING_PREFIX.match(line).end() > MAX_NESTING_PREFIX]
    # Code may be indented as deep as it likes; finding the fences is only worth it for a deep line.
    code = code_lines(scan(lines)) if deep else set()
    index = next((index for index in deep if index not in code), None)
    if index is None:
        return None
    return index, f"a line nests lists or quotes more than {MAX_NESTING_PREFIX // 4} levels deep", "flatten the list, or split the card"
