"""Releases as a learner meets them, in a real Anki collection: release 1 studied, release 2
removes a card, edits one and adds one; the updating learner imports release 2 and its removal
notices, a first-time learner release 2 alone."""

from __future__ import annotations

from pathlib import Path

import genanki
import pytest

from builder import releases
from builder.anki import GUID_NAMESPACE
from builder.build import RELEASE_NOTES_FILE, REMOVALS_FILE

from .conftest import AnkiCollection, build, run

REMOVED, EDITED, ADDED = "bplus-leaves", "status-401", "status-418"


def release_2(cards: Path) -> None:
    """Remove a card, edit another, add one."""
    indexes = cards / "databases" / "indexes.md"
    text = indexes.read_text()
    indexes.write_text(text[: text.index("## What does the diagram of a B+ tree")].rstrip() + "\n")
    status = cards / "apis" / "status.md"
    status.write_text(
        status.read_text().replace("## Which status code answers a request that lacks valid credentials?", "## Which status code answers a request without valid credentials?")
        + "\n## Which status code is a joke from an April Fools' RFC?\n<!-- id: status-418; ref: RFC 2324 -->\n\n**418 I'm a teapot**.\n"
    )


def note(collection: AnkiCollection, card_id: str):
    return collection.note_by_guid(genanki.guid_for(GUID_NAMESPACE, card_id))


@pytest.fixture
def releases_built(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setattr(releases, "__version__", "0.1.0")
    first = build(minimal, tmp_path / "r1" / "deck.apkg")
    release_2(minimal)
    monkeypatch.setattr(releases, "__version__", "0.2.0")
    second = build(minimal, tmp_path / "r2" / "deck.apkg")
    return {"r1": first, "r2": second, "removals": second.parent / REMOVALS_FILE, "notes": second.parent / RELEASE_NOTES_FILE}


def test_an_updating_learner_gets_edits_additions_and_removal_notices(releases_built: dict[str, Path], collection: AnkiCollection) -> None:
    assert collection.import_package(releases_built["r1"]).new == 6
    studied = note(collection, EDITED).cards()[0]
    studied.start_timer()
    collection.col.sched.answerCard(studied, 3)

    log = collection.import_package(releases_built["r2"])
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (1, 1, 4, 0)
    log = collection.import_package(releases_built["removals"])
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (0, 1, 0, 0)

    collection.reopen()
    [removed_id] = collection.col.find_notes("tag:removed")
    removed = collection.col.get_note(removed_id)
    assert removed.guid == genanki.guid_for(GUID_NAMESPACE, REMOVED)
    assert "Removed from the deck" in removed["Front"] and "tag:removed" in removed["Back"]
    edited = note(collection, EDITED)
    assert "without valid credentials" in edited["Front"]
    assert collection.col.db.scalar("select count() from revlog where cid = ?", studied.id) == 1
    # One search finds what release 2 changed: the edited and the added note.
    changed = {collection.col.get_note(n).guid for n in collection.col.find_notes("tag:changed::0.2.0")}
    assert changed == {genanki.guid_for(GUID_NAMESPACE, EDITED), genanki.guid_for(GUID_NAMESPACE, ADDED)}


def test_a_first_time_learner_gets_exactly_release_2(releases_built: dict[str, Path], collection: AnkiCollection) -> None:
    log = collection.import_package(releases_built["r2"])
    assert (log.new, log.conflicting) == (6, 0)
    assert collection.col.find_notes("tag:removed") == []
    assert collection.col.note_count() == 6


def test_the_release_notes_list_exactly_the_three_changes(releases_built: dict[str, Path]) -> None:
    text = releases_built["notes"].read_text()
    assert text.startswith("# Backend Interview deck 0.2.0\n")
    assert "1 cards added, 1 changed, 1 removed" in text
    items = sorted(line for line in text.splitlines() if line.startswith("- "))
    assert items == [
        "- What does the diagram of a B+ tree show about leaf pages? (`bplus-leaves`)",
        "- Which status code answers a request without valid credentials? (`status-401`)",
        "- Which status code is a joke from an April Fools' RFC? (`status-418`)",
    ]
    assert "### Added (1)" in text and "### Changed (1)" in text and "### Removed (1)" in text


def test_a_removed_cards_id_is_never_reused(releases_built: dict[str, Path], minimal: Path) -> None:
    indexes = minimal / "databases" / "indexes.md"
    indexes.write_text(indexes.read_text() + "\n## Which pages of a B+ tree hold the rows?\n<!-- id: bplus-leaves -->\n\nThe leaves.\n")
    result = run("lint", "--cards", minimal)
    assert result.exit_code == 1
    assert "indexes.md" in result.output and "id 'bplus-leaves' belonged to a card removed in 0.2.0 — ids are never reused" in result.output


def test_the_back_links_to_the_source_when_the_project_names_its_repository() -> None:
    settings = releases.ReleaseSettings("0.2.0", "https://example.org/deck/blob/v{release}/{path}#L{line}")
    assert releases.source_link(settings, "cards/apis/status.md", 12) == '<a href="https://example.org/deck/blob/v0.2.0/cards/apis/status.md#L12">source</a>'
    assert releases.source_link(releases.ReleaseSettings("0.2.0", ""), "cards/apis/status.md", 12) == "cards/apis/status.md"


def test_a_card_added_and_removed_within_one_release_needs_no_notice(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(releases, "__version__", "0.2.0")
    status = minimal / "apis" / "status.md"
    original = status.read_text()
    status.write_text(original + "\n## Which status code means too many requests?\n<!-- id: status-429 -->\n\n**429**.\n")
    build(minimal, tmp_path / "a" / "deck.apkg")
    status.write_text(original)
    out = build(minimal, tmp_path / "b" / "deck.apkg")
    assert not (out.parent / REMOVALS_FILE).exists()
    assert "status-429" not in (out.parent / RELEASE_NOTES_FILE).read_text()
