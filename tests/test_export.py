"""Exports: the Anki text file imported by the real backend updates the package's own notes;
the term/definition text is one plain line per card."""

from __future__ import annotations

from pathlib import Path

from .conftest import AnkiCollection, build, run


def export(cards: Path, target: Path, fmt: str) -> Path:
    result = run("export", "--cards", cards, "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    return target


def import_text(collection: AnkiCollection, path: Path) -> tuple[int, int, int, int]:
    from anki.collection import ImportCsvRequest
    from anki.import_export_pb2 import CsvMetadata

    metadata = collection.col.get_csv_metadata(str(path), None)
    metadata.dupe_resolution = CsvMetadata.DupeResolution.UPDATE
    log = collection.col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log
    return len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)


def test_the_anki_text_export_matches_the_package_notes(minimal: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    collection.import_package(build(minimal, tmp_path / "deck.apkg"))
    guids = set(collection.col.db.list("select guid from notes"))
    tsv = export(minimal, tmp_path / "deck.tsv", "anki-tsv")
    new, updated, duplicate, conflicting = import_text(collection, tsv)
    assert (new, conflicting) == (0, 0)
    assert updated + duplicate == 6
    collection.reopen()
    assert set(collection.col.db.list("select guid from notes")) == guids
    assert collection.col.note_count() == 6


def test_the_term_definition_export_is_one_plain_line_per_card(minimal: Path, tmp_path: Path) -> None:
    lines = export(minimal, tmp_path / "deck.txt", "quizlet").read_text().splitlines()
    assert len(lines) == 6
    assert all(line.count("\t") == 1 and "<" not in line for line in lines)
    terms = dict(line.split("\t") for line in lines)
    assert "In PostgreSQL, REPEATABLE READ is implemented as ___." in terms
    assert terms["In PostgreSQL, REPEATABLE READ is implemented as ___."].startswith("In PostgreSQL, REPEATABLE READ is implemented as snapshot isolation.")
