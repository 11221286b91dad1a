"""The `ids` command: give every card without an id one, editing only the lines it must."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .cards import Card, without_cloze_markup
from .output import write_atomically
from .sources import read_source

SLUG_WORDS = 7
SLUG_SKIP = frozenset("a an the of in on to for is are what which why when how does do with by its it that".split())


def slug_for(question: str, taken: set[str]) -> str:
    """A readable id from the question's first words; '-2', '-3' … if it is taken."""
    text = without_cloze_markup(question).lower()
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in SLUG_SKIP][:SLUG_WORDS] or ["card"]
    base = "-".join(words)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def add_missing_ids(cards: tuple[Card, ...]) -> dict[Path, list[str]]:
    """Write ids into the files in place; returns the ids added per file."""
    taken = {card.id for card in cards if card.id}
    by_file: dict[Path, list[Card]] = defaultdict(list)
    for card in cards:
        if not card.id:
            by_file[card.path].append(card)
    added: dict[Path, list[str]] = {}
    for path, missing in sorted(by_file.items()):
        source = read_source(path)
        lines = source.lines
        added[path] = []
        # Bottom to top, so earlier line numbers stay valid.
        for card in sorted(missing, key=lambda c: c.line, reverse=True):
            new_id = slug_for(card.question, taken)
            added[path].insert(0, new_id)
            meta_line = card.line_of("id")
            if meta_line == card.line:
                lines.insert(card.line, f"<!-- id: {new_id} -->")
            else:
                index = meta_line - 1
                lines[index] = lines[index].replace("<!--", f"<!-- id: {new_id};", 1)
        write_atomically(path, (source.bom + source.newline.join(lines)).encode("utf-8"))
    return added
