"""Cloze deletions, `{{c1::text}}` or `{{c1::text::hint}}`, read by one linear scanner.

Anki makes one card per deletion number and silently makes none for a deletion it cannot read
(`{{c0::x}}`, `{{c1::}}`, an opening never closed), so the loader reports every such deletion
instead. The scanner only moves forward (str.find), so a long heading full of openings costs
time in proportion to its length, where the regular expression it replaces was quadratic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

OPENING = "{{c"
CLOSING = "}}"
NUMBER = re.compile(r"\d+::")
#: Each number is a card of the note: far more than a sentence holds, far less than overflows
#: the integer Anki stores a card's number in.
MAX_NUMBER = 100


@dataclass(frozen=True)
class Deletion:
    number: int
    text: str
    hint: str
    start: int
    end: int


@dataclass(frozen=True)
class Scan:
    deletions: tuple[Deletion, ...]
    #: What is wrong with the first deletion that cannot be read, or "".
    error: str = ""


def scan(text: str) -> Scan:
    """Every deletion of `text`, in order; stops at the first one that is malformed."""
    found: list[Deletion] = []
    position = text.find(OPENING)
    while position != -1:
        number = NUMBER.match(text, position + len(OPENING))
        if number is None:
            position = text.find(OPENING, position + 1)
            continue
        body_start = number.end()
        end = text.find(CLOSING, body_start)
        if end == -1:
            return Scan(tuple(found), f"deletion '{text[position:position + 20]}…' is never closed with }}}}")
        body = text[body_start:end]
        deleted, _, hint = body.partition("::")
        digits = number.group()[:-2]
        label = f"{{{{c{digits}::{body}}}}}"
        if OPENING in body:
            return Scan(tuple(found), f"deletion '{label}' holds another deletion")
        if int(digits) == 0:
            return Scan(tuple(found), f"deletion '{label}' is numbered 0")
        if int(digits) > MAX_NUMBER:
            return Scan(tuple(found), f"deletion '{label}' is numbered above {MAX_NUMBER}")
        if not deleted.strip():
            return Scan(tuple(found), f"deletion '{label}' hides nothing")
        found.append(Deletion(int(digits), deleted, hint, position, end + len(CLOSING)))
        position = text.find(OPENING, end + len(CLOSING))
    return Scan(tuple(found))


def has_deletion_markup(text: str) -> bool:
    """Whether `text` means to be a cloze: it opens a deletion, well formed or not."""
    return any(NUMBER.match(text, index + len(OPENING)) for index in _openings(text))


def replace_deletions(text: str, replacement: Callable[[Deletion], str]) -> str:
    """`text` with every readable deletion replaced; a malformed one is left as written."""
    parts: list[str] = []
    position = 0
    for deletion in scan(text).deletions:
        parts += [text[position : deletion.start], replacement(deletion)]
        position = deletion.end
    return "".join(parts) + text[position:]


def _openings(text: str):
    position = text.find(OPENING)
    while position != -1:
        yield position
        position = text.find(OPENING, position + 1)
