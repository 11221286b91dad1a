"""Emit: rendered cards → an Anki package whose notes keep their identity across releases.

Anki matches an imported note to an existing one only by GUID, note types by id (and their
fields and templates), and decks by name. All three are therefore fixed here, once: change none
of them, or every learner's review history detaches from the new cards.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

from .cards import Card
from .highlight import style_defs
from .history import Stamp
from .releases import REMOVED_TAGS
from .render import RenderedCard
from .syllabus import Syllabus
from .templating import environment, read_template

GUID_NAMESPACE = "backend-interview-cards"  # chosen once; never change
ROOT_DECK = "Backend Interview"
BASIC_MODEL_ID = 1_774_062_913  # chosen once; never change
CLOZE_MODEL_ID = 1_774_062_914  # chosen once; never change
BASIC_FIELDS = ("Front", "Back", "Reference", "Label")
CLOZE_FIELDS = ("Text", "Extra", "Reference", "Label")
#: The key under which the note types' own digest and time are kept in the history file.
NOTE_TYPES_KEY = "@note-types"
#: Zip entries get this date, so the same notes always give the same bytes.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class AnkiNote:
    """Everything that ends up in one Anki note; its digest decides when the note is 'newer'."""

    id: str
    guid: str
    is_cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    #: The way back to the card's source, at the end of the back, and the release tag. Both are
    #: left out of the digest: the link moves with every line added above the card (and the one
    #: a learner has stays valid, as it names its release), and the tag follows the content.
    source: str = ""
    release_tags: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        payload = json.dumps([self.is_cloze, self.fields, self.tags, self.deck], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def written_tags(self) -> list[str]:
        return sorted({*self.tags, *self.release_tags})

    @property
    def written_fields(self) -> list[str]:
        *content, label = self.fields
        source = f'<span class="source">{self.source}</span>' if self.source else ""
        return [*content, label + source]


class TimedNote(genanki.Note):
    """A genanki note that carries its own modification time instead of the package's."""

    def __init__(self, *, mod: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp: float, deck_id, id_gen) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Skipped: genanki searches every field for text that is not HTML, only to warn, and
        each field here is HTML that nh3 wrote or that was escaped. The search took a twelfth
        of the package's time."""


def deck_name(section_deck: str) -> str:
    return f"{ROOT_DECK}::{section_deck}"


def anki_label(card: Card, syllabus: Syllabus) -> str:
    """Section and level for the learner; the id, for reporting a wrong card, only on the back."""
    return _label(f"{syllabus.section(card.section).title} · {card.level}", card.id)


def _label(where: str, card_id: str) -> str:
    """The Label field: what the front shows on top, and the id the back's footer shows."""
    return f'<span class="where">{html.escape(where)}</span><span class="card-id">{html.escape(card_id)}</span>'


def to_anki_note(rendered: RenderedCard, syllabus: Syllabus, source: str = "") -> AnkiNote:
    card = rendered.card
    section = syllabus.section(card.section)
    tags = {f"section::{card.section}", f"level::{card.level}", f"topic::{card.topic}", *card.tags}
    return AnkiNote(
        id=card.id,
        guid=_guid(card.id),
        is_cloze=card.is_cloze,
        fields=(rendered.front_html, rendered.back_html, rendered.ref_html, anki_label(card, syllabus)),
        tags=tuple(sorted(tags)),
        deck=deck_name(section.deck),
        source=source,
    )


def removal_notice(card_id: str, removed: Stamp, syllabus: Syllabus) -> AnkiNote:
    """What replaces a removed card's note in a collection that has it: a notice to delete it.
    It keeps the card's note type, or Anki would call the update a conflict."""
    release = removed.removed
    question = html.escape(removed.question)
    where = f"Removed in release {html.escape(release)}: search <code>tag:removed</code> and delete the notes it finds."
    front = "{{c1::Removed}} from the deck: " + question if removed.kind == "cloze" else f"Removed from the deck: {question}"
    section = syllabus.section(removed.section)
    label = _label(f"{section.title if section else removed.section} · removed", card_id)
    return AnkiNote(
        id=card_id,
        guid=_guid(card_id),
        is_cloze=removed.kind == "cloze",
        fields=(front, where, "", label),
        tags=tuple(sorted({f"section::{removed.section}", *(tag.format(release=release) for tag in REMOVED_TAGS)})),
        deck=deck_name(section.deck) if section else ROOT_DECK,
    )


