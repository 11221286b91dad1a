"""Exports for other flashcard routes: Anki's own text import, and term/definition text that
Quizlet-style apps import.

The Anki text file carries the same GUIDs, note types, decks and tags as the `.apkg`, so either
route updates the same notes; its fields are the HTML the package holds. The term/definition
text is plain: no highlighting, no images or diagrams, one line per card, clozes as blanks.
"""

from __future__ import annotations

import csv
import html
import io
import re

from .anki import AnkiNote, note_type_names
from .cloze import replace_deletions
from .render import RenderedCard

SUFFIXES = {"anki-tsv": ".tsv", "quizlet": "-quizlet.txt"}
#: Anki's text-import headers: tab-separated HTML with a GUID, note type, deck and tags column.
ANKI_HEADER = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:8\n"


def anki_tsv(notes: tuple[AnkiNote, ...]) -> str:
    """One row a note: GUID, note type, deck, its four fields, then its tags."""
    names = note_type_names()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for note in notes:
        writer.writerow([note.guid, names[note.is_cloze], note.deck, *note.written_fields, " ".join(note.written_tags)])
    return ANKI_HEADER + buffer.getvalue()


def quizlet_text(cards: tuple[RenderedCard, ...]) -> str:
    """`term<TAB>definition` lines in plain text; a cloze's term shows its blanks."""
    lines = []
    for rendered in cards:
        front, back = rendered.front_html, rendered.back_html
        if rendered.card.is_cloze:
            front, back = replace_deletions(rendered.front_html, lambda d: "___"), replace_deletions(rendered.front_html, lambda d: d.text) + " " + back
        lines.append(f"{plain(front)}\t{plain(back)}")
    return "\n".join(lines) + "\n"


#: Tags that end a block of text: replaced by a space, so words on either side stay apart.
BLOCK_TAG = re.compile(r"</?(p|div|li|ul|ol|br|pre|tr|td|th|h[3-6]|hr|table|blockquote)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]*>")


def plain(fragment: str) -> str:
    """Rendered (already sanitised) HTML as one line of text: tags dropped, entities decoded."""
    text = html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub(" ", fragment)))
    return re.sub(r"\s+", " ", text).strip()


