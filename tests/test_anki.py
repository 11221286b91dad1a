"""The built .apkg imported into a real Anki collection, as a learner would."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import genanki

from builder.anki import GUID_NAMESPACE
from builder.cards import load_cards

from .conftest import SHIPPED_CARDS, AnkiCollection, build


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def card_count(cards: Path) -> int:
    return len(load_cards(cards).cards)


def test_full_deck_imports_every_note_as_new(shipped: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    apkg = build(shipped, tmp_path / "full.apkg")
    log = collection.import_package(apkg)
    expected = card_count(shipped)
    assert expected >= 40
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (expected, 0, 0, 0)
    assert collection.col.note_count() == expected


def test_same_sources_give_identical_bytes(minimal: Path, tmp_path: Path) -> None:
    first = build(minimal, tmp_path / "a.apkg")
    second = build(minimal, tmp_path / "b.apkg")
    assert sha256(first) == sha256(second)


def test_worker_processes_and_one_process_write_the_same_package(tmp_path: Path, monkeypatch) -> None:
    from builder import render

    digests = []
    for workers in (1, 2):
        # A copy each: the second build must not find the first one's cache.
        cards = Path(shutil.copytree(SHIPPED_CARDS, tmp_path / str(workers) / "cards"))
        monkeypatch.setattr(render, "_default_workers", lambda count, workers=workers: workers)
        digests.append(sha256(build(cards, tmp_path / str(workers) / "deck.apkg")))
    assert digests[0] == digests[1]


def test_edited_card_updates_in_place_and_keeps_its_history(minimal: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    log = collection.import_package(build(minimal, tmp_path / "v1.apkg"))
    assert (log.new, log.conflicting) == (6, 0)

    # Study the card once, so it has review history to lose.
    note = collection.note_by_guid(genanki.guid_for(GUID_NAMESPACE, "status-401"))
    card = note.cards()[0]
    card.start_timer()
    collection.col.sched.answerCard(card, 3)
    assert collection.col.db.scalar("select count() from revlog where cid = ?", card.id) == 1

    # Edit question and answer, change the level, move the card to another file.
    source = minimal / "apis" / "status.md"
    text = source.read_text()
    start = text.index("## Which status code answers")
    end = text.index("## Which status code refuses")
    source.write_text(text[:start] + text[end:])
    (minimal / "apis" / "auth.md").write_text(
        "---\nsection: apis\ntopic: status-codes\nlevel: junior\n---\n\n"
        "## Which status code means the request carried no valid credentials?\n"
        "<!-- id: status-401; level: mid -->\n\n"
        "**401 Unauthorized**; the response names the scheme in `WWW-Authenticate`.\n"
    )
    log = collection.import_package(build(minimal, tmp_path / "v2.apkg"))

    assert (log.new, log.updated, log.duplicate, log.conflicting) == (0, 1, 5, 0)
    collection.reopen()
    assert collection.col.note_count() == 6
    note = collection.note_by_guid(genanki.guid_for(GUID_NAMESPACE, "status-401"))
    assert "no valid credentials" in note["Front"]
    assert "level::mid" in note.tags and "level::junior" not in note.tags
    assert collection.col.db.scalar("select count() from revlog where cid = ?", card.id) == 1
    assert [c.id for c in note.cards()] == [card.id]


def test_unchanged_rebuild_reports_only_duplicates(minimal: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    collection.import_package(build(minimal, tmp_path / "v1.apkg"))
    log = collection.import_package(build(minimal, tmp_path / "v2.apkg"))
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (0, 0, 6, 0)


def test_level_decks_share_notes_with_the_full_deck(shipped: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    cards = Path(shutil.copytree(shipped, tmp_path / "cards"))
    for name, filters in [("junior", ["--up-to", "junior"]), ("senior", ["--up-to", "senior"]), ("full", [])]:
        log = collection.import_package(build(cards, tmp_path / f"{name}.apkg", *filters))
        assert log.conflicting == 0
    assert collection.col.note_count() == card_count(cards)


def test_note_type_edit_reaches_existing_collections(minimal: Path, tmp_path: Path, collection: AnkiCollection, monkeypatch) -> None:
    collection.import_package(build(minimal, tmp_path / "v1.apkg"))
    from builder import anki

    original = anki.read_template
    monkeypatch.setattr(anki, "read_template", lambda name: original(name).replace('class="label"', 'class="label tiny"'))
    log = collection.import_package(build(minimal, tmp_path / "v2.apkg"))
    assert log.conflicting == 0
    collection.reopen()
    model = collection.col.models.get(anki.BASIC_MODEL_ID)
    assert 'class="label tiny"' in model["tmpls"][0]["qfmt"]