def _guid(card_id: str) -> str:
    return genanki.guid_for(GUID_NAMESPACE, card_id)


@dataclass(frozen=True)
class NoteTypeSpec:
    """What Anki matches a note type by: its id, fields and template name, frozen forever."""

    model_id: int
    name: str
    fields: tuple[str, ...]
    template_name: str
    template_file: str
    model_type: int


NOTE_TYPES = (
    NoteTypeSpec(BASIC_MODEL_ID, "Backend Interview (basic)", BASIC_FIELDS, "Card", "basic", genanki.Model.FRONT_BACK),
    NoteTypeSpec(CLOZE_MODEL_ID, "Backend Interview (cloze)", CLOZE_FIELDS, "Cloze", "cloze", genanki.Model.CLOZE),
)


def note_type_names() -> dict[bool, str]:
    """Note type names by `is_cloze`, as Anki's text import names them."""
    return {spec.model_type == genanki.Model.CLOZE: spec.name for spec in NOTE_TYPES}


def note_types() -> tuple[genanki.Model, genanki.Model]:
    """The basic and the cloze note type, sharing one stylesheet."""
    css = environment().get_template("anki/card.css.j2").render(
        light_highlight=style_defs("friendly", [".highlight"]),
        night_highlight=style_defs("monokai", [".nightMode .highlight", ".night_mode .highlight"]),
    )
    basic, cloze = (
        genanki.Model(
            spec.model_id,
            spec.name,
            fields=[{"name": name} for name in spec.fields],
            templates=[
                {
                    "name": spec.template_name,
                    "qfmt": read_template(f"anki/{spec.template_file}-front.html"),
                    "afmt": read_template(f"anki/{spec.template_file}-back.html"),
                }
            ],
            css=css,
            model_type=spec.model_type,
        )
        for spec in NOTE_TYPES
    )
    return basic, cloze


def note_types_digest(models: tuple[genanki.Model, ...]) -> str:
    payload = json.dumps([[m.model_id, m.name, m.fields, m.templates, m.css] for m in models], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def package_bytes(
    notes: tuple[AnkiNote, ...],
    times: dict[str, int],
    models: tuple[genanki.Model, genanki.Model],
    note_types_time: int,
    media: tuple[Path, ...],
) -> bytes:
    """The .apkg's bytes; `times` maps note ids (and NOTE_TYPES_KEY) to modification times."""
    basic, cloze = models
    decks = {name: genanki.Deck(_deck_id(name), name) for name in dict.fromkeys(note.deck for note in notes)}
    for note in notes:
        decks[note.deck].add_note(
            TimedNote(
                mod=times[note.id],
                model=cloze if note.is_cloze else basic,
                fields=note.written_fields,
                tags=note.written_tags,
                guid=note.guid,
            )
        )
    package = genanki.Package(list(decks.values()), media_files=[str(p) for p in media])
    return _zipped(package, note_types_time, media)


def _zipped(package: genanki.Package, timestamp: int, media: tuple[Path, ...]) -> bytes:
    """genanki's own writer stamps zip entries with the wall clock; this one does not."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        # A scratch file, read back whole once written: waiting for the disk, or a journal to
        # recover it from a crash, would only slow it down (the bytes are the same without).
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA journal_mode = OFF")
        package.write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
        connection.commit()
        connection.close()
        entries = [("collection.anki2", db_path.read_bytes())]
    entries.append(("media", json.dumps({str(i): p.name for i, p in enumerate(media)}).encode("utf-8")))
    entries.extend((str(i), p.read_bytes()) for i, p in enumerate(media))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _deck_id(name: str) -> int:
    """Anki matches decks by name; the id only has to be stable, so it is derived from the name."""
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:12], 16)
